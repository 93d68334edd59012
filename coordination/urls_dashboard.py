"""Coordinators' dashboard pages; included by coordination/urls.py."""

from django.urls import path

from coordination.views import dashboard, impact

urlpatterns = [
    path("", dashboard.dashboard_view, name="dashboard"),
    path("impact/", impact.current_year_view, name="impact-current"),
    # An academic year by its two calendar years: /coordinatie/impact/2025-2026/.
    path("impact/<int:first>-<int:second>/", impact.impact_view, name="impact"),
]
