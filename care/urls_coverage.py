"""Annual talk coverage (年度谈心谈话覆盖) pages, included under care/coverage/ (namespace
`care`)."""

from django.urls import path

from . import views_coverage as views

urlpatterns = [
    path("", views.coverage, name="coverage"),
    path("export/", views.coverage_export, name="coverage_export"),
]
