from django.urls import include, path

from . import views

app_name = "cadre"

urlpatterns = [
    path("units/", views.unit_tree, name="unit_tree"),
    path("units/<int:pk>/", views.unit_detail, name="unit_detail"),
    path("cadres/", views.cadre_list, name="cadre_list"),
    path("cadres/new/", views.cadre_create, name="cadre_create"),
    path("cadres/export/", views.cadre_export, name="cadre_export"),
    path("cadres/<int:pk>/", views.cadre_detail, name="cadre_detail"),
    path("cadres/<int:pk>/edit/", views.cadre_update, name="cadre_update"),
    path("cadres/<int:pk>/delete/", views.cadre_delete, name="cadre_delete"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/read/", views.notification_read, name="notification_read"),
    path("cadres/import/", include("cadre.import_urls")),
]
