"""Coordinators' exports, e.g. /coordinatie/export/groepen.xlsx; included by
coordination/urls.py."""

from django.urls import re_path

from coordination.exports.views import export_view

urlpatterns = [
    re_path(
        r"^(?P<kind>[a-z]+)\.(?P<file_format>csv|xlsx)$",
        export_view,
        name="export",
    ),
]
