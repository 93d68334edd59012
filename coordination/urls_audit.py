"""Coordinators' audit pages; included by coordination/urls.py."""

from django.urls import path

from coordination import views_audit

urlpatterns = [
    path("", views_audit.audit_view, name="audit"),
]
