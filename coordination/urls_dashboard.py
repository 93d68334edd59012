"""Coordinators' dashboard pages; included by coordination/urls.py."""

urlpatterns: list = []
