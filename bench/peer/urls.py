from django.urls import path

from bench.peer import views

urlpatterns = [
    path("<slug:slug>/", views.QuizWizard.as_view(), name="peer_quiz"),
]
