from django.urls import path

from quizfunnel.funnel import views

urlpatterns = [
    path("", views.home, name="home"),
    path("q/<slug:slug>/", views.quiz_intro, name="quiz_intro"),
    path("q/<slug:slug>/preview/", views.quiz_preview, name="quiz_preview"),
    path("q/<slug:slug>/<int:question_id>/", views.quiz_question, name="quiz_question"),
    path("q/<slug:slug>/lead/", views.quiz_lead, name="quiz_lead"),
    path("q/<slug:slug>/done/", views.quiz_done, name="quiz_done"),
    path("q/<slug:slug>/goal/", views.quiz_goal, name="quiz_goal"),
]
