"""Discovery: the project list and the project page. Included by projects/urls.py under the
"projects" namespace, after its fixed paths: "projecten/<slug>/" would otherwise swallow
paths such as "projecten/voorkeuren/"."""

from django.urls import path

from projects.views import discovery

urlpatterns = [
    path("projecten/", discovery.project_list_view, name="list"),
    path("projecten/<slug:slug>/", discovery.project_detail_view, name="detail"),
]
