"""Hardship help and care-fund pages, included under care/hardship/ (namespace `care`)."""

from django.urls import path

from . import views_hardship as views

urlpatterns = [
    path("", views.application_list, name="application_list"),
    path("export/", views.application_export, name="application_export"),
    path("new/", views.application_new, name="application_new"),
    path("<int:pk>/", views.application_detail, name="application_detail"),
    path("<int:pk>/review/", views.application_review, name="application_review"),
    path("<int:pk>/close/", views.application_close, name="application_close"),
    path("funds/", views.fund_list, name="fund_list"),
    path("funds/new/", views.fund_new, name="fund_new"),
    path("funds/<int:pk>/", views.fund_detail, name="fund_detail"),
    path("funds/<int:pk>/export/", views.fund_export, name="fund_export"),
    path("funds/<int:pk>/deposit/", views.fund_deposit, name="fund_deposit"),
    path("funds/<int:pk>/disburse/", views.fund_disburse, name="fund_disburse"),
]
