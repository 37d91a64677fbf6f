from django.urls import path

from . import views

urlpatterns = [
    path("team_list/", views.index, name="team_list"),
]
