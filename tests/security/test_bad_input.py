"""Strange input on every form a person can send: never a 500, and a refusal writes nothing.

Each form below is a FormCase: its address in the scene, who is signed in, a valid payload,
and what a successful submission writes. For each form two tests run:

- the valid payload is accepted and writes what the case says it writes (so the table is
  right, and the property below is not passing only because everything is refused);
- a property test (Hypothesis, 200 examples): start from the valid payload, change one field
  toward the strange (tests/security/strange.py), post it, and check that the answer is not
  a server error and that, when the form refuses the submission, nothing was written: not
  what the case writes, and not any row of the tables people's data lives in.

Every example runs in its own transaction (Hypothesis's Django TestCase rolls back after each
one), so the examples share one scene, built once per class in setUpTestData.

Rate limits are off here: a few hundred failed logins in a row would otherwise be throttled
after five and the rest would test the throttle. tests/accounts/test_login.py tests the
throttle itself with the limits on.

Forms that send no field at all (withdraw from a group, accept an invitation, a new calendar
address, one-click unsubscribe) have nothing to vary and are left out; the admin's forms are
for staff, not public or signed-in people, and are left out too.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from types import SimpleNamespace

import pytest
from allauth.account.forms import default_token_generator
from allauth.account.models import EmailAddress
from allauth.account.utils import user_pk_to_url_str
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.socialaccount.models import SocialAccount, SocialLogin
from django.conf import settings as django_settings
from django.contrib.messages import ERROR, get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from accounts.enums import InstitutionKind, Language, Position, Role
from accounts.models import ResearcherProfile, StudentProfile, User
from events.enums import EventState, RoleAtEvent
from events.models import Event, FollowUp, Meeting, MeetingSeat, Registration
from events.services.schedule import schedule_publish, schedule_save
from lerenmetdestad.sso import SURFCONEXT_PROVIDER_ID, surfconext_providers
from outbox.enums import OPTIONAL_KINDS
from outbox.models import Message, OptOut
from partners.enums import ChallengeState, MembershipRole, OrganisationKind, ResidentInvolvement
from partners.models import (
    Challenge,
    ChallengeAttachment,
    ChallengeMessage,
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
)
from projects.enums import AdmissionMode, CohortState, DossierState, EnrolmentState
from projects.models import (
    ApplicantRank,
    CohortPreference,
    Enrolment,
    HandoverDossier,
    HandoverDossierVersion,
    HandoverProduct,
    HoursEntry,
    PartnerFeedback,
    Reflection,
)
from projects.services.hours import hours_link_token
from tests.events.factories import EventFactory, RegistrationFactory
from tests.events.test_schedule_service import closed_event, four_way
from tests.factories import (
    PASSWORD,
    CoordinatorFactory,
    NeighbourhoodFactory,
    PartnerMemberFactory,
    ResearcherFactory,
    StudentFactory,
    ThemeFactory,
)
from tests.partners.factories import (
    AdminMembershipFactory,
    JoinRequestFactory,
    MembershipFactory,
    OrganisationFactory,
)
from tests.projects.factories import ChallengeFactory, CohortFactory, EnrolmentFactory
from tests.projects.factories import ProjectFactory as _ProjectFactory
from tests.security.strange import one_field_changed

pytestmark = [pytest.mark.integration]

EXAMPLES = 200
TODAY = timezone.localdate()
NEW_PASSWORD = "nog-een-lang-wachtwoord-voor-tests"

# The tables people's data lives in: a refused submission leaves every row as it was.
# last_login is left out because signing the example's person in writes it.
WATCHED = (
    User,
    EmailAddress,
    StudentProfile,
    ResearcherProfile,
    Organisation,
    Membership,
    JoinRequest,
    Invitation,
    Challenge,
    ChallengeAttachment,
    ChallengeMessage,
    Enrolment,
    CohortPreference,
    ApplicantRank,
    HandoverDossier,
    HandoverDossierVersion,
    HandoverProduct,
    Reflection,
    HoursEntry,
    PartnerFeedback,
    Registration,
    Meeting,
    MeetingSeat,
    FollowUp,
    Message,
    OptOut,
)
NOT_WATCHED_FIELDS = {User: {"last_login"}}


def watched_rows() -> dict[str, list[dict]]:
    rows = {}
    for model in WATCHED:
        skip = NOT_WATCHED_FIELDS.get(model, set())
        names = [f.attname for f in model._meta.concrete_fields if f.attname not in skip]
        rows[model._meta.label] = list(model.objects.order_by("pk").values(*names))
    return rows


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level >= ERROR]


def redirected_without_error(response) -> bool:
    return response.status_code == 302 and not error_messages(response)


def language_cookie_set(response) -> bool:
    return django_settings.LANGUAGE_COOKIE_NAME in response.cookies


@dataclass(frozen=True)
class FormCase:
    """One form: where it is, who sends it, a valid payload and what it writes.

    `writes` reads the rows the form changes when it accepts; `accepted` tells from the
    answer whether the form took the submission (by default: a redirect with no error
    message, as our forms re-render with 200, 400 or 409, or redirect with an error, when
    they refuse).
    """

    name: str
    user: str | None
    url: Callable[[SimpleNamespace], str]
    payload: Callable[[SimpleNamespace], dict]
    writes: Callable[[SimpleNamespace], object]
    accepted: Callable[[object], bool] = redirected_without_error
    file_fields: frozenset[str] = field(default_factory=frozenset)
    # Pages behind allauth's reauthentication: the person confirms their password first.
    reauthenticate: bool = False
    # What the session holds before the form is sent (a sign-in half done elsewhere).
    session: Callable[[SimpleNamespace], dict] | None = None


def rows(model, *names, **filters):
    return list(model.objects.filter(**filters).order_by("pk").values_list(*names))


def upload(name="verslag.pdf", content=b"%PDF-1.4 een verslag"):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


# --- The scene ---------------------------------------------------------------------------


def build_scene() -> SimpleNamespace:
    """Everyone and everything the forms act on, each in the state its form needs."""
    s = SimpleNamespace()
    s.theme = ThemeFactory()
    s.neighbourhood = NeighbourhoodFactory()
    s.student = StudentFactory(name="Sanne Student", email="sanne@student.hsleiden.nl")
    s.other_student = StudentFactory(name="Sem Student")
    s.partner = PartnerMemberFactory(name="Paul Partner", email="paul@bibliotheekleiden.nl")
    s.colleague = PartnerMemberFactory(name="Carla Collega")
    s.newcomer = PartnerMemberFactory(name="Olga Ander", email="olga@woonzorg.example.org")
    s.researcher = ResearcherFactory(name="Rachid Onderzoeker", email="rachid@leidenuniv.nl")
    s.coordinator = CoordinatorFactory(name="Cora Coördinator")
    s.leaver = StudentFactory(name="Lotte Vertrekt", email="lotte@student.hsleiden.nl")
    s.linked = StudentFactory(name="Lars Gekoppeld", email="lars@student.hsleiden.nl")
    s.institution_account = SocialAccount.objects.create(
        user=s.linked, provider=SURFCONEXT_PROVIDER_ID, uid="pseudonym-of-lars"
    )

    # Paul administers the library; Carla is a member; Olga belongs nowhere yet.
    s.library = OrganisationFactory(name="Bibliotheek Leiden", slug="bibliotheek-leiden")
    AdminMembershipFactory(user=s.partner, organisation=s.library)
    s.colleague_membership = MembershipFactory(user=s.colleague, organisation=s.library)
    s.join_request = JoinRequestFactory(organisation=s.library)
    s.public_organisation = OrganisationFactory(name="Buurthuis De Kooi", is_public=True)

    s.draft = ChallengeFactory(
        organisation=s.library,
        state=ChallengeState.DRAFT,
        submitted_at=None,
        title="Ouderen ontmoeten elkaar vaker",
        question="Hoe zorgen we dat ouderen elkaar vaker zien?",
        resident_involvement=ResidentInvolvement.LOW,
    )
    s.draft.themes.add(s.theme)

    # A project of the library: groups that ended, run, take applications or rankings.
    project = _ProjectFactory(
        challenge=ChallengeFactory(organisation=s.library), title="Samen lezen", slug="samen-lezen"
    )
    project.organisations.set([s.library])
    project.lecturers.add(s.researcher)
    s.project = project
    ended = {
        "project": project,
        "state": CohortState.HANDOVER,
        "starts_on": TODAY - timedelta(days=63),
        "ends_on": TODAY - timedelta(days=7),
    }
    s.ended = CohortFactory(**ended)
    s.enrolment = EnrolmentFactory(cohort=s.ended, student=s.student)
    s.dossier = HandoverDossier.objects.create(cohort=s.ended)
    s.hours_entry = HoursEntry.objects.create(
        enrolment=s.enrolment,
        worked_on=TODAY - timedelta(days=20),
        hours=3,
        description="Gesprekken met bewoners",
    )
    s.decided = CohortFactory(**ended)
    EnrolmentFactory(cohort=s.decided, student=s.other_student)
    s.submitted_dossier = HandoverDossier.objects.create(
        cohort=s.decided,
        state=DossierState.SUBMITTED,
        summary="Wat we deden.",
        submitted_at=timezone.now(),
    )
    s.open_cohort = CohortFactory(project=project)
    s.application_cohort = CohortFactory(project=project, admission_mode=AdmissionMode.APPLICATION)
    s.application = EnrolmentFactory(
        cohort=s.application_cohort, student=s.other_student, state=EnrolmentState.APPLIED
    )
    s.preference_cohorts = CohortFactory.create_batch(
        2, project=project, admission_mode=AdmissionMode.PREFERENCE
    )
    s.applicants = StudentFactory.create_batch(2)
    for applicant in s.applicants:
        CohortPreference.objects.create(student=applicant, cohort=s.preference_cohorts[0], rank=1)

    # Meet & Match: one to register for, one to schedule by hand, one that was held.
    s.event = EventFactory(slug="meet-en-match-voorjaar")
    s.listed = RegistrationFactory(event=s.event)
    s.checked = RegistrationFactory(event=s.event, check_in_code="3FA9C1")
    s.closed, s.closed_people = closed_event()
    s.held, s.held_people = closed_event()
    s.held_people[0].person = s.researcher
    s.held_people[0].save(update_fields=["person"])
    s.held_people[0].themes.add(s.theme)
    schedule_save(event_id=s.held.pk, proposal=four_way(*s.held_people), actor=s.coordinator)
    schedule_publish(event_id=s.held.pk, actor=s.coordinator)
    starts = timezone.now() - timedelta(days=2)
    # Set up straight in the table: the event happened in the past.
    Event.objects.filter(pk=s.held.pk).update(
        state=EventState.HELD,
        starts_at=starts,
        ends_at=starts + timedelta(hours=2),
        first_round_at=starts + timedelta(minutes=30),
        registration_deadline=starts - timedelta(days=7),
    )
    s.meeting = Meeting.objects.get(event=s.held, round=1, table=1)
    # In round 2 the researcher met Carla's colleague at the library, there as a practitioner:
    # a follow-up with a note, ready to become a draft challenge or to be linked.
    practitioner = s.held_people[2]
    practitioner.role_at_event = RoleAtEvent.PRACTITIONER
    practitioner.save(update_fields=["role_at_event"])
    MembershipFactory(user=practitioner.person, organisation=s.library)
    s.library_challenge = ChallengeFactory(organisation=s.library, title="Voorlezen thuis")
    s.planned = FollowUp.objects.create(
        registration=s.held_people[0],
        meeting=Meeting.objects.get(event=s.held, round=2, table=1),
        with_person=practitioner.person,
        planned_on=TODAY + timedelta(days=14),
        note="Voorlezen bij ouderen thuis onderzoeken.",
    )
    s.own_registration = RegistrationFactory(
        event=EventFactory(slug="meet-en-match-najaar"), person=s.student, role_at_event="student"
    )
    Message.objects.all().delete()
    return s


# --- The forms ---------------------------------------------------------------------------

CASES = [
    # allauth: sign-up, login, password and email (anonymous and signed in).
    FormCase(
        name="signup",
        user=None,
        url=lambda s: "/account/aanmelden/",
        payload=lambda s: {
            "email": "nieuw@student.hsleiden.nl",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "name": "Nina Nieuw",
            "role": Role.STUDENT.value,
        },
        writes=lambda s: rows(User, "email", "name", "role") + rows(EmailAddress, "email"),
    ),
    FormCase(
        name="login",
        user=None,
        url=lambda s: "/account/inloggen/",
        payload=lambda s: {"login": s.student.email, "password": PASSWORD},
        writes=lambda s: rows(User, "last_login", pk=s.student.pk),
    ),
    FormCase(
        name="password_reset",
        user=None,
        url=lambda s: "/account/wachtwoord/vergeten/",
        payload=lambda s: {"email": s.student.email},
        writes=lambda s: rows(Message, "to_email", "kind"),
    ),
    FormCase(
        name="password_reset_from_key",
        user=None,
        # allauth moves the key from the mailed link into the session, then shows the form
        # at this address.
        url=lambda s: f"/account/wachtwoord/nieuw/{user_pk_to_url_str(s.student)}-set-password/",
        payload=lambda s: {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        writes=lambda s: rows(User, "password", pk=s.student.pk),
        session=lambda s: {"_password_reset_key": default_token_generator.make_token(s.student)},
    ),
    FormCase(
        name="password_change",
        user="student",
        url=lambda s: "/account/wachtwoord/wijzigen/",
        payload=lambda s: {
            "oldpassword": PASSWORD,
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
        writes=lambda s: rows(User, "password", pk=s.student.pk),
    ),
    FormCase(
        name="email_add",
        user="student",
        url=lambda s: "/account/e-mail/",
        payload=lambda s: {"email": "sanne.nieuw@example.org", "action_add": ""},
        writes=lambda s: rows(EmailAddress, "email"),
    ),
    FormCase(
        name="language",
        user="student",
        url=lambda s: "/taal/",
        payload=lambda s: {"language": Language.ENGLISH.value, "next": "/projecten/"},
        writes=lambda s: rows(User, "language", pk=s.student.pk),
        accepted=language_cookie_set,
    ),
    # Profiles.
    FormCase(
        name="student_profile",
        user="student",
        url=lambda s: "/mijn/profiel/",
        payload=lambda s: {
            "user-name": "Sanne de Student",
            "profile-institution": str(s.student.student_profile.institution_id),
            "profile-programme": "Toegepaste Psychologie",
            "profile-level": InstitutionKind.HBO.value,
            "profile-study_year": "3",
            "profile-themes": [str(s.theme.pk)],
            "profile-languages": [Language.DUTCH.value],
            "profile-weekdays": ["1", "3"],
        },
        writes=lambda s: (
            rows(User, "name", pk=s.student.pk)
            + rows(StudentProfile, "programme", "study_year", "languages", "weekdays")
        ),
    ),
    FormCase(
        name="researcher_profile",
        user="researcher",
        url=lambda s: "/mijn/profiel/",
        payload=lambda s: {
            "user-name": "Rachid El Onderzoeker",
            "profile-institution": str(s.researcher.researcher_profile.institution_id),
            "profile-position": Position.BOTH.value,
            "profile-expertise": "Eenzaamheid en ontmoeting in de wijk.",
            "profile-themes": [str(s.theme.pk)],
        },
        writes=lambda s: (
            rows(User, "name", pk=s.researcher.pk)
            + rows(ResearcherProfile, "position", "expertise")
        ),
    ),
    # Challenges.
    FormCase(
        name="challenge_create",
        user="partner",
        url=lambda s: f"/vraagstukken/nieuw/{s.library.slug}/",
        payload=lambda s: challenge_payload(s) | {"attachments": upload()},
        writes=lambda s: (
            rows(Challenge, "title", "question") + rows(ChallengeAttachment, "original_name")
        ),
        file_fields=frozenset({"attachments"}),
    ),
    FormCase(
        name="challenge_edit",
        user="partner",
        url=lambda s: f"/vraagstukken/{s.draft.pk}/bewerken/",
        payload=lambda s: challenge_payload(s) | {"version": str(s.draft.version)},
        writes=lambda s: rows(Challenge, "title", "question", "version", pk=s.draft.pk),
    ),
    FormCase(
        name="challenge_message",
        user="partner",
        url=lambda s: f"/vraagstukken/{s.draft.pk}/berichten/",
        payload=lambda s: {"body": "Kunnen jullie ook op zaterdag?"},
        writes=lambda s: rows(ChallengeMessage, "body"),
    ),
    FormCase(
        name="challenge_submit",
        user="partner",
        url=lambda s: f"/vraagstukken/{s.draft.pk}/indienen/",
        payload=lambda s: {"action": "submit", "version": str(s.draft.version)},
        writes=lambda s: rows(Challenge, "state", pk=s.draft.pk),
    ),
    # Organisations.
    FormCase(
        name="organisation_register",
        user="newcomer",
        url=lambda s: "/organisatie/nieuw/",
        payload=lambda s: {
            "name": "Woonzorg Leiden",
            "kind": OrganisationKind.HOUSING.value,
            "description": "Wij zorgen voor wonen met zorg in Leiden.",
            "website": "www.woonzorg.example.org",
            "address": "Kooiplein 1, 2315 AA Leiden",
            "neighbourhoods": [str(s.neighbourhood.pk)],
        },
        writes=lambda s: rows(Organisation, "name") + rows(Membership, "user", "organisation"),
    ),
    FormCase(
        name="join_request",
        user="newcomer",
        url=lambda s: f"/organisatie/{s.public_organisation.slug}/aansluiten/",
        payload=lambda s: {"message": "Ik werk sinds kort bij het buurthuis."},
        writes=lambda s: rows(JoinRequest, "user", "message"),
    ),
    FormCase(
        name="invitation",
        user="partner",
        url=lambda s: f"/organisatie/{s.library.slug}/uitnodigen/",
        payload=lambda s: {"email": "nieuwe.collega@bibliotheekleiden.nl", "role": "member"},
        writes=lambda s: rows(Invitation, "email", "role"),
    ),
    FormCase(
        name="membership_role",
        user="partner",
        url=lambda s: f"/organisatie/{s.library.slug}/leden/{s.colleague_membership.pk}/rol/",
        payload=lambda s: {"role": MembershipRole.ADMIN.value},
        writes=lambda s: rows(Membership, "role", pk=s.colleague_membership.pk),
    ),
    FormCase(
        name="join_request_decide",
        user="partner",
        url=lambda s: f"/organisatie/{s.library.slug}/aanvragen/{s.join_request.pk}/",
        payload=lambda s: {"decision": "approve"},
        writes=lambda s: rows(JoinRequest, "status", pk=s.join_request.pk),
    ),
    # Projects: joining, ranking, applications.
    FormCase(
        name="project_join",
        user="student",
        url=lambda s: f"/projecten/groep/{s.open_cohort.pk}/aanmelden/",
        payload=lambda s: {"motivation": "Ik lees graag voor.", "vog_confirmed": "on"},
        writes=lambda s: rows(Enrolment, "student", "state", "motivation", cohort=s.open_cohort),
    ),
    FormCase(
        name="rank_preferences",
        user="student",
        url=lambda s: "/projecten/voorkeuren/",
        payload=lambda s: {
            f"rank-{s.preference_cohorts[0].pk}": "2",
            f"rank-{s.preference_cohorts[1].pk}": "1",
            "vog_confirmed": "on",
        },
        writes=lambda s: rows(CohortPreference, "cohort", "rank", student=s.student),
    ),
    FormCase(
        name="applicant_ranking",
        user="partner",
        url=lambda s: f"/projecten/{s.project.slug}/aanmeldingen-rangschikken/",
        payload=lambda s: {
            f"rank-{s.applicants[0].pk}": "2",
            f"rank-{s.applicants[1].pk}": "1",
        },
        writes=lambda s: rows(ApplicantRank, "student", "rank"),
    ),
    FormCase(
        name="application_decide",
        user="partner",
        url=lambda s: f"/projecten/aanmelding/{s.application.pk}/besluit/",
        payload=lambda s: {"decision": "admit"},
        writes=lambda s: rows(Enrolment, "state", pk=s.application.pk),
    ),
    # Handover.
    FormCase(
        name="handover_dossier",
        user="student",
        url=lambda s: f"/projecten/groep/{s.ended.pk}/overdracht/",
        payload=lambda s: {
            "base_version": str(s.dossier.version),
            "summary": "We spraken twintig ouderen in De Kooi.",
            "work_done": "Interviews en een koffieochtend.",
            "results": "Een verslag.",
            "contacts": "De coördinator van het buurthuis.",
            "resident_voices": "Bewoners willen vaker samen eten.",
            "open_questions": "Hoe bereik je wie niet komt?",
            "advice": "Begin vroeg met afspraken maken.",
            "public_summary": "Ouderen in De Kooi willen elkaar vaker zien.",
        },
        writes=lambda s: (
            rows(HandoverDossier, "summary", "version", pk=s.dossier.pk)
            + rows(HandoverDossierVersion, "number")
        ),
    ),
    FormCase(
        name="handover_product_link",
        user="student",
        url=lambda s: f"/projecten/groep/{s.ended.pk}/overdracht/producten/",
        payload=lambda s: {
            "title": "Verslag van de interviews",
            "url": "https://example.org/verslag",
            "public": "on",
        },
        writes=lambda s: rows(HandoverProduct, "title", "url", "file"),
    ),
    FormCase(
        name="handover_product_file",
        user="student",
        url=lambda s: f"/projecten/groep/{s.ended.pk}/overdracht/producten/",
        payload=lambda s: {"title": "Poster voor de buurtavond", "file": upload("poster.pdf")},
        writes=lambda s: rows(HandoverProduct, "title", "url"),
        file_fields=frozenset({"file"}),
    ),
    FormCase(
        name="handover_decide",
        user="partner",
        url=lambda s: f"/projecten/groep/{s.decided.pk}/overdracht/besluit/",
        payload=lambda s: {"decision": "changes", "note": "Laat de namen van bewoners weg."},
        writes=lambda s: rows(HandoverDossier, "state", pk=s.submitted_dossier.pk),
    ),
    # What each side gives back.
    FormCase(
        name="reflection",
        user="student",
        url=lambda s: f"/mijn/projecten/{s.enrolment.pk}/reflectie/",
        payload=lambda s: {
            "learned": "Dat luisteren meer oplevert dan vragen.",
            "contribution": "Ouderen hadden weer iemand om mee te praten.",
            "next_time": "Eerder beginnen.",
        },
        writes=lambda s: rows(Reflection, "learned", "contribution", "next_time"),
    ),
    FormCase(
        name="hours",
        user="student",
        url=lambda s: f"/mijn/projecten/{s.enrolment.pk}/uren/",
        payload=lambda s: {
            "worked_on": (TODAY - timedelta(days=21)).isoformat(),
            "hours": "2,5",
            "description": "Koffieochtend in het buurthuis",
        },
        writes=lambda s: rows(HoursEntry, "worked_on", "hours", "description"),
    ),
    FormCase(
        name="hours_link_decision",
        user=None,
        url=lambda s: (
            "/uren/bevestigen/"
            + hours_link_token(entry_id=s.hours_entry.pk, decider_id=s.partner.pk)
            + "/"
        ),
        payload=lambda s: {"decision": "dispute", "note": "Die dag was het buurthuis dicht."},
        writes=lambda s: rows(HoursEntry, "state", "dispute_note", pk=s.hours_entry.pk),
        accepted=lambda response: response.status_code == 200,
    ),
    FormCase(
        name="feedback",
        user="partner",
        url=lambda s: f"/projecten/groep/{s.ended.pk}/feedback/{s.library.pk}/",
        payload=lambda s: {
            "rating": "4",
            "went_well": "De studenten luisterden goed.",
            "could_improve": "Eerder laten weten wanneer ze komen.",
        },
        writes=lambda s: rows(PartnerFeedback, "rating", "went_well"),
    ),
    # Meet & Match.
    FormCase(
        name="event_register",
        user="researcher",
        url=lambda s: f"/meet-and-match/{s.event.slug}/aanmelden/",
        payload=lambda s: {
            "role_at_event": RoleAtEvent.RESEARCHER.value,
            "brings": "Onderzoek naar eenzaamheid.",
            "seeks": "Een buurthuis dat wil meedoen.",
            "themes": [str(s.theme.pk)],
            "listed": "on",
            "wants_to_meet": [str(s.listed.pk)],
        },
        writes=lambda s: rows(Registration, "person", "brings", "seeks", event=s.event),
    ),
    FormCase(
        name="event_cancel",
        user="student",
        url=lambda s: f"/meet-and-match/registratie/{s.own_registration.pk}/annuleren/",
        payload=lambda s: {"next": "mine"},
        writes=lambda s: rows(Registration, "state", pk=s.own_registration.pk),
    ),
    FormCase(
        name="check_in",
        user="coordinator",
        url=lambda s: f"/meet-and-match/{s.event.slug}/check-in/",
        payload=lambda s: {"code": "3fa9c1"},
        writes=lambda s: rows(Registration, "checked_in_at", pk=s.checked.pk),
    ),
    FormCase(
        name="check_in_button",
        user="coordinator",
        url=lambda s: f"/meet-and-match/{s.event.slug}/check-in/",
        payload=lambda s: {"registration": str(s.checked.pk)},
        writes=lambda s: rows(Registration, "checked_in_at", pk=s.checked.pk),
    ),
    FormCase(
        name="schedule_edit",
        user="coordinator",
        url=lambda s: f"/meet-and-match/{s.closed.slug}/rooster/bewerken/",
        payload=lambda s: {
            "seat-1-1-1": str(s.closed_people[0].pk),
            "seat-1-1-2": str(s.closed_people[1].pk),
            "reason-1-1": "Allebei bezig met eenzaamheid.",
            "seat-1-2-1": str(s.closed_people[2].pk),
            "seat-1-2-2": str(s.closed_people[3].pk),
        },
        writes=lambda s: rows(Meeting, "round", "table", "reason", event=s.closed),
    ),
    FormCase(
        name="follow_up",
        user="researcher",
        url=lambda s: f"/meet-and-match/{s.held.slug}/vervolg/gesprek/{s.meeting.pk}/",
        payload=lambda s: {
            "with_person": str(s.held_people[1].person_id),
            "planned_on": (TODAY + timedelta(days=10)).isoformat(),
            "note": "Samen een aanvraag schrijven.",
        },
        writes=lambda s: rows(FollowUp, "with_person", "planned_on", "note"),
    ),
    FormCase(
        name="follow_up_to_challenge",
        user="researcher",
        url=lambda s: f"/meet-and-match/{s.held.slug}/vervolg/{s.planned.pk}/vraagstuk/",
        payload=lambda s: {"organisation": str(s.library.pk)},
        writes=lambda s: (
            rows(Challenge, "title", "question") + rows(FollowUp, "challenge", pk=s.planned.pk)
        ),
    ),
    FormCase(
        name="follow_up_link",
        user="researcher",
        url=lambda s: f"/meet-and-match/{s.held.slug}/vervolg/{s.planned.pk}/koppelen/",
        payload=lambda s: {"target": f"challenge-{s.library_challenge.pk}"},
        writes=lambda s: rows(FollowUp, "challenge", "project", pk=s.planned.pk),
    ),
    # Mail.
    FormCase(
        name="mail_preferences",
        user="student",
        url=lambda s: "/berichten/instellingen/",
        payload=lambda s: {"receive": [OPTIONAL_KINDS[0].value]},
        writes=lambda s: rows(OptOut, "user", "kind"),
    ),
    # Privacy: erasing one's own account.
    FormCase(
        name="account_erase",
        user="leaver",
        url=lambda s: "/mijn/gegevens/wissen/",
        payload=lambda s: {"confirm_email": s.leaver.email},
        writes=lambda s: rows(User, "email", "name", pk=s.leaver.pk),
        reauthenticate=True,
    ),
    # Signing in with SURFconext: the first sign-in's name, and unlinking the institution.
    FormCase(
        name="institution_signup",
        user=None,
        url=lambda s: "/account/instelling/aanmelden/",
        payload=lambda s: {"name": "Nina Nieuw"},
        writes=lambda s: rows(User, "email", "name", "role") + rows(SocialAccount, "uid"),
        session=lambda s: pending_institution_signup(),
    ),
    FormCase(
        name="institution_unlink",
        user="linked",
        url=lambda s: "/account/instelling/",
        payload=lambda s: {"account": str(s.institution_account.pk)},
        writes=lambda s: rows(SocialAccount, "uid", user=s.linked),
    ),
    # Op Locatie.
    FormCase(
        name="op_locatie_question",
        user="coordinator",
        url=lambda s: "/op-locatie/vraag/",
        payload=lambda s: {
            "asked_by": "resident",
            "title": "Meer ontmoeting in de Kooi",
            "question": "Mevrouw wil graag anderen ontmoeten, maar weet niet waar.",
            "themes": [str(s.theme.pk)],
            "neighbourhood": str(s.neighbourhood.pk),
            "resident_name": "A. Bewoner",
            "resident_phone": "071 123 45 67",
            "resident_email": "bewoner@example.org",
            "consent": "on",
        },
        writes=lambda s: rows(Challenge, "title", "question"),
    ),
]


def pending_institution_signup() -> dict:
    """What allauth keeps in the session between SURFconext's answer and the name form."""
    provider = get_social_adapter().get_provider(None, SURFCONEXT_PROVIDER_ID)
    login = SocialLogin(
        user=User(email="nina@mail.example.org", role=Role.STUDENT),
        account=SocialAccount(
            provider=SURFCONEXT_PROVIDER_ID,
            uid="pseudonym-of-nina",
            extra_data={
                "eduperson_affiliation": ["student"],
                "schac_home_organization": "hsleiden.nl",
            },
        ),
        email_addresses=[EmailAddress(email="nina@mail.example.org", verified=True, primary=True)],
        provider=provider,
    )
    login.state = {"process": "login"}
    return {"socialaccount_sociallogin": login.serialize()}


def challenge_payload(s) -> dict:
    return {
        "title": "Jongeren en ouderen koken samen",
        "question": "Hoe brengen we jongeren en ouderen in De Kooi samen aan tafel?",
        "background": "Er is een buurtkeuken die weinig gebruikt wordt.",
        "target_group": "Ouderen die alleen wonen",
        "themes": [str(s.theme.pk)],
        "neighbourhoods": [str(s.neighbourhood.pk)],
        "contact_name": "Paul Partner",
        "contact_email": "paul@bibliotheekleiden.nl",
        "contact_phone": "071 765 43 21",
        "place": "In de bibliotheek",
        "hours_per_week": "4",
        "desired_start": (TODAY + timedelta(days=30)).isoformat(),
        "desired_end": (TODAY + timedelta(days=90)).isoformat(),
        "desired_level": "",
        "resident_involvement": ResidentInvolvement.LOW.value,
        "resident_contacts_per_month": "4",
        "is_societal": "on",
        "is_non_commercial": "on",
        "has_no_consultant_budget": "on",
        "is_public": "on",
    }


# --- The tests ---------------------------------------------------------------------------

PROPERTY_SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    # The scene lives in the database, not in a file: no examples are kept between runs.
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def _valid_test(case: FormCase):
    def test(self):
        before = case.writes(self.scene)

        response = self.post(case, case.payload(self.scene))

        assert case.accepted(response), (response.status_code, error_messages(response))
        assert case.writes(self.scene) != before

    test.__name__ = f"test_{case.name}_valid_payload_is_saved"
    return test


def _property_test(case: FormCase):
    @PROPERTY_SETTINGS
    @given(data=st.data())
    def test(self, data):
        payload = case.payload(self.scene)
        change = data.draw(one_field_changed(payload, file_fields=case.file_fields), "change")
        before = self.before(case)

        response = self.post(case, change.apply(payload))

        assert response.status_code < 500
        if not case.accepted(response):
            assert (case.writes(self.scene), watched_rows()) == before

    test.__name__ = f"test_{case.name}_strange_input_is_never_a_server_error_nor_half_saved"
    return test


def with_form_tests(cases):
    """Add a valid-payload test and a property test to the class for each case."""

    def decorate(cls):
        for case in cases:
            for make in (_valid_test, _property_test):
                test = make(case)
                setattr(cls, test.__name__, test)
        return cls

    return decorate


@with_form_tests(CASES)
@override_settings(
    ACCOUNT_RATE_LIMITS=False,
    # On, but never reached: the institution's forms come after the provider's answer.
    SOCIALACCOUNT_PROVIDERS=surfconext_providers(
        client_id="lerenmetdestad-test",
        secret="test-secret",
        server_url="https://connect.test.surfconext.nl",
    ),
)
class FormsTakeStrangeInput(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.scene = build_scene()

    def post(self, case: FormCase, payload: dict):
        user = getattr(self.scene, case.user) if case.user else None
        if user is not None:
            self.client.force_login(user)
        if case.reauthenticate:
            self.client.post("/account/bevestig-wie-je-bent/", {"password": PASSWORD})
        if case.session is not None:
            session = self.client.session
            session.update(case.session(self.scene))
            session.save()
        return self.client.post(case.url(self.scene), payload)

    def before(self, case: FormCase):
        """What the case writes and the watched rows, as they are before every example.

        Each example starts from the same rolled-back scene, so this is read once per test.
        """
        cached = getattr(self, "_before", None)
        if cached is None:
            cached = self._before = (case.writes(self.scene), watched_rows())
        return cached
