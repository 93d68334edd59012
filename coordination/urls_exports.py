"""Coordinators' exports pages; included by coordination/urls.py."""

urlpatterns: list = []
