"""Ledger of handled and disciplined cadres, 能上能下 and expiry reviews, included under
incentives/ledger/ (namespace `incentives`)."""

from django.urls import path

from . import views_ledger as views

urlpatterns = [
    path("sanctions/", views.sanction_list, name="sanction_list"),
    path("sanctions/export/", views.sanction_export, name="sanction_export"),
    path("sanctions/new/", views.sanction_record, name="sanction_record"),
    path("sanctions/<int:pk>/", views.sanction_detail, name="sanction_detail"),
    path(
        "sanctions/<int:pk>/confirm-kind/",
        views.sanction_confirm_kind,
        name="sanction_confirm_kind",
    ),
    path("sanctions/<int:pk>/revoke/", views.sanction_revoke, name="sanction_revoke"),
    path("sanctions/<int:pk>/tracking/", views.sanction_tracking, name="sanction_tracking"),
    path("adjustments/", views.adjustment_list, name="adjustment_list"),
    path("adjustments/export/", views.adjustment_export, name="adjustment_export"),
    path("adjustments/new/", views.adjustment_record, name="adjustment_record"),
    path("adjustments/<int:pk>/", views.adjustment_detail, name="adjustment_detail"),
    path("reviews/", views.review_list, name="review_list"),
    path("reviews/<int:pk>/", views.review_decide, name="review_decide"),
]
