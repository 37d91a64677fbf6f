"""Health check-up (健康体检) pages, included under care/health/ (namespace `care`)."""

from django.urls import path

from . import views_health as views

urlpatterns = [
    path("", views.plan_list, name="checkup_plans"),
    path("new/", views.plan_create, name="checkup_plan_create"),
    path("<int:pk>/", views.plan_detail, name="checkup_plan_detail"),
    path("<int:pk>/export/", views.plan_export, name="checkup_plan_export"),
    path("<int:pk>/enrol/", views.plan_enrol, name="checkup_plan_enrol"),
    path("records/<int:pk>/", views.record_attend, name="checkup_record_attend"),
    path("cadres/<int:cadre_id>/", views.health_record, name="health_record"),
]
