"""Turnover housing and five-small-facilities pages, included under care/living/ (namespace
`care`)."""

from django.urls import path

from . import views_living as views

urlpatterns = [
    path("housing/", views.housing, name="housing"),
    path("housing/export/", views.housing_export, name="housing_export"),
    path("housing/rooms/new/", views.room_form, name="housing_room_new"),
    path("housing/rooms/<int:pk>/", views.room_detail, name="housing_room"),
    path("housing/rooms/<int:pk>/edit/", views.room_form, name="housing_room_edit"),
    path("housing/rooms/<int:pk>/status/", views.room_status, name="housing_room_status"),
    path("housing/rooms/<int:pk>/allocate/", views.allocate, name="housing_allocate"),
    path("housing/allocations/<int:pk>/move-out/", views.move_out, name="housing_move_out"),
    path("housing/waiting/", views.waiting, name="housing_waiting"),
    path("housing/waiting/apply/", views.apply, name="housing_apply"),
    path("housing/waiting/<int:pk>/withdraw/", views.withdraw, name="housing_withdraw"),
    path("facilities/", views.facilities, name="facilities"),
    path("facilities/export/", views.facilities_export, name="facilities_export"),
    path("facilities/<int:unit_pk>/<slug:code>/", views.facility_edit, name="facility_edit"),
]
