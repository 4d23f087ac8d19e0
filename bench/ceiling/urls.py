from django.urls import path

from bench.ceiling import views

urlpatterns = [
    path("", views.ceiling_step, name="ceiling_step"),
]
