from django.urls import include, path

from projects.views import ranking, student

app_name = "projects"
urlpatterns = [
    path("projecten/groep/<int:cohort_pk>/aanmelden/", student.join_view, name="join"),
    path("projecten/groep/<int:cohort_pk>/team/", student.team_view, name="team"),
    path("projecten/voorkeuren/", student.rank_view, name="rank"),
    path("projecten/aanmelding/<int:pk>/besluit/", student.decide_view, name="decide"),
    path(
        "projecten/<slug:slug>/aanmeldingen-rangschikken/",
        ranking.applicant_ranking_view,
        name="applicant_ranking",
    ),
    path("mijn/projecten/", student.mine_view, name="mine"),
    path("mijn/projecten/<int:pk>/afmelden/", student.withdraw_view, name="withdraw"),
    path("", include("projects.urls_reciprocity")),
    path("", include("projects.urls_handover")),
    path("", include("projects.urls_knowledge")),
    path("", include("projects.urls_discovery")),
]
