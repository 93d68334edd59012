"""Coordinators' audit pages; included by coordination/urls.py."""

urlpatterns: list = []
