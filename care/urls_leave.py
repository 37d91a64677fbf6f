"""Leave pages, included under care/leave/ (namespace `care`)."""

from django.urls import path

from . import views_leave as views

urlpatterns = [
    path("", views.overview, name="leave_overview"),
    path("leaders/", views.leaders, name="leave_leaders"),
    path("export/", views.export, name="leave_export"),
    path("cadre/<int:pk>/", views.cadre_leave, name="leave_cadre"),
    path("plan/", views.plan_form, name="leave_plan"),
    path("record/", views.record_form, name="leave_record"),
    path("overtime/", views.overtime_form, name="leave_overtime"),
]
