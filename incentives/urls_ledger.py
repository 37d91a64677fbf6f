from django.urls import path

from . import views

urlpatterns = [
    path("sanction_list/", views.index, name="sanction_list"),
    path("adjustment_list/", views.index, name="adjustment_list"),
    path("review_list/", views.index, name="review_list"),
]
