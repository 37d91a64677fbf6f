"""Priority promotion and exceptional promotion pages, included under incentives/selection/
(namespace `incentives`)."""

from django.urls import path

from . import views_selection as views

urlpatterns = [
    path("priority/", views.priority_list, name="priority_list"),
    path("priority/export/", views.priority_export, name="priority_export"),
    path("priority/auto/export/", views.priority_auto_export, name="priority_auto_export"),
    path("priority/new/", views.priority_create, name="priority_create"),
    path("priority/<int:pk>/withdraw/", views.priority_withdraw, name="priority_withdraw"),
    path("exceptional/", views.candidate_lists, name="candidate_lists"),
    path("exceptional/new/", views.candidate_list_create, name="candidate_list_create"),
    path("exceptional/<int:pk>/", views.candidate_list_detail, name="candidate_list_detail"),
    path("exceptional/<int:pk>/export/", views.candidate_list_export, name="candidate_list_export"),
    path("exceptional/<int:pk>/add/", views.candidate_add, name="candidate_add"),
    path("exceptional/<int:pk>/check/", views.candidate_list_check, name="candidate_list_check"),
    path(
        "exceptional/<int:pk>/<str:action>/",
        views.candidate_list_transition,
        name="candidate_list_transition",
    ),
    path("candidates/<int:pk>/remove/", views.candidate_remove, name="candidate_remove"),
    path("candidates/<int:pk>/decide/", views.candidate_decide, name="candidate_decide"),
    path(
        "candidates/<int:pk>/confirm-age/",
        views.candidate_confirm_age,
        name="candidate_confirm_age",
    ),
]
