"""The access proof: nobody reaches what is not theirs, derived from the code.

Every route of the URLconf (with its parameters filled from one scene), every registered
admin model (changelist, add, change, delete, history, and the same pages posted), every
admin action and the admin's own pages are asked by eleven viewers, and every answer must
keep the security policies (tests/security/policies.py). The table below lists
only what each viewer is allowed; everything else must be refused: a login redirect, 403 or
404, with nothing of the scene's private data in the body, and, for a request that would
change something, every table's digest unchanged. A route, admin model or action the table
does not mention fails the proof, and so does a table entry for one that no longer exists.

State-changing routes are posted with a body that works for the person allowed (shown by
what it writes for them), so a refusal means the view said no, not that the form was empty.

The whole proof runs in one test per viewer over one scene (tests/security/conftest.py),
each request in a savepoint of its own that is rolled back.
"""

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.security.policies import policy_offences
from tests.security.proof_engine import (
    BAD_REQUEST,
    LOGIN,
    NOT_FOUND,
    OK,
    REDIRECT,
    REFUSALS,
    FoundRoute,
    ask,
    form_body,
    table_digests,
    walk,
)
from tests.security.scene import PDF, Scene
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# --- The viewers ------------------------------------------------------------------------

# Viewer → the Scene attribute of that person (None: nobody signed in).
PEOPLE: dict[str, str | None] = {
    "anonymous": None,
    # The student in the group the scene's pages are about, and one of the other group.
    "student": "team_student",
    "other_group_student": "other_group_student",
    # A plain member and the administrator of the organisation that owns the project.
    "member": "member",
    "org_admin": "partner",
    "other_partner": "other_partner",
    # The researcher whose registration, seats and follow-up these are, and one who is not
    # registered nor seated with them.
    "researcher": "registrant",
    "unseated_researcher": "researcher",
    "staff": "staff",
    "coordinator": "coordinator",
    "superuser": "superuser",
}
VIEWERS = tuple(PEOPLE)
STAFF_VIEWERS = ("staff", "coordinator", "superuser")
MANAGERS = ("coordinator", "superuser")
# The organisation that owns the scene's challenges and project, and every partner account.
OWNING = ("member", "org_admin")
PARTNERS = (*OWNING, "other_partner")


def everyone(answer=OK) -> dict:
    return dict.fromkeys(VIEWERS, answer)


def signed_in(answer=OK) -> dict:
    return {viewer: answer for viewer in VIEWERS if viewer != "anonymous"}


def only(*viewers: str, answer=OK) -> dict:
    return dict.fromkeys(viewers, answer)


@dataclass(frozen=True)
class Case:
    """One route asked one way: GET, or POST with a body that works for who is allowed."""

    allowed: dict
    kwargs: Callable[[Scene], dict] = lambda s: {}
    # For a route without a name (the admin's catch-all): the address to ask.
    url: str = ""
    post: Callable[[Scene], dict] | None = None
    query: str = ""
    serves_file: bool = False
    # For a posted case: the viewers whose post does its work and writes; every other
    # viewer's post, allowed in or not, must leave every table as it was.
    writes: tuple[str, ...] = ()
    why: str = ""


# --- The table of the site's routes ------------------------------------------------------

ROUTES: dict[str, Case] = {
    # Public pages, and the sign-in pages everyone may open (signed-in people are sent on).
    "home": Case(everyone()),
    "accessibility": Case(everyone()),
    "privacy": Case(everyone()),
    "healthz": Case(everyone()),
    "partners:themes": Case(everyone()),
    "partners:theme": Case(everyone(), kwargs=lambda s: {"slug": s.theme.slug}),
    "partners:organisation-public": Case(
        everyone(), kwargs=lambda s: {"slug": s.organisation.slug}
    ),
    "partners:op-locatie": Case(everyone()),
    "partners:op-locatie-question": Case(
        only(*MANAGERS), why="Coordinators take in what residents ask at Op Locatie."
    ),
    "projects:knowledge": Case(everyone()),
    "projects:list": Case(everyone()),
    "projects:detail": Case(everyone(), kwargs=lambda s: {"slug": s.project.slug}),
    "events:list": Case(everyone()),
    "events:detail": Case(everyone(), kwargs=lambda s: {"slug": s.event.slug}),
    "events:event-ics": Case(everyone(), kwargs=lambda s: {"slug": s.event.slug}),
    "account_login": Case(only("anonymous") | signed_in(REDIRECT)),
    "account_signup": Case(only("anonymous") | signed_in(REDIRECT)),
    "account_logout": Case(everyone(REDIRECT) | signed_in(OK)),
    "account_inactive": Case(everyone()),
    "account_reauthenticate": Case(signed_in()),
    "account_email": Case(signed_in()),
    "account_email_verification_sent": Case(everyone()),
    "account_confirm_login_code": Case(signed_in(REDIRECT)),
    "account_change_password": Case(signed_in()),
    "account_set_password": Case(signed_in(REDIRECT)),
    "account_reset_password": Case(everyone()),
    "account_reset_password_done": Case(everyone()),
    "account_reset_password_from_key_done": Case(everyone()),
    "openid_connect_login": Case(everyone(NOT_FOUND)),
    "openid_connect_callback": Case(everyone(NOT_FOUND)),
    "socialaccount_signup": Case({}, why="Only in the middle of an institution login."),
    "socialaccount_login_cancelled": Case(everyone()),
    "socialaccount_login_error": Case(everyone(401), why="allauth's page for a failed login."),
    "socialaccount_connections": Case(signed_in()),
    # The links in mails: the key or token is the proof of who is asking.
    "account_confirm_email": Case(everyone(), kwargs=lambda s: {"key": s.email_key}),
    "account_reset_password_from_key": Case(
        everyone(REDIRECT),
        kwargs=lambda s: {"uidb36": s.reset_uidb36, "key": s.reset_key},
        why="allauth swaps the key from the mail for one kept in the session, then redirects.",
    ),
    "outbox:unsubscribe": Case(everyone(), kwargs=lambda s: {"token": s.unsubscribe_token}),
    "projects:hours-decide": Case(everyone(), kwargs=lambda s: {"token": s.hours_token}),
    "events:feed": Case(
        everyone(),
        kwargs=lambda s: {"token": s.feed.token},
        why="Calendar programs fetch the feed without cookies; the token is the only key.",
    ),
    "partners:invitation-accept": Case(
        signed_in(),
        kwargs=lambda s: {"token": s.invitation_token},
        why="The link shows what it invites to; anyone but the invitee reads why they "
        "cannot accept it.",
    ),
    # Two steps: each person's own app and recovery codes. In the scene only staff have an
    # app (they cannot enter the admin without one); the others are sent to set one up or
    # told there is nothing to show.
    "mfa_index": Case(signed_in()),
    "mfa_activate_totp": Case(signed_in(REDIRECT)),
    "mfa_deactivate_totp": Case(only(*STAFF_VIEWERS)),
    "mfa_authenticate": Case(signed_in(REDIRECT), why="Only halfway through a login."),
    "mfa_reauthenticate": Case(signed_in(REDIRECT) | only(*STAFF_VIEWERS)),
    "mfa_view_recovery_codes": Case(only(*STAFF_VIEWERS)),
    "mfa_generate_recovery_codes": Case(signed_in(REDIRECT) | only(*STAFF_VIEWERS)),
    "mfa_download_recovery_codes": Case(only(*STAFF_VIEWERS)),
    # Everyone's own pages.
    "accounts:dashboard": Case(signed_in()),
    "accounts:profile": Case(signed_in()),
    "accounts:my-data": Case(signed_in()),
    "accounts:my-data-download": Case(signed_in()),
    "accounts:erase": Case(signed_in()),
    "outbox:preferences": Case(signed_in()),
    "projects:mine": Case(signed_in()),
    "projects:csl-record": Case(
        only("student", "other_group_student", "superuser"),
        why="A student's record of their places; a superuser holds every permission.",
    ),
    "projects:todo": Case(
        {v: OK for v in VIEWERS if v not in ("anonymous", "student", "other_group_student")},
        why="What partners, researchers and coordinators have to do; students have /mijn/.",
    ),
    "projects:rank": Case(signed_in()),
    "events:mine": Case(signed_in()),
    "events:calendar-feed": Case(signed_in()),
    "partners:my-organisations": Case(
        signed_in() | only(*PARTNERS, answer=REDIRECT),
        why="A member goes straight to their organisation.",
    ),
    "partners:organisation-create": Case(
        only(*PARTNERS, "staff", "superuser"), why="Partner accounts start organisations."
    ),
    "partners:organisation-search": Case(only(*PARTNERS, "staff", "superuser")),
    # An organisation's pages: its members.
    "partners:organisation": Case(
        only(*OWNING, *MANAGERS), kwargs=lambda s: {"slug": s.organisation.slug}
    ),
    "partners:members": Case(
        only(*OWNING, *MANAGERS), kwargs=lambda s: {"slug": s.organisation.slug}
    ),
    "partners:challenge-create": Case(
        only(*OWNING, *MANAGERS), kwargs=lambda s: {"slug": s.organisation.slug}
    ),
    "partners:challenge": Case(
        only(*OWNING, *MANAGERS), kwargs=lambda s: {"pk": s.draft_challenge.pk}
    ),
    "partners:challenge-edit": Case(
        only(*OWNING, "superuser") | only("coordinator", answer=REDIRECT),
        kwargs=lambda s: {"pk": s.draft_challenge.pk},
        why="A draft is the organisation's to write; a coordinator is sent back to it.",
    ),
    "partners:challenge-attachment": Case(
        only(*OWNING, *MANAGERS),
        kwargs=lambda s: {"pk": s.draft_challenge.pk, "attachment_pk": s.attachment.pk},
        serves_file=True,
        why="Attachments are never public files.",
    ),
    "partners:op-locatie-questions": Case(only(*MANAGERS)),
    # A group's pages: its team, the project's partners, coordinators.
    "projects:team": Case(
        only("student", *OWNING, *MANAGERS), kwargs=lambda s: {"cohort_pk": s.cohort.pk}
    ),
    "projects:applicant_ranking": Case(
        only(*OWNING, *MANAGERS), kwargs=lambda s: {"slug": s.project.slug}
    ),
    "projects:reflection": Case(only("student"), kwargs=lambda s: {"pk": s.place.pk}),
    "projects:hours": Case(only("student"), kwargs=lambda s: {"pk": s.place.pk}),
    "projects:feedback": Case(
        only(*OWNING),
        kwargs=lambda s: {"cohort_pk": s.cohort.pk, "organisation_pk": s.organisation.pk},
    ),
    "projects:handover": Case(
        only("student", *OWNING, *MANAGERS), kwargs=lambda s: {"cohort_pk": s.cohort.pk}
    ),
    "projects:handover_decide": Case(
        only(*OWNING, *MANAGERS), kwargs=lambda s: {"cohort_pk": s.cohort.pk}
    ),
    "projects:handover_product_file": Case(
        only("student", *OWNING, *MANAGERS),
        kwargs=lambda s: {"cohort_pk": s.cohort.pk, "product_pk": s.product.pk},
        serves_file=True,
        why="A product that is not public is the dossier's readers' only.",
    ),
    # Meet & Match: the registrant's own pages, and the coordinators'.
    "events:register": Case(signed_in(), kwargs=lambda s: {"slug": s.event.slug}),
    "events:my-schedule": Case(only("researcher"), kwargs=lambda s: {"slug": s.event.slug}),
    "events:my-schedule-ics": Case(only("researcher"), kwargs=lambda s: {"slug": s.event.slug}),
    "events:follow-ups": Case(only("researcher"), kwargs=lambda s: {"slug": s.event.slug}),
    "events:check-in": Case(only(*MANAGERS), kwargs=lambda s: {"slug": s.event.slug}),
    "events:schedule-grid": Case(only(*MANAGERS), kwargs=lambda s: {"slug": s.event.slug}),
    "events:schedule-edit": Case(only(*MANAGERS), kwargs=lambda s: {"slug": s.event.slug}),
    # The coordinators' pages.
    "coordination:dashboard": Case(only(*MANAGERS)),
    "coordination:impact-current": Case(only(*MANAGERS, answer=REDIRECT)),
    "coordination:impact": Case(only(*MANAGERS), kwargs=lambda s: {"first": 2025, "second": 2026}),
    "coordination:export": Case(
        only(*MANAGERS), kwargs=lambda s: {"kind": "groepen", "file_format": "csv"}
    ),
    "coordination:audit": Case(only(*MANAGERS)),
    # --- Posted, with a body that does its work for who is allowed ---
    "set-language POST": Case(
        everyone(REDIRECT),
        post=lambda s: {"language": "en", "next": "/"},
        writes=tuple(v for v in VIEWERS if v != "anonymous"),
        why="Switching language; a signed-in person's choice is kept in their profile.",
    ),
    "partners:challenge-submit POST": Case(
        only(*OWNING, *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"pk": s.draft_challenge.pk},
        post=lambda s: {"action": "submit", "version": str(s.draft_challenge.version)},
        writes=OWNING,
    ),
    "partners:challenge-message POST": Case(
        only(*OWNING, *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"pk": s.draft_challenge.pk},
        post=lambda s: {"body": "Wanneer kunnen we beginnen?"},
        writes=(*OWNING, *MANAGERS),
    ),
    "partners:invitation-create POST": Case(
        only("org_admin", *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"slug": s.organisation.slug},
        post=lambda s: {"email": "nieuw@bibliotheek.example.org", "role": "member"},
        writes=("org_admin", *MANAGERS),
    ),
    "partners:join-request POST": Case(
        only(*PARTNERS, "staff", "superuser", answer=REDIRECT),
        kwargs=lambda s: {"slug": s.organisation.slug},
        post=lambda s: {"message": "Ik werk hier ook."},
        writes=("other_partner", "staff", "superuser"),
        why="Any partner account may ask to join a public organisation; a member is told "
        "they already are one.",
    ),
    "partners:join-request-decide POST": Case(
        only("org_admin", *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"slug": s.organisation.slug, "pk": s.join_request.pk},
        post=lambda s: {"decision": "accept"},
        writes=("org_admin", *MANAGERS),
    ),
    "partners:membership-remove POST": Case(
        only("org_admin", *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"slug": s.organisation.slug, "pk": s.colleague_membership.pk},
        post=lambda s: {},
        writes=("org_admin", *MANAGERS),
    ),
    "partners:membership-role POST": Case(
        only("org_admin", *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"slug": s.organisation.slug, "pk": s.colleague_membership.pk},
        post=lambda s: {"role": "admin"},
        writes=("org_admin", *MANAGERS),
    ),
    "projects:join POST": Case(
        signed_in(REDIRECT),
        kwargs=lambda s: {"cohort_pk": s.open_cohort.pk},
        post=lambda s: {"motivation": "Ik wil graag meedoen."},
        writes=("student",),
        why="An open group is anyone's to join; the service refuses who may not, with a message.",
    ),
    "projects:decide POST": Case(
        only(*OWNING, *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"pk": s.application.pk},
        post=lambda s: {"decision": "accept"},
        writes=(*OWNING, *MANAGERS),
    ),
    "projects:withdraw POST": Case(
        only("student", answer=REDIRECT),
        kwargs=lambda s: {"pk": s.place.pk},
        post=lambda s: {},
        writes=("student",),
    ),
    "projects:handover_product_add POST": Case(
        only("student", answer=REDIRECT) | only(*OWNING, *MANAGERS, answer=BAD_REQUEST),
        kwargs=lambda s: {"cohort_pk": s.cohort.pk},
        post=lambda s: {"title": "Draaiboek", "url": "https://example.org/draaiboek"},
        writes=("student",),
        why="The dossier's readers see it, with the message that only the team adds to it.",
    ),
    "projects:handover_product_remove POST": Case(
        only("student", *OWNING, *MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"cohort_pk": s.cohort.pk, "product_pk": s.product.pk},
        post=lambda s: {},
        writes=("student",),
    ),
    "events:cancel POST": Case(
        only("researcher", answer=REDIRECT),
        kwargs=lambda s: {"pk": s.registration.pk},
        post=lambda s: {},
        writes=("researcher",),
    ),
    "events:calendar-feed-reset POST": Case(
        signed_in(REDIRECT), post=lambda s: {}, writes=tuple(VIEWERS[1:])
    ),
    "events:follow-up-record POST": Case(
        only("researcher"),
        kwargs=lambda s: {"slug": s.event.slug, "meeting_pk": s.meeting.pk},
        post=lambda s: {"note": "Goed gesprek."},
        why="Before the event the owner's page comes back saying follow-ups come later.",
    ),
    "events:follow-up-to-challenge POST": Case(
        only("researcher", answer=REDIRECT),
        kwargs=lambda s: {"slug": s.event.slug, "pk": s.follow_up.pk},
        post=lambda s: {},
    ),
    "events:follow-up-link POST": Case(
        only("researcher", answer=REDIRECT),
        kwargs=lambda s: {"slug": s.event.slug, "pk": s.follow_up.pk},
        post=lambda s: {},
    ),
}


# --- The admin --------------------------------------------------------------------------

# The pages of a registered admin: asked (GET) and posted (POST) forms.
ADMIN_PAGES = ("changelist", "add", "change", "history", "delete")
ADMIN_POSTS = ("create", "save", "remove")
EVERYTHING = "changelist add change history delete create save remove"
READ = "changelist change history"
# Read-only lists whose change page runs an action (redacting words) from the form.
READ_AND_ACT = "changelist change history save"
# Rows made and ended through their state, never added here or deleted.
NO_DELETE = "changelist add change history create save"


def managers(pages: str, superuser: str | None = None) -> dict[str, str]:
    return {"coordinator": pages, "superuser": superuser or pages}


# What each viewer may open and post on each registered admin. Nobody else gets anything:
# staff with another role are refused at the door, whatever their groups.
ADMIN: dict[str, dict[str, str]] = {
    # Coordinators look at accounts and erase them on request; only superusers change
    # them, because an address, a password or a flag there hands over the account.
    "accounts.User": managers(READ, superuser=EVERYTHING),
    "accounts.Institution": managers(EVERYTHING),
    "accounts.StudentProfile": managers(EVERYTHING),
    "accounts.ResearcherProfile": managers(EVERYTHING),
    "accounts.ErasureFailure": managers(READ),
    # Rights, addresses and linked logins: superusers only.
    "auth.Group": {"superuser": EVERYTHING},
    "account.EmailAddress": {"superuser": EVERYTHING},
    "socialaccount.SocialAccount": {"superuser": EVERYTHING},
    "mfa.Authenticator": {"superuser": EVERYTHING},
    "outbox.Message": managers(READ),
    "outbox.Reminder": managers(READ),
    "outbox.ReminderPause": managers("changelist add change history delete create remove"),
    "outbox.OptOut": managers(READ),
    "partners.ChallengeMessage": managers(READ_AND_ACT),
    "partners.ChallengeLogEntry": managers(READ_AND_ACT),
    "partners.OpLocatieOpening": managers(EVERYTHING),
    "partners.Organisation": managers(EVERYTHING),
    "partners.Membership": managers(READ),
    "partners.JoinRequest": managers("changelist change history delete remove"),
    "partners.Invitation": managers("changelist change history delete remove"),
    "partners.Theme": managers(EVERYTHING),
    "partners.Neighbourhood": managers(EVERYTHING),
    "partners.Challenge": managers(EVERYTHING),
    "projects.Project": managers(NO_DELETE),
    "projects.Cohort": managers(NO_DELETE),
    "projects.Enrolment": managers(READ_AND_ACT),
    "projects.HandoverDossier": managers(READ_AND_ACT),
    "projects.Reflection": managers(READ),
    "projects.PartnerFeedback": managers(READ),
    "projects.HoursEntry": managers(READ),
    "projects.CohortLogEntry": managers(READ_AND_ACT),
    "projects.AcademicPeriod": managers(EVERYTHING),
    "events.Event": managers(NO_DELETE),
    "events.Registration": managers(READ_AND_ACT),
    "events.FollowUp": managers(READ),
    "events.EventLogEntry": managers(READ_AND_ACT),
    "matching.AllocationRun": managers(EVERYTHING),
}

BOTH = MANAGERS
# Every action each admin offers, and who may run it.
ADMIN_ACTIONS: dict[str, dict[str, tuple[str, ...]]] = {
    "auth.Group": {"delete_selected": ("superuser",)},
    "account.EmailAddress": {"delete_selected": ("superuser",), "make_verified": ("superuser",)},
    "socialaccount.SocialAccount": {"delete_selected": ("superuser",)},
    "mfa.Authenticator": {"delete_selected": ("superuser",)},
    # Accounts are erased, never deleted: deleting would take places and history with them.
    "accounts.User": {"erase_accounts": BOTH},
    "accounts.Institution": {"delete_selected": BOTH},
    "accounts.StudentProfile": {"delete_selected": BOTH},
    "accounts.ResearcherProfile": {"delete_selected": BOTH},
    "accounts.ErasureFailure": {},
    "outbox.Message": {"resend": BOTH},
    "outbox.Reminder": {"resend": BOTH},
    "outbox.ReminderPause": {},
    "outbox.OptOut": {},
    "partners.OpLocatieOpening": {},
    "partners.Organisation": {"delete_selected": BOTH, "verify_selected": BOTH},
    "partners.Membership": {},
    "partners.JoinRequest": {"delete_selected": BOTH},
    "partners.Invitation": {"delete_selected": BOTH},
    "partners.Theme": {"delete_selected": BOTH},
    "partners.Neighbourhood": {"delete_selected": BOTH},
    "partners.Challenge": dict.fromkeys(
        (
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
        BOTH,
    ),
    "partners.ChallengeMessage": {"redact_text": BOTH},
    "partners.ChallengeLogEntry": {"redact_text": BOTH},
    "projects.Project": {"export_csv": BOTH, "export_xlsx": BOTH},
    "projects.Cohort": dict.fromkeys(
        (
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
        BOTH,
    ),
    "projects.CohortLogEntry": {"redact_text": BOTH},
    "projects.Enrolment": {"mark_vog_checked": BOTH, "undo_vog_check": BOTH},
    "projects.HandoverDossier": {"approve_dossiers": BOTH, "ask_changes_dossiers": BOTH},
    "projects.Reflection": {},
    "projects.PartnerFeedback": {},
    "projects.HoursEntry": {"export_csv": BOTH, "export_xlsx": BOTH},
    "projects.AcademicPeriod": {"delete_selected": BOTH},
    "events.Event": dict.fromkeys(
        (
            "publish_events",
            "close_registration_events",
            "hold_events",
            "close_events",
            "cancel_events",
            "export_registrations",
            "build_schedule",
            "publish_schedule",
        ),
        BOTH,
    ),
    "events.Registration": dict.fromkeys(
        ("check_in_registrations", "export_csv", "export_xlsx"), BOTH
    ),
    "events.FollowUp": {},
    "events.EventLogEntry": {"redact_text": BOTH},
    "matching.AllocationRun": {"publish_runs": BOTH, "discard_runs": BOTH},
}


# --- Asking -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browsers(scene) -> dict[str, Client]:
    """One signed-in browser per viewer, for the whole module."""
    found = {}
    for viewer, attribute in PEOPLE.items():
        browser = Client()
        if attribute is not None:
            person = getattr(scene, attribute)
            if viewer in STAFF_VIEWERS:
                sign_in_for_admin(browser, person)
            else:
                browser.force_login(person)
        found[viewer] = browser
    return found


def _private_words(scene: Scene, viewer: str) -> set[str]:
    """What a refusal must not show: other people's names and addresses, and what only the
    owners wrote (the draft, its file, the dossier, the reflection, the motivation)."""
    own = getattr(scene, PEOPLE[viewer]) if PEOPLE[viewer] else None
    people = [getattr(scene, a) for a in PEOPLE.values() if a] + [scene.applicant, scene.invitee]
    words = {
        scene.draft_challenge.title,
        "plattegrond.pdf",
        "Wij lazen voor aan kinderen in de wijk.",
        "Luisteren.",
        "Graag!",
        PDF.decode(errors="replace")[:8],
    }
    for person in people:
        if own is None or person.pk != own.pk:
            words |= {person.name, person.email}
    return words


def _refused(asked, private: set[str]) -> list[str]:
    """Why this answer is not a refusal, or [] when it is one."""
    problems = []
    if asked.answer not in REFUSALS:
        problems.append(f"answered {asked.answer}")
    shown = sorted(word for word in private if word and word in asked.body)
    if shown:
        problems.append(f"showed {shown}")
    if asked.wrote:
        problems.append(f"wrote {asked.wrote}")
    return problems


DISCOVER = os.environ.get("ACCESS_PROOF_DISCOVER")


def _site_cases(scene: Scene) -> list[tuple[str, str, str, dict | None, Case]]:
    cases = []
    for key, case in ROUTES.items():
        name, _, method = key.partition(" ")
        url = reverse(name, kwargs=case.kwargs(scene)) + case.query
        body = case.post(scene) if case.post else None
        cases.append((key, method or "GET", url, body, case))
    return cases


# Routes the admin site serves besides the model pages. The admin's login and logout are
# everyone's; the rest is for those who may manage.
ADMIN_SITE: dict[str, Case] = {
    "admin:index": Case(only(*MANAGERS)),
    "admin:login": Case(only("anonymous", answer=LOGIN) | only(*MANAGERS, answer=REDIRECT)),
    "admin:logout POST": Case(
        everyone(REDIRECT) | only(*MANAGERS), post=lambda s: {}, why="Anyone may sign out."
    ),
    "admin:password_change": Case(only(*MANAGERS)),
    "admin:password_change_done": Case(only(*MANAGERS)),
    "admin:jsi18n": Case(only(*MANAGERS)),
    "admin:autocomplete": Case(
        only(*MANAGERS),
        query="?app_label=projects&model_name=cohort&field_name=project",
    ),
    "admin:view_on_site": Case(
        only(*MANAGERS, answer=REDIRECT),
        kwargs=lambda s: {"content_type_id": _content_type(s.project), "object_id": s.project.pk},
    ),
    "<beheer/(?P<url>.*)$>": Case(
        only(*MANAGERS, answer=NOT_FOUND),
        url="/beheer/geen-pagina/",
        why="An address the admin does not know says so only to those who may enter it.",
    ),
    "admin:auth_user_password_change": Case(
        only("superuser"), kwargs=lambda s: {"id": s.team_student.pk}
    ),
}


def _content_type(obj) -> int:
    return ContentType.objects.get_for_model(obj).pk


def _app_labels() -> list[str]:
    return sorted({model._meta.app_label for model in admin.site._registry})


# --- Asking every case as one viewer ----------------------------------------------------


@dataclass(frozen=True)
class Asking:
    key: str
    method: str
    url: str
    body: dict | None
    allowed: object  # the allowed answer, or None when this viewer must be refused
    case: Case | None = None
    admin: bool = False
    viewer: str = ""


def _site_askings(scene: Scene, viewer: str) -> list[Asking]:
    askings = []
    for table in (ROUTES, ADMIN_SITE):
        for key, case in table.items():
            name, _, method = key.partition(" ")
            url = case.url or reverse(name, kwargs=case.kwargs(scene)) + case.query
            body = case.post(scene) if case.post else None
            askings.append(Asking(key, method or "GET", url, body, case.allowed.get(viewer), case))
    for app_label in _app_labels():
        url = reverse("admin:app_list", kwargs={"app_label": app_label})
        allowed = OK if viewer in _app_viewers(app_label) else None
        askings.append(Asking(f"admin:app_list {app_label}", "GET", url, None, allowed))
    return askings


def _app_viewers(app_label: str) -> set[str]:
    return {
        viewer
        for label, viewers in ADMIN.items()
        if label.split(".")[0] == app_label
        for viewer, pages in viewers.items()
        if "changelist" in pages.split()
    }


def _admin_askings(scene: Scene, viewer: str, forms: dict) -> list[Asking]:
    askings = []
    for model in admin.site._registry:
        label = model._meta.label
        info = (model._meta.app_label, model._meta.model_name)
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        assert pk is not None, f"the scene has no {label} for the admin's pages"
        pages = ADMIN.get(label, {}).get(viewer, "").split()
        urls = {
            "changelist": reverse("admin:{}_{}_changelist".format(*info)),
            "add": reverse("admin:{}_{}_add".format(*info)),
            "change": reverse("admin:{}_{}_change".format(*info), args=[pk]),
            "history": reverse("admin:{}_{}_history".format(*info), args=[pk]),
            "delete": reverse("admin:{}_{}_delete".format(*info), args=[pk]),
        }
        for page in ADMIN_PAGES:
            allowed = OK if page in pages else None
            askings.append(Asking(f"{label} {page}", "GET", urls[page], None, allowed, admin=True))
        posts = {
            "create": (urls["add"], forms[label]["add"]),
            "save": (urls["change"], forms[label]["change"]),
            "remove": (urls["delete"], {"post": "yes"}),
        }
        for page, (url, body) in posts.items():
            allowed = REDIRECT if page in pages else None
            askings.append(Asking(f"{label} {page}", "POST", url, body, allowed, admin=True))
        every_pk = [str(p) for p in model._default_manager.values_list("pk", flat=True)]
        for action, viewers in ADMIN_ACTIONS.get(label, {}).items():
            body = {
                "action": action,
                "_selected_action": every_pk,
                "index": "0",
                # What the confirmation steps post, so that an action let through finishes.
                "post": "yes",
                "apply": "1",
                "confirm": "1",
            } | ACTION_FORMS.get(action, {})
            allowed = OK if viewer in viewers else None
            askings.append(
                Asking(
                    f"{label} action {action}",
                    "POST",
                    urls["changelist"],
                    body,
                    allowed,
                    admin=True,
                )
            )
    return askings


# What some actions' forms need beyond a yes.
ACTION_FORMS: dict[str, dict] = {
    "redact_text": {"words": "Welkom", "reason": "Op verzoek van de schrijver."},
    "ask_info_challenges": {"message": "Wie is de contactpersoon?"},
    "decline_challenges": {"message": "Past niet bij de opleidingen."},
    "ask_changes_dossiers": {"note": "Vul de tips voor de volgende groep aan."},
    "cancel_cohorts": {"message": "Te weinig aanmeldingen."},
}


@pytest.fixture(scope="module")
def baseline(browsers) -> dict[str, str]:
    """The tables as the scene stands, everyone signed in: what every refusal leaves."""
    return table_digests()


@pytest.fixture(scope="module")
def admin_forms(scene, browsers) -> dict:
    """Each admin's add and change form as a superuser's browser would post it back."""
    superuser = browsers["superuser"]
    forms = {}
    for model in admin.site._registry:
        info = (model._meta.app_label, model._meta.model_name)
        pk = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
        add = superuser.get(reverse("admin:{}_{}_add".format(*info)))
        change = superuser.get(reverse("admin:{}_{}_change".format(*info), args=[pk]))
        forms[model._meta.label] = {
            "add": form_body(add.content.decode()) if add.status_code == 200 else {},
            "change": form_body(change.content.decode()) if change.status_code == 200 else {},
        }
    return forms


def _judge(asking: Asking, asked, private: set[str]) -> list[str]:
    if asking.allowed is None:
        problems = _refused(asked, private)
        # An action the admin does not offer this person sends them back to the list.
        if asking.admin and "action" in asking.key and asked.answer == REDIRECT and not asked.wrote:
            problems = [p for p in problems if not p.startswith("answered")]
        return problems
    if asking.admin:
        return (
            []
            if asked.answer not in REFUSALS and asked.answer != 500
            else [f"refused: {asked.answer}"]
        )
    problems = (
        [] if asked.answer == asking.allowed else [f"answered {asked.answer}, not {asking.allowed}"]
    )
    if (
        asking.case
        and asking.case.serves_file
        and asked.answer == OK
        and PDF.decode(errors="replace") not in asked.body
    ):
        problems.append("served something else than the file")
    return problems


@pytest.mark.parametrize("viewer", VIEWERS)
def test_each_viewer_reaches_only_what_the_table_allows(
    scene, browsers, admin_forms, baseline, viewer
):
    browser = browsers[viewer]
    private = _private_words(scene, viewer)
    found = {}
    problems = []
    for asking in _site_askings(scene, viewer) + _admin_askings(scene, viewer, admin_forms):
        asked = ask(
            browser,
            asking.method,
            asking.url,
            asking.body,
            baseline=baseline if asking.method == "POST" else None,
        )
        found[asking.key] = asked.answer
        if not getattr(asked.response, "streaming", False):
            problems.extend(
                f"{asking.key} ({asking.method} {asking.url}): {offence}"
                for offence in policy_offences(asked.response)
            )
        problems.extend(
            f"{asking.key} ({asking.method} {asking.url}): {problem}"
            for problem in _judge(asking, asked, private)
        )
    if DISCOVER:
        with Path(f"{DISCOVER}-{viewer}.txt").open("w") as out:
            out.write("\n".join(f"{k}\t{v}" for k, v in found.items()))
            out.write("\n--problems--\n" + "\n".join(problems))
        return
    assert problems == []


# --- Tampered tokens --------------------------------------------------------------------

# A signed link whose token was tampered with opens nothing, whoever follows it.
TAMPERED = {
    "outbox:unsubscribe": BAD_REQUEST,
    "projects:hours-decide": BAD_REQUEST,
    "events:feed": NOT_FOUND,
    "partners:invitation-accept": BAD_REQUEST,
}


def test_a_tampered_token_opens_nothing_for_anyone(scene, browsers):
    found = {}
    for name, refusal in TAMPERED.items():
        token = ROUTES[name].kwargs(scene)["token"]
        url = reverse(name, kwargs={"token": token[:-2] + ("BB" if token.endswith("AA") else "AA")})
        for viewer in VIEWERS:
            # The invitation page sends whoever is not signed in to the login first.
            expected = (
                LOGIN if name == "partners:invitation-accept" and viewer == "anonymous" else refusal
            )
            if ask(browsers[viewer], "GET", url, None, baseline=None).answer != expected:
                found[(name, viewer)] = "opened"
    assert found == {}


# --- The table covers the code ----------------------------------------------------------


def _found_routes() -> dict[str, FoundRoute]:
    return {route.name: route for route in walk()}


def _admin_model_routes() -> set[str]:
    """The URL names (and unnamed patterns) the registered ModelAdmins serve."""
    names = set()
    for model in admin.site._registry:
        info = f"{model._meta.app_label}_{model._meta.model_name}"
        names |= {
            f"admin:{info}_{page}" for page in ("changelist", "add", "history", "delete", "change")
        }
        prefix = f"beheer/{model._meta.app_label}/{model._meta.model_name}/"
        names |= {
            route.name
            for route in walk()
            if route.name.startswith("<") and route.pattern.startswith(prefix)
        }
    return names


def _table_route_names() -> set[str]:
    return {key.partition(" ")[0] for key in (*ROUTES, *ADMIN_SITE)} | {"admin:app_list"}


def test_every_route_of_the_urlconf_is_in_the_table():
    found = set(_found_routes())

    missing = sorted(found - _table_route_names() - _admin_model_routes())
    assert missing == [], f"Say who may reach these routes in ROUTES or ADMIN_SITE: {missing}"


def test_the_table_names_only_routes_that_exist():
    assert sorted(_table_route_names() - set(_found_routes())) == []


def test_every_admin_model_and_action_is_in_the_table(scene):
    offered = {}
    request = RequestFactory().get("/beheer/")
    request.user = scene.superuser
    for model, model_admin in admin.site._registry.items():
        offered[model._meta.label] = set(model_admin.get_actions(request))
    listed = {label: set(actions) for label, actions in ADMIN_ACTIONS.items()}

    assert (set(ADMIN), listed) == (set(offered), offered)


def test_only_managers_are_ever_let_into_the_admin():
    """The table itself: nobody but coordinators and superusers is allowed an admin page."""
    outside = {
        (label, viewer)
        for label, viewers in ADMIN.items()
        for viewer in viewers
        if viewer not in MANAGERS
    } | {
        (label, viewer)
        for label, actions in ADMIN_ACTIONS.items()
        for viewers in actions.values()
        for viewer in viewers
        if viewer not in MANAGERS
    }
    assert outside == set()
