"""Excel import of cadres. Included by cadre/urls.py under "cadres/import/" in the "cadre"
namespace, so the names below are cadre:import_start, cadre:import_template, …"""

from django.urls import path

from . import import_views

urlpatterns = [
    path("", import_views.import_start, name="import_start"),
    path("template/", import_views.import_template, name="import_template"),
    path("<int:pk>/", import_views.import_status, name="import_status"),
    path("<int:pk>/progress.json", import_views.import_progress, name="import_progress"),
]
