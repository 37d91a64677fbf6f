from django.urls import include, path

from . import views

app_name = "tolerance"

urlpatterns = [
    path("", views.index, name="index"),
    path("export/", views.case_export, name="case_export"),
    path("cases/apply/", views.case_apply, name="case_apply"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/checklist/", views.case_checklist, name="case_checklist"),
    path("cases/<int:pk>/transitions/<slug:name>/", views.case_transition, name="case_transition"),
    path("cases/<int:pk>/inquiries/", views.case_inquiry_add, name="case_inquiry_add"),
    path(
        "cases/<int:pk>/consultations/",
        views.case_consultation_add,
        name="case_consultation_add",
    ),
    path("cases/<int:pk>/corrections/", views.case_correction_add, name="case_correction_add"),
    path(
        "cases/<int:pk>/corrections/<int:plan_pk>/",
        views.case_correction_update,
        name="case_correction_update",
    ),
    path("cases/<int:pk>/visits/", views.case_visit_add, name="case_visit_add"),
    path("cases/<int:pk>/oversight/", views.case_oversight, name="case_oversight"),
    path("cases/<int:pk>/acknowledge/", views.case_acknowledge, name="case_acknowledge"),
    path("cases/<int:pk>/documents/<slug:kind>/", views.case_document, name="case_document"),
    path("matters/", views.matter_list, name="matter_list"),
    path("matters/new/", views.matter_create, name="matter_create"),
    path("matters/<int:pk>/", views.matter_detail, name="matter_detail"),
    path("matters/<int:pk>/decide/", views.matter_decide, name="matter_decide"),
    path("matters/<int:pk>/drop/", views.matter_drop, name="matter_drop"),
    path("reminders/", views.reminder_list, name="reminder_list"),
    path("reminders/new/", views.reminder_create, name="reminder_create"),
    path("clearing/", include("tolerance.urls_clearing")),
    path("statistics/", include("tolerance.urls_statistics")),
]
