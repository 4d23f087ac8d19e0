from django.apps import AppConfig


class LeadsConfig(AppConfig):
    name = "quizfunnel.leads"
