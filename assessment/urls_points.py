"""Points ledger (考核积分制) pages, included under assessment/points/ (namespace `assessment`)."""

from django.urls import path

from . import views_points as views

urlpatterns = [
    path("", views.ledger, name="points"),
    path("export/", views.export, name="points_export"),
    path("submit/", views.submit, name="points_submit"),
    path("city-result/", views.city_result, name="points_city_result"),
    path("review/", views.review_queue, name="points_review_queue"),
    path("<int:pk>/review/", views.review, name="points_review"),
    path("summary/", views.summary, name="points_summary"),
]
