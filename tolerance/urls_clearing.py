from django.urls import path

from . import views_clearing as views

urlpatterns = [
    path("", views.clearing_list, name="clearing_list"),
    path("export/", views.clearing_export, name="clearing_export"),
    path("open/", views.clearing_open, name="clearing_open"),
    path("<int:pk>/", views.clearing_detail, name="clearing_detail"),
    path("<int:pk>/transition/", views.clearing_transition, name="clearing_transition"),
    path("<int:pk>/background/", views.clearing_background, name="clearing_background"),
    path("<int:pk>/clarifications/", views.clarification_add, name="clearing_clarification_add"),
    path("<int:pk>/visits/", views.visit_add, name="clearing_visit_add"),
    path("<int:pk>/publications/", views.publication_add, name="clearing_publication_add"),
    path("<int:pk>/letter/", views.clearing_document, name="clearing_document"),
    path("unfounded/", views.unfounded_list, name="unfounded_list"),
    path("unfounded/export/", views.unfounded_export, name="unfounded_export"),
    path("unfounded/publish/", views.unfounded_publish, name="unfounded_publish"),
    path("blacklist/", views.blacklist, name="blacklist"),
    path("blacklist/export/", views.blacklist_export, name="blacklist_export"),
]
