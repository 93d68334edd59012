"""What each side gives back after a group: reflections, hours, partner feedback, the CSL
record and the to-do list. Included by projects/urls.py under the "projects" namespace."""

from django.urls import path

from projects.views import feedback, hours_link, reciprocity, todo

urlpatterns = [
    path("mijn/projecten/<int:pk>/reflectie/", reciprocity.reflection_view, name="reflection"),
    path("mijn/projecten/<int:pk>/uren/", reciprocity.hours_view, name="hours"),
    path("mijn/csl-overzicht/", reciprocity.csl_record_view, name="csl-record"),
    path("mijn/te-doen/", todo.todo_view, name="todo"),
    path("uren/bevestigen/<token:token>/", hours_link.hours_decide_view, name="hours-decide"),
    path(
        "projecten/groep/<int:cohort_pk>/feedback/<int:organisation_pk>/",
        feedback.feedback_view,
        name="feedback",
    ),
]
