from django.urls import include, path

from . import views

app_name = "care"

urlpatterns = [
    path("", views.index, name="index"),
    path("talks/", include("care.urls_talks")),
    path("coverage/", include("care.urls_coverage")),
    path("health/", include("care.urls_health")),
    path("leave/", include("care.urls_leave")),
    path("hardship/", include("care.urls_hardship")),
    path("living/", include("care.urls_living")),
    path("pay/", include("care.urls_pay")),
]
