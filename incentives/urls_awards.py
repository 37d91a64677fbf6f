from django.urls import path

from . import views

urlpatterns = [
    path("campaign_list/", views.index, name="campaign_list"),
    path("exemplar_list/", views.index, name="exemplar_list"),
]
