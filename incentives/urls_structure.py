"""Team structure (F 9; ZJK 12(四)) and 干部任免审批表 pages, under incentives/structure/."""

from django.urls import path

from . import views_structure as views

urlpatterns = [
    path("", views.team_list, name="team_list"),
    path("<int:county_pk>/", views.team_detail, name="team_detail"),
    path("<int:county_pk>/export/", views.team_export, name="team_export"),
    path("appointment-form/<int:cadre_pk>/", views.appointment_form, name="appointment_form"),
]
