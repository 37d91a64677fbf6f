from django.urls import include, path

from . import views

app_name = "incentives"

urlpatterns = [
    path("", views.index, name="index"),
    path("rank/", include("incentives.urls_rank")),
    path("selection/", include("incentives.urls_selection")),
    path("structure/", include("incentives.urls_structure")),
    path("ledger/", include("incentives.urls_ledger")),
    path("awards/", include("incentives.urls_awards")),
]
