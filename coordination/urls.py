"""Coordinators' pages, under /coordinatie/ (lerenmetdestad/urls.py)."""

from django.urls import include, path

app_name = "coordination"
urlpatterns = [
    path("", include("coordination.urls_dashboard")),
    path("export/", include("coordination.urls_exports")),
    path("audit/", include("coordination.urls_audit")),
]
