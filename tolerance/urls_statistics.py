from django.urls import path

from . import views_statistics

urlpatterns = [
    path("", views_statistics.statistics, name="statistics"),
    path("export/", views_statistics.statistics_export, name="statistics_export"),
    path("publications/", views_statistics.publication_list, name="publication_list"),
    path(
        "publications/export/",
        views_statistics.publication_export,
        name="publication_export",
    ),
]
