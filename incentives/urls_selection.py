from django.urls import path

from . import views

urlpatterns = [
    path("priority_list/", views.index, name="priority_list"),
    path("candidate_lists/", views.index, name="candidate_lists"),
]
