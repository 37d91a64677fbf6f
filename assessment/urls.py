from django.urls import include, path

from . import views

app_name = "assessment"

urlpatterns = [
    path("", views.index, name="index"),
    path("my-results/", views.my_results, name="my_results"),
    path("cycles/<int:pk>/", views.cycle_detail, name="cycle_detail"),
    path("cycles/<int:pk>/export/", views.cycle_export, name="cycle_export"),
    path("cycles/<int:pk>/close/", views.cycle_close, name="cycle_close"),
    path("cycles/<int:pk>/feed-back/", views.cycle_feed_back, name="cycle_feed_back"),
    path("cycles/<int:pk>/units/<int:unit_pk>/", views.unit_grid, name="unit_grid"),
    path("cycles/<int:pk>/units/<int:unit_pk>/quota/", views.cycle_quota, name="cycle_quota"),
    path("cycles/<int:pk>/units/<int:unit_pk>/team/", views.cycle_team, name="cycle_team"),
    path("cadres/<int:pk>/", views.cadre_history, name="cadre_history"),
    path("ordinary/", include("assessment.urls_ordinary")),
    path("points/", include("assessment.urls_points")),
    path("evaluations/", include("assessment.urls_evaluation")),
    path("rankings/", include("assessment.urls_rankings")),
]
