"""The handover dossier of a group. Included by projects/urls.py under the "projects" namespace."""

from django.urls import path

from projects.views import handover

urlpatterns = [
    path("projecten/groep/<int:cohort_pk>/overdracht/", handover.dossier_view, name="handover"),
    path(
        "projecten/groep/<int:cohort_pk>/overdracht/besluit/",
        handover.decide_view,
        name="handover_decide",
    ),
    path(
        "projecten/groep/<int:cohort_pk>/overdracht/producten/",
        handover.product_add_view,
        name="handover_product_add",
    ),
    path(
        "projecten/groep/<int:cohort_pk>/overdracht/producten/<int:product_pk>/verwijderen/",
        handover.product_remove_view,
        name="handover_product_remove",
    ),
    path(
        "projecten/groep/<int:cohort_pk>/overdracht/producten/<int:product_pk>/bestand/",
        handover.product_file_view,
        name="handover_product_file",
    ),
]
