from django.urls import path

from . import views

app_name = "incentives"

urlpatterns = [
    path("", views.index, name="index"),
]
