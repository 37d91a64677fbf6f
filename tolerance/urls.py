from django.urls import include, path

from . import views

app_name = "tolerance"

urlpatterns = [
    path("", views.index, name="index"),
    path("clearing/", include("tolerance.urls_clearing")),
    path("statistics/", include("tolerance.urls_statistics")),
]
