"""Ordinary assessment (平时考核) pages, included under assessment/ordinary/ (namespace
`assessment`)."""

from django.urls import path

from . import views_ordinary as views

urlpatterns = [
    path("", views.unit_view, name="ordinary"),
    path("export/", views.unit_export, name="ordinary_export"),
    path("mine/", views.mine, name="ordinary_mine"),
    path("cadres/<int:pk>/", views.cadre_records, name="ordinary_cadre"),
    path("cadres/<int:pk>/week/", views.week_save, name="ordinary_week_save"),
    path("cadres/<int:pk>/month/", views.month_save, name="ordinary_month_save"),
    path("summaries/<int:pk>/review/", views.review, name="ordinary_review"),
]
