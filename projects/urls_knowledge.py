"""The public knowledge of completed projects. Included by projects/urls.py under the
"projects" namespace, before discovery."""

from django.urls import path

from projects.views import knowledge

urlpatterns = [
    path("kennis/", knowledge.knowledge_list_view, name="knowledge"),
]
