"""URLs of Op Locatie. partners/urls.py includes them under app_name "partners"."""

from django.urls import path

from partners.views import op_locatie

urlpatterns = [
    path("op-locatie/", op_locatie.op_locatie_view, name="op-locatie"),
    path("op-locatie/vraag/", op_locatie.question_create_view, name="op-locatie-question"),
    path("op-locatie/vragen/", op_locatie.questions_view, name="op-locatie-questions"),
]
