"""URLs of the organisation pages. partners/urls.py includes them under app_name "partners",
so this module has no app_name of its own.

The fixed paths (nieuw/, zoeken/) come before <slug>/; the services never hand out those
two words as a slug.
"""

from django.urls import path

from partners.views import organisations as views

urlpatterns = [
    path("organisatie/", views.my_organisations_view, name="my-organisations"),
    path("organisatie/nieuw/", views.organisation_create_view, name="organisation-create"),
    path("organisatie/zoeken/", views.organisation_search_view, name="organisation-search"),
    path("organisatie/<slug:slug>/", views.organisation_view, name="organisation"),
    path("organisatie/<slug:slug>/aansluiten/", views.join_request_view, name="join-request"),
    path("organisatie/<slug:slug>/leden/", views.members_view, name="members"),
    path(
        "organisatie/<slug:slug>/uitnodigen/",
        views.invitation_create_view,
        name="invitation-create",
    ),
    path(
        "organisatie/<slug:slug>/aanvragen/<int:pk>/",
        views.join_request_decide_view,
        name="join-request-decide",
    ),
    path(
        "organisatie/<slug:slug>/leden/<int:pk>/verwijderen/",
        views.membership_remove_view,
        name="membership-remove",
    ),
    path(
        "organisatie/<slug:slug>/leden/<int:pk>/rol/",
        views.membership_role_view,
        name="membership-role",
    ),
    path("uitnodiging/<token:token>/", views.invitation_accept_view, name="invitation-accept"),
]
