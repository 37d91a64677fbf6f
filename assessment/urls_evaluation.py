"""Pages of the 360-degree evaluation, under assessment/evaluations/ (namespace `assessment`).
The rater's page `rate/<token>/` needs no login."""

from django.urls import path

from . import views_evaluation as views

urlpatterns = [
    path("", views.evaluation_list, name="evaluation_list"),
    path("<int:pk>/", views.evaluation_detail, name="evaluation_detail"),
    path("<int:pk>/invitations/", views.evaluation_invite, name="evaluation_invite"),
    path(
        "<int:pk>/invitations/export/",
        views.evaluation_links_export,
        name="evaluation_links_export",
    ),
    path("<int:pk>/results/export/", views.evaluation_results_export, name="evaluation_export"),
    path("<int:pk>/close/", views.evaluation_close, name="evaluation_close"),
    path("rate/thanks/", views.rate_thanks, name="evaluation_rate_thanks"),
    path("rate/<str:token>/", views.rate, name="evaluation_rate"),
]
