"""Pay-tilt pages (F 18), included under care/pay/ (namespace `care`)."""

from django.urls import path

from . import views_pay as views

urlpatterns = [
    path("", views.tilt, name="pay_tilt"),
    path("export/", views.tilt_export, name="pay_tilt_export"),
    path("records/", views.records, name="pay_records"),
    path("records/export/", views.records_export, name="pay_records_export"),
    path("records/<int:pk>/", views.detail, name="pay_detail"),
    path("record/", views.record_form, name="pay_record"),
    path("import/", views.import_page, name="pay_import"),
    path("import/template/", views.import_template, name="pay_import_template"),
]
