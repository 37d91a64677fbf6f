"""Rankings, consequences, the three links and the quarterly review, included under
assessment/rankings/ (namespace `assessment`)."""

from django.urls import path

from . import views_rankings as views

urlpatterns = [
    path("", views.groups, name="rankings"),
    path("groups/new/", views.group_create, name="rankings_group_create"),
    path("groups/<int:pk>/", views.group_ranking, name="rankings_group"),
    path("groups/<int:pk>/edit/", views.group_edit, name="rankings_group_edit"),
    path("groups/<int:pk>/members/", views.group_members, name="rankings_members"),
    path("groups/<int:pk>/export/", views.group_export, name="rankings_group_export"),
    path("champions/", views.champions, name="rankings_champions"),
    path("consequences/", views.consequences, name="rankings_consequences"),
    path("consequences/export/", views.consequences_export, name="rankings_consequences_export"),
    path("links/", views.links, name="rankings_links"),
    path("links/<int:pk>/delete/", views.link_delete, name="rankings_link_delete"),
    path("quarterly/", views.quarterly, name="rankings_quarterly"),
    path(
        "quarterly/runs/<int:pk>/status/",
        views.quarterly_run_status,
        name="rankings_run_status",
    ),
    path("teams/<int:unit_pk>/report/", views.team_report, name="rankings_team_report"),
]
