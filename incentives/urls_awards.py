"""Awards and exemplars pages, included under incentives/awards/ (namespace `incentives`)."""

from django.urls import path

from . import views_awards as views

urlpatterns = [
    path("", views.campaign_list, name="campaign_list"),
    path("new/", views.campaign_create, name="campaign_create"),
    path("<int:pk>/", views.campaign_detail, name="campaign_detail"),
    path("<int:pk>/export/", views.campaign_export, name="campaign_export"),
    path("<int:pk>/nominate/", views.nominate, name="campaign_nominate"),
    path("<int:pk>/step/<slug:name>/", views.campaign_transition, name="campaign_transition"),
    path("nominations/<int:pk>/review/", views.nomination_review, name="nomination_review"),
    path("nominations/<int:pk>/withdraw/", views.nomination_withdraw, name="nomination_withdraw"),
    path("nominations/<int:pk>/objection/", views.objection_record, name="objection_record"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("exemplars/", views.exemplar_list, name="exemplar_list"),
    path("exemplars/export/", views.exemplar_export, name="exemplar_export"),
    path("exemplars/new/", views.exemplar_create, name="exemplar_create"),
    path("exemplars/<int:pk>/", views.exemplar_detail, name="exemplar_detail"),
]
