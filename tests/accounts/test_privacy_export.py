"""The download of a person's own data (/mijn/gegevens/): complete, and only ever their own."""

import json
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal

import pytest
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.urls import reverse
from django.utils import timezone

from accounts.privacy.export import FORMAT_VERSION, personal_data
from events.enums import EventState, RegistrationState, RoleAtEvent
from events.models import FollowUp, Meeting
from matching.enums import AllocationMode
from matching.models import AllocationRun, Placement
from outbox.enums import MessageKind
from outbox.models import Message
from outbox.services.queueing import message_queue
from partners.enums import MembershipRole
from partners.models import ChallengeMessage
from projects.enums import CohortState, EnrolmentState, HoursState
from projects.models import (
    ApplicantRank,
    CohortPreference,
    HandoverDossier,
    HandoverDossierVersion,
    HoursEntry,
    Reflection,
)
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import ThemeFactory
from tests.partners.factories import JoinRequestFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import CohortFactory, EnrolmentFactory, ProjectFactory

pytestmark = pytest.mark.integration

DOWNLOAD = reverse("accounts:my-data-download")


@dataclass
class Everything:
    """What data_everywhere made, for the tests to compare against."""

    membership: object
    join_request: object
    enrolments: list
    reflection: object
    hours: list
    preference: object
    applicant_rank: object
    registration: object
    other_registration: object
    follow_up: object
    message: object
    placement: object
    dossier: object
    version: object
    challenge_message: object
    institution_account: object


def data_everywhere(person, *, rows: int = 1, other=None) -> Everything:
    """Give `person` a row in every table that holds something about them.

    `rows` enrolments (each with hours) so that tests can compare one with many; `other` is
    the person at their Meet & Match table.
    """
    profile = person.student_profile
    theme = ThemeFactory(name="Eenzaamheid", slug="eenzaamheid")
    profile.themes.set([theme])
    profile.languages, profile.weekdays = ["nl", "en"], [1, 3]
    profile.save()

    institution_account = SocialAccount.objects.create(
        user=person,
        provider="surfconext",
        uid="pseudonym-of-sanne",
        extra_data={"eduperson_affiliation": ["student"], "schac_home_organization": "hsleiden.nl"},
    )
    # Tokens are never stored (settings.py); one here shows the download would leave it out.
    SocialToken.objects.create(account=institution_account, token="access-token-not-for-you")
    if other is not None:
        SocialAccount.objects.create(user=other, provider="surfconext", uid="someone-else")
    membership = MembershipFactory(
        user=person,
        organisation=OrganisationFactory(name="Buurthuis De Kooi"),
        role=MembershipRole.MEMBER,
    )
    join_request = JoinRequestFactory(
        user=person, organisation=OrganisationFactory(name="Bibliotheek Leiden")
    )
    project = ProjectFactory(title="Taalcafé Noord")
    enrolments, hours = [], []
    for number in range(1, rows + 1):
        cohort = CohortFactory(project=project, number=number, state=CohortState.COMPLETED)
        enrolment = EnrolmentFactory(
            cohort=cohort,
            student=person,
            state=EnrolmentState.COMPLETED,
            motivation=f"Ik wil graag helpen in groep {number}.",
        )
        enrolments.append(enrolment)
        hours.append(
            HoursEntry.objects.create(
                enrolment=enrolment,
                worked_on=cohort.starts_on,
                hours=Decimal("2.5"),
                description="Gesprekken met bezoekers",
                state=HoursState.SUBMITTED,
            )
        )
    reflection = Reflection.objects.create(
        enrolment=enrolments[0],
        learned="Luisteren voordat ik iets voorstel.",
        contribution="Meer bezoekers kwamen terug.",
        next_time="Eerder beginnen.",
    )
    later = CohortFactory(project=ProjectFactory(title="Buurtmoestuin"), number=1)
    preference = CohortPreference.objects.create(student=person, cohort=later, rank=1)
    applicant_rank = ApplicantRank.objects.create(project=later.project, student=person, rank=1)

    event = EventFactory(title="Meet & Match najaar", state=EventState.HELD)
    registration = RegistrationFactory(
        event=event,
        person=person,
        role_at_event=RoleAtEvent.STUDENT,
        brings="Ervaring met taalles.",
        seeks="Een onderzoeker die meedenkt.",
        state=RegistrationState.REGISTERED,
        themes=[theme],
    )
    other_registration = RegistrationFactory(event=event, person=other)
    registration.wants_to_meet.set([other_registration])
    meeting = Meeting.objects.create(event=event, round=1, table=1, reason="Jullie delen taal.")
    follow_up = FollowUp.objects.create(
        registration=registration,
        meeting=meeting,
        with_person=other,
        planned_on=timezone.localdate() + timedelta(days=7),
        note="Koffie bij de bibliotheek.",
    )

    message = message_queue(
        to_email=person.email,
        kind=MessageKind.ACCOUNT,
        subject="Welkom bij Leren met de Stad",
        body_text=f"Hallo {person.name}, welkom.",
        language="nl",
        user=person,
    )
    run = AllocationRun.objects.create(mode=AllocationMode.WELFARE)
    placement = Placement.objects.create(run=run, student=person, cohort=later, rank=1)
    dossier = HandoverDossier.objects.create(
        cohort=enrolments[0].cohort, summary="Wekelijks taalcafé", version=1, updated_by=person
    )
    version = HandoverDossierVersion.objects.create(
        dossier=dossier, number=1, content={"summary": "Wekelijks taalcafé"}, saved_by=person
    )
    challenge_message = ChallengeMessage.objects.create(
        challenge=project.challenge, author=person, body="Wanneer kunnen we langskomen?"
    )
    return Everything(
        membership=membership,
        join_request=join_request,
        enrolments=enrolments,
        reflection=reflection,
        hours=hours,
        preference=preference,
        applicant_rank=applicant_rank,
        registration=registration,
        other_registration=other_registration,
        follow_up=follow_up,
        message=message,
        placement=placement,
        dossier=dossier,
        version=version,
        challenge_message=challenge_message,
        institution_account=institution_account,
    )


def test_personal_data_holds_exactly_the_persons_items(student, researcher):
    made = data_everywhere(student, other=researcher)
    student.refresh_from_db()
    enrolment, entry, later = made.enrolments[0], made.hours[0], made.preference.cohort
    message = Message.objects.get(pk=made.message.pk)

    data = personal_data(student)

    assert data == {
        "format_version": FORMAT_VERSION,
        "account": {
            "name": "Sanne Student",
            "email": "sanne@student.hsleiden.nl",
            "role": "student",
            "language": "nl",
            "date_joined": student.date_joined.isoformat(),
            "last_login": None,
            "email_addresses": [
                {"email": "sanne@student.hsleiden.nl", "verified": True, "primary": True}
            ],
            "institution_accounts": [
                {
                    "provider": "surfconext",
                    "uid": "pseudonym-of-sanne",
                    "linked_at": made.institution_account.date_joined.isoformat(),
                    "last_login": made.institution_account.last_login.isoformat(),
                    "claims_kept": {
                        "eduperson_affiliation": ["student"],
                        "schac_home_organization": "hsleiden.nl",
                    },
                }
            ],
        },
        "profile": {
            "kind": "student",
            "institution": student.student_profile.institution.name,
            "programme": "Social Work",
            "level": "hbo",
            "study_year": 2,
            "themes": ["Eenzaamheid"],
            "languages": ["nl", "en"],
            "weekdays": [1, 3],
        },
        "memberships": [
            {
                "organisation": "Buurthuis De Kooi",
                "role": "member",
                "since": made.membership.created_at.isoformat(),
            }
        ],
        "join_requests": [
            {
                "organisation": "Bibliotheek Leiden",
                "message": "Ik werk hier sinds kort.",
                "status": "pending",
                "asked_at": made.join_request.created_at.isoformat(),
            }
        ],
        "enrolments": [
            {
                "project": "Taalcafé Noord",
                "group": 1,
                "starts_on": enrolment.cohort.starts_on.isoformat(),
                "ends_on": enrolment.cohort.ends_on.isoformat(),
                "state": "completed",
                "motivation": "Ik wil graag helpen in groep 1.",
                "vog_confirmed": False,
                "enrolled_at": enrolment.created_at.isoformat(),
                "reflection": {
                    "learned": "Luisteren voordat ik iets voorstel.",
                    "contribution": "Meer bezoekers kwamen terug.",
                    "next_time": "Eerder beginnen.",
                    "written_at": made.reflection.submitted_at.isoformat(),
                },
                "hours": [
                    {
                        "date": entry.worked_on.isoformat(),
                        "hours": "2.5",
                        "description": "Gesprekken met bezoekers",
                        "state": "submitted",
                        "why_disputed": "",
                    }
                ],
            }
        ],
        "preferences": [
            {
                "project": "Buurtmoestuin",
                "group": 1,
                "rank": 1,
                "given_at": made.preference.created_at.isoformat(),
            }
        ],
        "applicant_rankings": [
            {
                "project": "Buurtmoestuin",
                "rank": 1,
                "ranked_at": made.applicant_rank.ranked_at.isoformat(),
            }
        ],
        "event_registrations": [
            {
                "event": "Meet & Match najaar",
                "starts_at": made.registration.event.starts_at.isoformat(),
                "came_as": "student",
                "state": "registered",
                "brings": "Ervaring met taalles.",
                "seeks": "Een onderzoeker die meedenkt.",
                "themes": ["Eenzaamheid"],
                "listed": True,
                "wants_to_meet": ["Rachid Onderzoeker"],
                "rather_not_meet": [],
                "checked_in_at": None,
                "follow_ups": [
                    {
                        "round": 1,
                        "with": "Rachid Onderzoeker",
                        "planned_on": made.follow_up.planned_on.isoformat(),
                        "note": "Koffie bij de bibliotheek.",
                        "challenge": None,
                        "project": None,
                    }
                ],
            }
        ],
        "messages": [
            {
                "subject": "Welkom bij Leren met de Stad",
                "kind": "account",
                "status": "queued",
                "created_at": message.created_at.isoformat(),
                "sent_at": None,
            }
        ],
        "allocation_placements": [
            {
                "allocation": made.placement.run.created_at.isoformat(),
                "project": "Buurtmoestuin",
                "group": later.number,
                "choice": 1,
                "why_no_place": "",
            }
        ],
        "handover_versions_saved": [
            {
                "project": "Taalcafé Noord",
                "group": 1,
                "version": 1,
                "saved_at": made.version.saved_at.isoformat(),
                "content": {"summary": "Wekelijks taalcafé"},
            }
        ],
        "challenge_messages": [
            {
                "challenge": made.challenge_message.challenge.title,
                "message": "Wanneer kunnen we langskomen?",
                "sent_at": made.challenge_message.created_at.isoformat(),
            }
        ],
    }


def test_personal_data_leaves_out_other_peoples_rows(student, researcher):
    data_everywhere(student, other=researcher)

    data = personal_data(researcher)

    assert data["account"]["email"] == "rachid@leidenuniv.nl"
    assert data["profile"]["kind"] == "researcher"
    assert [r["event"] for r in data["event_registrations"]] == ["Meet & Match najaar"]
    assert data["event_registrations"][0]["wants_to_meet"] == []
    assert (
        data["enrolments"],
        data["memberships"],
        data["messages"],
        data["handover_versions_saved"],
    ) == ([], [], [], [])


@pytest.mark.parametrize("rows", [1, 6])
def test_personal_data_takes_the_same_queries_for_one_or_many_rows(
    student, researcher, rows, django_assert_num_queries
):
    data_everywhere(student, rows=rows, other=researcher)

    with django_assert_num_queries(20):
        data = personal_data(student)

    assert len(data["enrolments"]) == rows


def test_download_is_a_json_attachment_of_the_signed_in_person(client, student, researcher):
    data_everywhere(student, other=researcher)
    client.force_login(student)

    response = client.get(DOWNLOAD)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="leren-met-de-stad-mijn-gegevens-'
    )
    data = json.loads(response.content)
    assert data["account"]["email"] == "sanne@student.hsleiden.nl"
    assert data["enrolments"][0]["motivation"] == "Ik wil graag helpen in groep 1."
    # The linked institution account is there, its token and the other's account are not.
    assert [a["uid"] for a in data["account"]["institution_accounts"]] == ["pseudonym-of-sanne"]
    assert b"access-token-not-for-you" not in response.content
    assert b"someone-else" not in response.content


@pytest.mark.parametrize(
    "cast", ["student", "partner_member", "other_partner_member", "researcher", "coordinator"]
)
def test_download_gives_every_role_only_their_own_data(client, request, student, researcher, cast):
    data_everywhere(student, other=researcher)
    person = request.getfixturevalue(cast)
    client.force_login(person)

    # Whatever is put in the query string, the download is of the signed-in person.
    response = client.get(DOWNLOAD, {"user": student.pk, "id": student.pk})

    assert json.loads(response.content)["account"]["email"] == person.email


@pytest.mark.parametrize("url", [reverse("accounts:my-data"), DOWNLOAD, reverse("accounts:erase")])
def test_privacy_pages_send_anonymous_visitors_to_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_my_data_page_offers_the_download_and_the_erasure(client, student):
    client.force_login(student)

    html = client.get(reverse("accounts:my-data")).content.decode()

    assert f'href="{DOWNLOAD}"' in html
    assert f'href="{reverse("accounts:erase")}"' in html


def test_download_refuses_post(client, student):
    client.force_login(student)

    assert client.post(DOWNLOAD).status_code == 405


def test_privacy_statement_names_the_retention_periods_and_is_in_the_footer(client, settings):
    settings.ACCOUNT_RETENTION_DAYS = 1095
    settings.CHALLENGE_ATTACHMENT_RETENTION_DAYS = 365

    html = client.get(reverse("privacy")).content.decode()

    assert "1095" in html
    assert "365" in html
    assert "privacy@lerenmetdestad.nl" in html
    assert f'href="{reverse("privacy")}"' in client.get(reverse("accessibility")).content.decode()
