"""Talks (谈心谈话) pages, included under care/talks/ (namespace `care`)."""

from django.urls import path

from . import views_talks as views

urlpatterns = [
    path("obligations/", views.obligation_list, name="obligation_list"),
    path("obligations/export/", views.obligation_export, name="obligation_export"),
    path("obligations/<int:pk>/", views.obligation_detail, name="obligation_detail"),
    path("obligations/<int:pk>/assign/", views.obligation_assign, name="obligation_assign"),
    path("obligations/<int:pk>/cancel/", views.obligation_cancel, name="obligation_cancel"),
    path("", views.talk_list, name="talk_list"),
    path("export/", views.talk_export, name="talk_export"),
    path("new/", views.talk_create, name="talk_create"),
    path("<int:pk>/", views.talk_detail, name="talk_detail"),
    path("misfortune/new/", views.misfortune_create, name="misfortune_create"),
    path("requests/", views.request_list, name="request_list"),
    path("requests/new/", views.request_create, name="request_create"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    path("requests/<int:pk>/accept/", views.request_accept, name="request_accept"),
    path("requests/<int:pk>/decline/", views.request_decline, name="request_decline"),
    path("mine/", views.my_care, name="my_care"),
]
