from django.apps import AppConfig


class FunnelConfig(AppConfig):
    name = "quizfunnel.funnel"
