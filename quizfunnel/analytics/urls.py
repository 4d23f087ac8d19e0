from django.urls import path

from quizfunnel.analytics import views

urlpatterns = [
    path("", views.analytics_overview, name="analytics_overview"),
    path("<int:quiz_id>/", views.analytics_dashboard, name="analytics_dashboard"),
    path(
        "<int:quiz_id>/funnel.csv",
        views.analytics_dashboard_csv,
        name="analytics_dashboard_csv",
    ),
]
