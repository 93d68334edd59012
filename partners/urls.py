from django.urls import include, path

from partners.views import challenges, public

app_name = "partners"
urlpatterns = [
    path(
        "vraagstukken/nieuw/<slug:slug>/", challenges.challenge_create_view, name="challenge-create"
    ),
    path("vraagstukken/<int:pk>/", challenges.challenge_detail_view, name="challenge"),
    path("vraagstukken/<int:pk>/bewerken/", challenges.challenge_edit_view, name="challenge-edit"),
    path(
        "vraagstukken/<int:pk>/indienen/", challenges.challenge_submit_view, name="challenge-submit"
    ),
    path(
        "vraagstukken/<int:pk>/berichten/",
        challenges.challenge_message_view,
        name="challenge-message",
    ),
    path(
        "vraagstukken/<int:pk>/bijlagen/<int:attachment_pk>/",
        challenges.attachment_download_view,
        name="challenge-attachment",
    ),
    path("themas/", public.themes_view, name="themes"),
    path("themas/<slug:slug>/", public.theme_view, name="theme"),
    path("organisaties/<slug:slug>/", public.organisation_view, name="organisation-public"),
    path("", include("partners.urls_op_locatie")),
    path("", include("partners.urls_organisations")),
]
