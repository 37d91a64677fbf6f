"""Rank promotion (职级晋升) pages, included under incentives/rank/ (namespace `incentives`)."""

from django.urls import path

from . import views_rank as views

urlpatterns = [
    path("", views.eligible_list, name="rank_eligible"),
    path("export/", views.eligible_export, name="rank_eligible_export"),
    path("cadres/<int:pk>/", views.cadre_check, name="rank_cadre"),
]
