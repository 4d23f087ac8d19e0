from django.urls import path

from quizfunnel.funnel import views

urlpatterns = [
    path("", views.home, name="home"),
]
