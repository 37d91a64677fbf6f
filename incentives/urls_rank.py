from django.urls import path

from . import views

urlpatterns = [
    path("rank_eligible/", views.index, name="rank_eligible"),
]
