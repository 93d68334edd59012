"""The access proof: nobody reaches what is not theirs.

Every route that takes an object id, a slug, a token or a file is requested by an anonymous
visitor, a student, a member of another organisation and a researcher (none of them involved)
and by the object's owner. What each of them should get is written by hand below, from what
each page is for, never from our permission code. A route found in the URLconf but missing
from the table, or a table entry for a route that no longer exists, fails the proof.

The same for the admin: every action of every registered ModelAdmin, posted on its changelist
by a staff account without the coordinator role (but with the Coordinators group's model
permissions), is refused and writes nothing.

One scene serves the whole module: it is built once inside a transaction that is rolled back
at the end, and each case runs in a savepoint of its own.
"""

import hashlib
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.test import RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.enums import Role
from accounts.models import User
from tests.security.scene import PDF, VIEWERS, Scene
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# --- What a viewer gets -----------------------------------------------------------------

LOGIN = "login"  # a redirect to the login page
REDIRECT = "redirect"  # a redirect elsewhere: the page did its work or refused with a message
OK, BAD_REQUEST, NOT_FOUND = 200, 400, 404


def private(owner) -> dict:
    """A signed-in page about one owner's object: strangers are told it does not exist."""
    return {
        "anonymous": LOGIN,
        "student": NOT_FOUND,
        "other_partner": NOT_FOUND,
        "researcher": NOT_FOUND,
        "owner": owner,
    }


def signed_in(answer) -> dict:
    """A page every signed-in person may open (its own answer says what they may do there)."""
    return {viewer: LOGIN if viewer == "anonymous" else answer for viewer in VIEWERS}


def everyone(answer=OK) -> dict:
    """A public page, or a signed link whose token is the proof of who is asking."""
    return dict.fromkeys(VIEWERS, answer)


@dataclass(frozen=True)
class Route:
    kwargs: Callable[[Scene], dict]
    owner: str  # the Scene attribute of the person whose object this is
    expect: dict
    # Routes that only take POST are posted to (with this body), so the answer says whether
    # the view let the person in; a GET would only say 405 to everyone.
    post: dict | None = None
    serves_file: bool = False
    why: str = ""


# --- The table, written by hand ---------------------------------------------------------

ROUTES: dict[str, Route] = {
    # allauth: the links in the confirmation and password mails. The key is the proof.
    "account_confirm_email": Route(
        lambda s: {"key": s.email_key},
        owner="newcomer",
        expect=everyone(OK),
        why="The confirmation link asks to confirm the address; the key is the proof.",
    ),
    "account_reset_password_from_key": Route(
        lambda s: {"uidb36": s.reset_uidb36, "key": s.reset_key},
        owner="newcomer",
        expect=everyone(REDIRECT) | {"owner": OK},
        why="allauth swaps the key from the mail for one kept in the session, then redirects. "
        "The key covers the last login, so once its owner has signed in since, the link is "
        "used up and the page says so.",
    ),
    # outbox
    "outbox:unsubscribe": Route(
        lambda s: {"token": s.unsubscribe_token},
        owner="team_student",
        expect=everyone(OK),
        why="One-click unsubscribe without signing in: GET only asks to confirm.",
    ),
    # partners: challenges
    "partners:challenge-create": Route(
        lambda s: {"slug": s.organisation.slug},
        owner="partner",
        expect=private(OK),
        why="Only members write a challenge for their organisation.",
    ),
    "partners:challenge": Route(
        lambda s: {"pk": s.draft_challenge.pk}, owner="partner", expect=private(OK)
    ),
    "partners:challenge-edit": Route(
        lambda s: {"pk": s.draft_challenge.pk}, owner="partner", expect=private(OK)
    ),
    "partners:challenge-submit": Route(
        lambda s: {"pk": s.draft_challenge.pk},
        owner="partner",
        post={"action": "submit", "version": "-1"},
        expect=private(REDIRECT),
        why="The owner's stale version is refused with a message on the challenge page.",
    ),
    "partners:challenge-message": Route(
        lambda s: {"pk": s.draft_challenge.pk},
        owner="partner",
        post={},
        expect=private(BAD_REQUEST),
        why="The owner's empty message comes back with its error.",
    ),
    "partners:challenge-attachment": Route(
        lambda s: {"pk": s.draft_challenge.pk, "attachment_pk": s.attachment.pk},
        owner="partner",
        expect=private(OK),
        serves_file=True,
        why="Attachments are never public files.",
    ),
    # partners: public pages
    "partners:theme": Route(
        lambda s: {"slug": s.theme.slug}, owner="coordinator", expect=everyone()
    ),
    "partners:organisation-public": Route(
        lambda s: {"slug": s.organisation.slug}, owner="partner", expect=everyone()
    ),
    # partners: an organisation's own pages
    "partners:organisation": Route(
        lambda s: {"slug": s.organisation.slug}, owner="partner", expect=private(OK)
    ),
    "partners:join-request": Route(
        lambda s: {"slug": s.organisation.slug},
        owner="partner",
        post={},
        expect={
            "anonymous": LOGIN,
            "student": NOT_FOUND,
            "other_partner": REDIRECT,
            "researcher": NOT_FOUND,
            "owner": REDIRECT,
        },
        why="Any partner account may ask to join a public organisation; students and "
        "researchers take part through projects. A member is told they already are one.",
    ),
    "partners:members": Route(
        lambda s: {"slug": s.organisation.slug}, owner="partner", expect=private(OK)
    ),
    "partners:invitation-create": Route(
        lambda s: {"slug": s.organisation.slug},
        owner="partner",
        post={},
        expect=private(OK),
        why="The administrator's empty invitation comes back on the members page.",
    ),
    "partners:join-request-decide": Route(
        lambda s: {"slug": s.organisation.slug, "pk": s.join_request.pk},
        owner="partner",
        post={},
        expect=private(REDIRECT),
    ),
    "partners:membership-remove": Route(
        lambda s: {"slug": s.organisation.slug, "pk": s.colleague_membership.pk},
        owner="partner",
        post={},
        expect=private(REDIRECT),
    ),
    "partners:membership-role": Route(
        lambda s: {"slug": s.organisation.slug, "pk": s.colleague_membership.pk},
        owner="partner",
        post={},
        expect=private(REDIRECT),
    ),
    "partners:invitation-accept": Route(
        lambda s: {"token": s.invitation_token},
        owner="invitee",
        expect=signed_in(OK),
        why="The link shows what it invites to; anyone but the invitee reads why they "
        "cannot accept it.",
    ),
    # projects: students and groups
    "projects:join": Route(
        lambda s: {"cohort_pk": s.open_cohort.pk},
        owner="applicant",
        post={},
        expect=signed_in(REDIRECT),
        why="An open group is anyone's to join; the service refuses who may not, with a message.",
    ),
    "projects:team": Route(
        lambda s: {"cohort_pk": s.cohort.pk}, owner="team_student", expect=private(OK)
    ),
    "projects:decide": Route(
        lambda s: {"pk": s.application.pk},
        owner="partner",
        post={},
        expect=private(REDIRECT),
        why="The project's partner decides on applications.",
    ),
    "projects:applicant_ranking": Route(
        lambda s: {"slug": s.project.slug}, owner="partner", expect=private(OK)
    ),
    "projects:withdraw": Route(
        lambda s: {"pk": s.place.pk}, owner="team_student", post={}, expect=private(REDIRECT)
    ),
    "projects:reflection": Route(
        lambda s: {"pk": s.place.pk}, owner="team_student", expect=private(OK)
    ),
    "projects:hours": Route(lambda s: {"pk": s.place.pk}, owner="team_student", expect=private(OK)),
    "projects:hours-decide": Route(
        lambda s: {"token": s.hours_token},
        owner="partner",
        expect=everyone(OK),
        why="The hours mail's link works without signing in; GET only shows the entry.",
    ),
    "projects:feedback": Route(
        lambda s: {"cohort_pk": s.cohort.pk, "organisation_pk": s.organisation.pk},
        owner="partner",
        expect=private(OK),
    ),
    # projects: the handover dossier and its files
    "projects:handover": Route(
        lambda s: {"cohort_pk": s.cohort.pk}, owner="team_student", expect=private(OK)
    ),
    "projects:handover_decide": Route(
        lambda s: {"cohort_pk": s.cohort.pk}, owner="partner", expect=private(OK)
    ),
    "projects:handover_product_add": Route(
        lambda s: {"cohort_pk": s.cohort.pk},
        owner="team_student",
        post={},
        expect=private(BAD_REQUEST),
        why="The team's empty product comes back with its errors.",
    ),
    "projects:handover_product_remove": Route(
        lambda s: {"cohort_pk": s.cohort.pk, "product_pk": s.product.pk},
        owner="team_student",
        post={},
        expect=private(REDIRECT),
    ),
    "projects:handover_product_file": Route(
        lambda s: {"cohort_pk": s.cohort.pk, "product_pk": s.product.pk},
        owner="team_student",
        expect=private(OK),
        serves_file=True,
        why="A product that is not public is the dossier's readers' only.",
    ),
    "projects:detail": Route(
        lambda s: {"slug": s.project.slug}, owner="partner", expect=everyone()
    ),
    # events
    "events:detail": Route(
        lambda s: {"slug": s.event.slug}, owner="coordinator", expect=everyone()
    ),
    "events:event-ics": Route(
        lambda s: {"slug": s.event.slug}, owner="coordinator", expect=everyone()
    ),
    "events:register": Route(
        lambda s: {"slug": s.event.slug},
        owner="registrant",
        expect=signed_in(OK),
        why="Every signed-in person sees the form, or why they cannot register.",
    ),
    "events:cancel": Route(
        lambda s: {"pk": s.registration.pk},
        owner="registrant",
        post={},
        expect=private(REDIRECT),
    ),
    "events:check-in": Route(
        lambda s: {"slug": s.event.slug}, owner="coordinator", expect=private(OK)
    ),
    "events:feed": Route(
        lambda s: {"token": s.feed.token},
        owner="registrant",
        expect=everyone(OK),
        why="Calendar programs fetch the feed without cookies; the token is the only key.",
    ),
    "events:schedule-grid": Route(
        lambda s: {"slug": s.event.slug}, owner="coordinator", expect=private(OK)
    ),
    "events:schedule-edit": Route(
        lambda s: {"slug": s.event.slug}, owner="coordinator", expect=private(OK)
    ),
    "events:my-schedule": Route(
        lambda s: {"slug": s.event.slug}, owner="registrant", expect=private(OK)
    ),
    "events:my-schedule-ics": Route(
        lambda s: {"slug": s.event.slug}, owner="registrant", expect=private(OK)
    ),
    "events:follow-ups": Route(
        lambda s: {"slug": s.event.slug}, owner="registrant", expect=private(OK)
    ),
    "events:follow-up-record": Route(
        lambda s: {"slug": s.event.slug, "meeting_pk": s.meeting.pk},
        owner="registrant",
        post={},
        expect=private(OK),
        why="Before the event the owner's page comes back saying follow-ups come later.",
    ),
    "events:follow-up-to-challenge": Route(
        lambda s: {"slug": s.event.slug, "pk": s.follow_up.pk},
        owner="registrant",
        post={},
        expect=private(REDIRECT),
    ),
    "events:follow-up-link": Route(
        lambda s: {"slug": s.event.slug, "pk": s.follow_up.pk},
        owner="registrant",
        post={},
        expect=private(REDIRECT),
    ),
    # coordination
    "coordination:impact": Route(
        lambda s: {"first": 2025, "second": 2026}, owner="coordinator", expect=private(OK)
    ),
    "coordination:export": Route(
        lambda s: {"kind": "groepen", "file_format": "csv"},
        owner="coordinator",
        expect=private(OK),
    ),
}

# Cases where the answer is not what the table says: kept failing on purpose (strict xfail)
# until the view is fixed, so the table never bends to the code.
HOLES: dict[tuple[str, str], str] = {}

# Routes with a parameter that the proof leaves out, and why.
EXCLUDED_PREFIXES = {
    "beheer/": "the admin's own pages; the admin part below proves them for staff without "
    "the coordinator role, and the admin itself lets only staff in",
}


# --- Asking as each viewer (the scene: tests/security/conftest.py) -------------------


def _viewer(scene: Scene, route: Route, viewer: str) -> User | None:
    if viewer == "anonymous":
        return None
    return getattr(scene, route.owner if viewer == "owner" else viewer)


def _route_cases():
    for name in ROUTES:
        for viewer in VIEWERS:
            marks = []
            if (name, viewer) in HOLES:
                marks.append(pytest.mark.xfail(strict=True, reason=HOLES[(name, viewer)]))
            yield pytest.param(name, viewer, marks=marks, id=f"{name}-{viewer}")


@pytest.mark.parametrize(("name", "viewer"), list(_route_cases()))
def test_route_answers_each_viewer_as_the_table_says(client, scene, name, viewer):
    route = ROUTES[name]
    person = _viewer(scene, route, viewer)
    if person is not None:
        sign_in_for_admin(client, person)
    url = reverse(name, kwargs=route.kwargs(scene))

    response = client.get(url) if route.post is None else client.post(url, route.post)

    assert _answer(response) == route.expect[viewer], f"{viewer} at {url}"
    if route.serves_file and _answer(response) == OK:
        assert b"".join(response.streaming_content) == PDF


def _answer(response):
    if response.status_code == 302:
        login = reverse("account_login")
        return LOGIN if response["Location"].startswith(login) else REDIRECT
    return response.status_code


# A signed link whose token was tampered with opens nothing, whoever follows it.
TAMPERED: dict[str, dict] = {
    "outbox:unsubscribe": everyone(BAD_REQUEST),
    "projects:hours-decide": everyone(BAD_REQUEST),
    "events:feed": everyone(NOT_FOUND),
    "partners:invitation-accept": signed_in(BAD_REQUEST),
}


@pytest.mark.parametrize(
    ("name", "viewer"), [(name, viewer) for name in TAMPERED for viewer in VIEWERS]
)
def test_signed_link_with_a_tampered_token_opens_nothing(client, scene, name, viewer):
    route = ROUTES[name]
    person = _viewer(scene, route, viewer)
    if person is not None:
        sign_in_for_admin(client, person)
    token = route.kwargs(scene)["token"]
    tampered = token[:-2] + ("AA" if not token.endswith("AA") else "BB")

    response = client.get(reverse(name, kwargs={"token": tampered}))

    assert _answer(response) == TAMPERED[name][viewer]


# --- The table covers the URLconf -------------------------------------------------------


@dataclass
class FoundRoute:
    name: str
    pattern: str
    parameters: set[str] = field(default_factory=set)


def _walk(patterns, prefix="", namespace="", parameters=frozenset()) -> Iterator[FoundRoute]:
    for entry in patterns:
        here = prefix + str(entry.pattern)
        found = parameters | _parameters(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = namespace
            if entry.namespace:
                inner = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, here, inner, found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<unnamed {here}>"
            yield FoundRoute(name=name, pattern=here, parameters=set(found))


def _parameters(pattern) -> frozenset[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return frozenset(converters)
    regex = getattr(pattern, "_regex", "")
    return frozenset(re.compile(regex).groupindex) if isinstance(regex, str) else frozenset()


def _routes_with_parameters() -> dict[str, FoundRoute]:
    return {
        route.name: route
        for route in _walk(get_resolver().url_patterns)
        if route.parameters
        and not any(route.pattern.startswith(prefix) for prefix in EXCLUDED_PREFIXES)
    }


def test_every_route_with_a_parameter_is_in_the_table():
    found = _routes_with_parameters()

    missing = sorted(f"{r.name} ({r.pattern})" for r in found.values() if r.name not in ROUTES)
    assert missing == [], f"Add these routes to ROUTES with what each viewer gets: {missing}"


def test_the_table_names_only_routes_that_exist():
    found = _routes_with_parameters()

    assert sorted(set(ROUTES) - set(found)) == []


def test_the_walk_finds_the_signed_links_and_the_file_downloads():
    found = _routes_with_parameters()

    assert {
        "account_confirm_email",
        "outbox:unsubscribe",
        "projects:hours-decide",
        "events:feed",
        "partners:challenge-attachment",
        "projects:handover_product_file",
    } <= set(found)


# --- Admin actions by staff without the coordinator role --------------------------------

# Every action each ModelAdmin offers a coordinator, by model. A staff account with another
# role runs none of them, whatever model permissions its groups give it.
ADMIN_ACTIONS: dict[str, tuple[str, ...]] = {
    "auth.Group": ("delete_selected",),
    "account.EmailAddress": ("delete_selected", "make_verified"),
    # Linked institution accounts (SURFconext): superusers may unlink one by hand.
    "socialaccount.SocialAccount": ("delete_selected",),
    # allauth.mfa's authenticators: removing a lost app lets its owner set up a new one.
    "mfa.Authenticator": ("delete_selected",),
    # Accounts are erased, never deleted: deleting would take places and history with them.
    "accounts.User": ("erase_accounts",),
    "accounts.Institution": ("delete_selected",),
    "accounts.StudentProfile": ("delete_selected",),
    "accounts.ResearcherProfile": ("delete_selected",),
    # Read-only: the retention job writes and clears these rows.
    "accounts.ErasureFailure": (),
    "outbox.Message": ("resend",),
    "outbox.Reminder": ("resend",),
    "outbox.ReminderPause": (),
    "outbox.OptOut": (),
    "partners.OpLocatieOpening": (),
    "partners.Organisation": ("delete_selected", "verify_selected"),
    "partners.Membership": (),
    "partners.JoinRequest": ("delete_selected",),
    "partners.Invitation": ("delete_selected",),
    "partners.Theme": ("delete_selected",),
    "partners.Neighbourhood": ("delete_selected",),
    "partners.Challenge": (
        "delete_selected",
        "take_in_review_challenges",
        "accept_challenges",
        "ask_info_challenges",
        "decline_challenges",
        "start_challenges",
        "close_challenges",
        "export_csv",
        "export_xlsx",
    ),
    # Redacting words that name someone, by hand when asked (lerenmetdestad/admin_redaction.py).
    "partners.ChallengeMessage": ("redact_text",),
    "partners.ChallengeLogEntry": ("redact_text",),
    "projects.Project": ("export_csv", "export_xlsx"),
    "projects.Cohort": (
        "open_cohorts",
        "close_cohorts",
        "start_cohorts",
        "hand_over_cohorts",
        "complete_cohorts",
        "cancel_cohorts",
        "merge_cohorts",
        "export_roster",
        "export_csv",
        "export_xlsx",
    ),
    "projects.CohortLogEntry": ("redact_text",),
    "projects.Enrolment": ("mark_vog_checked", "undo_vog_check"),
    "projects.HandoverDossier": ("approve_dossiers", "ask_changes_dossiers"),
    "projects.Reflection": (),
    "projects.PartnerFeedback": (),
    "projects.HoursEntry": ("export_csv", "export_xlsx"),
    "projects.AcademicPeriod": ("delete_selected",),
    "events.Event": (
        "publish_events",
        "close_registration_events",
        "hold_events",
        "close_events",
        "cancel_events",
        "export_registrations",
        "build_schedule",
        "publish_schedule",
    ),
    "events.Registration": ("check_in_registrations", "export_csv", "export_xlsx"),
    "events.FollowUp": (),
    "events.EventLogEntry": ("redact_text",),
    "matching.AllocationRun": ("publish_runs", "discard_runs"),
}

# A staff account with another role (partner, researcher) in the Coordinators group is meant
# to run nothing: the role decides (tests/matching/test_allocation_runs.py). These admins are
# plain ModelAdmins that go by the group's model permissions alone.
ADMIN_HOLES: dict[tuple[str, str], str] = {}


def _admin_cases():
    for label, actions in ADMIN_ACTIONS.items():
        for action in actions:
            marks = []
            if (label, action) in ADMIN_HOLES:
                marks.append(pytest.mark.xfail(strict=True, reason=ADMIN_HOLES[(label, action)]))
            yield pytest.param(label, action, marks=marks, id=f"{label}-{action}")


def _offered_actions() -> dict[str, set[str]]:
    """What each registered ModelAdmin offers someone who may do everything."""
    everything = User.objects.create(
        email="alles@lerenmetdestad.nl",
        name="Alles",
        role=Role.COORDINATOR,
        is_staff=True,
        is_superuser=True,
    )
    request = RequestFactory().get("/beheer/")
    request.user = everything
    return {
        model._meta.label: set(model_admin.get_actions(request))
        for model, model_admin in admin.site._registry.items()
    }


def test_every_admin_action_is_in_the_table(scene):
    offered = {
        (label, action) for label, actions in _offered_actions().items() for action in actions
    }
    listed = {(label, action) for label, actions in ADMIN_ACTIONS.items() for action in actions}

    missing, gone = sorted(offered - listed), sorted(listed - offered)
    assert missing == [], f"Add these actions to ADMIN_ACTIONS: {missing}"
    assert gone == [], f"These actions are no longer offered, take them out: {gone}"
    assert set(ADMIN_ACTIONS) == {model._meta.label for model in admin.site._registry}


def _database_checksum() -> str:
    """A digest of every row of every table but the sessions, which signing in writes."""
    digest = hashlib.sha256()
    for model in apps.get_models(include_auto_created=True):
        if model is Session:
            continue
        rows = model._default_manager.order_by("pk").values_list()
        digest.update(f"{model._meta.db_table}:{list(rows)!r}".encode())
    return digest.hexdigest()


def _action_options(html: str) -> set[str]:
    select = re.search(r'<select name="action".*?</select>', html, re.S)
    return set(re.findall(r'<option value="([^"]+)"', select.group(0))) if select else set()


@pytest.mark.parametrize(("label", "action"), list(_admin_cases()))
def test_admin_action_is_refused_to_staff_without_the_coordinator_role(
    client, scene, label, action
):
    staff = User.objects.get(name="Stef Staf")
    model = apps.get_model(label)
    changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    selected = [str(pk) for pk in model._default_manager.values_list("pk", flat=True)]
    assert selected, f"the scene has no {label} to act on"
    sign_in_for_admin(client, staff)
    listing = client.get(changelist)
    before = _database_checksum()

    response = client.post(
        changelist,
        {
            "action": action,
            "_selected_action": selected,
            "index": "0",
            # What confirmation steps post, so an action that was let through would finish.
            "post": "yes",
            "apply": "1",
            "confirm": "1",
        },
    )

    offered = listing.status_code == 200 and action in _action_options(listing.content.decode())
    assert {
        "offered": offered,
        "refused": _refused(response),
        "wrote": _database_checksum() != before,
    } == {"offered": False, "refused": True, "wrote": False}


def _refused(response) -> bool:
    """403; or the changelist again, by redirect or as it is, because there was no such action
    to run (never a confirmation page, never a download)."""
    if response.status_code in (302, 403):
        return True
    return (
        response.status_code == 200
        and "Content-Disposition" not in response
        and [t.name for t in response.templates][:1] == ["admin/change_list.html"]
    )
