"""The download of a person's own data (/mijn/gegevens/): complete, and only ever their own."""

import io
import json
import zipfile
from decimal import Decimal

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse
from django.utils import timezone

from accounts.privacy.export import FORMAT_VERSION, personal_data
from coordination.models import EnrolmentAudit, RegistrationAudit
from events.enums import EventState
from events.models import EventLogEntry, FollowUp, Meeting, MeetingSeat
from matching.enums import AllocationMode
from matching.models import AllocationRun, Placement
from outbox.enums import MessageKind, ReminderKind
from outbox.models import Message, Reminder
from outbox.services.queueing import message_queue
from partners.enums import ChallengeAction
from partners.models import ChallengeAttachment, ChallengeLogEntry, ChallengeMessage
from projects.enums import CohortState, EnrolmentState, HoursState
from projects.models import (
    ApplicantRank,
    CohortLogEntry,
    CohortPreference,
    HandoverDossier,
    HandoverDossierVersion,
    HandoverProduct,
    HoursEntry,
    PartnerFeedback,
    Reflection,
)
from tests.accounts.privacy_scene import data_everywhere, scene_everything
from tests.events.factories import EventFactory, RegistrationFactory
from tests.partners.factories import JoinRequestFactory, MembershipFactory, OrganisationFactory
from tests.projects.factories import (
    ChallengeFactory,
    CohortFactory,
    EnrolmentFactory,
    ProjectFactory,
)

pytestmark = pytest.mark.integration

DOWNLOAD = reverse("accounts:my-data-download")
# One or two per declared section, whatever the amount of data.
QUERIES = 51


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files land in a folder of this test only."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def test_download_of_someone_who_did_everything_holds_all_of_it(
    student, researcher, coordinator, media
):
    scene = scene_everything(student, other=researcher, coordinator=coordinator)
    made = scene.made
    student.refresh_from_db()
    enrolment, entry, later = made.enrolments[0], made.hours[0], made.preference.cohort
    message = Message.objects.get(pk=made.message.pk)
    logged = ChallengeLogEntry.objects.get(challenge=scene.challenge, actor=student)
    place_history = EnrolmentAudit.objects.get(pgh_obj=enrolment)
    registration_history = RegistrationAudit.objects.get(pgh_obj=made.registration)

    data = personal_data(student)

    assert data == {
        "format_version": FORMAT_VERSION,
        "account": {
            "name": "Sanne Student",
            "email": "sanne@student.hsleiden.nl",
            "role": "student",
            "language": "nl",
            "name_public": False,
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
        # What she did to someone else's row of the admin: nothing; the coordinator's change
        # to her account is the coordinator's record.
        "admin_changes": [],
        "messages": [
            {
                "subject": "Welkom bij Leren met de Stad",
                "kind": "account",
                "status": "queued",
                "created_at": message.created_at.isoformat(),
                "sent_at": None,
            }
        ],
        "mail_opt_outs": [
            {"kind": "new_projects_digest", "since": scene.opt_out.created_at.isoformat()}
        ],
        "reminders": [
            {
                "kind": "registration_closing",
                "about": "cohort:1",
                "sent_at": scene.reminder.created_at.isoformat(),
            }
        ],
        # Joined in the order the apps declared them (partners before projects), each
        # app's rows in time order.
        # In the order it happened, whichever app recorded it.
        "actions_recorded": [
            {
                "action": "saved a handover",
                "when": made.dossier.updated_at.isoformat(),
                "about": "Taalcafé Noord · 1",
            },
            {
                "action": "changed a challenge",
                "when": logged.created_at.isoformat(),
                "about": "Samen lezen in Noord",
            },
        ],
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
        "challenges_created": [
            {
                "title": "Samen lezen in Noord",
                "organisation": "Buurthuis De Kooi",
                "state": "in_progress",
                "created_at": scene.challenge.created_at.isoformat(),
            }
        ],
        "challenge_contact_of": [
            {
                "challenge": "Samen lezen in Noord",
                "contact_name": "Sanne Student",
                # As the organisation typed it; her verified address in other letters.
                "contact_email": "SANNE@STUDENT.HSLEIDEN.NL",
                "contact_phone": "071 123 45 67",
            }
        ],
        "challenge_attachments": [
            {
                "challenge": "Samen lezen in Noord",
                "file_name": "plan van aanpak.pdf",
                "content_type": "application/pdf",
                "size": 13,
                "uploaded_at": scene.attachment.uploaded_at.isoformat(),
                "file": scene.attachment.file.name,
            }
        ],
        "challenge_messages": [
            {
                "challenge": made.challenge_message.challenge.title,
                "message": "Wanneer kunnen we langskomen?",
                "sent_at": made.challenge_message.created_at.isoformat(),
            }
        ],
        "projects_led": ["Taalcafé Noord"],
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
        # Which hours she confirmed, never whose.
        "hours_decided": [
            {
                "project": "Taalcafé Noord",
                "group": 1,
                "date": scene.decided.worked_on.isoformat(),
                "hours": "3.0",
                "decision": "confirmed",
                "why_disputed": "",
                "decided_at": scene.decided.decided_at.isoformat(),
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
        "handover_versions_saved": [
            {
                "project": "Taalcafé Noord",
                "group": 1,
                "version": 1,
                "saved_at": made.version.saved_at.isoformat(),
                "content": {"summary": "Wekelijks taalcafé"},
            }
        ],
        "handover_products": [
            {
                "project": "Taalcafé Noord",
                "group": 1,
                "title": "Verslag",
                "link": "",
                "file": scene.product.file.name,
                "public": False,
                "added_at": scene.product.added_at.isoformat(),
            }
        ],
        "feedback_given": [
            {
                "project": "Taalcafé Noord",
                "group": 1,
                "organisation": "Buurthuis De Kooi",
                "rating": 4,
                "went_well": "Goede gesprekken.",
                "could_improve": "Eerder beginnen.",
                "given_at": scene.feedback.submitted_at.isoformat(),
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
                "seats": [{"round": 1, "table": 1, "why": "Jullie delen taal."}],
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
        # The secret address of the feed is left out on purpose.
        "calendar_feed": {"since": scene.feed.created_at.isoformat()},
        "allocation_placements": [
            {
                "allocation": made.placement.run.created_at.isoformat(),
                "project": "Buurtmoestuin",
                "group": later.number,
                "choice": 1,
                "why_no_place": "",
            }
        ],
        "history_of_places": [
            {
                "when": place_history.pgh_created_at.isoformat(),
                "change": "insert",
                "project": "Taalcafé Noord",
                "group": 1,
                "state": "completed",
            }
        ],
        "history_of_registrations": [
            {
                "when": registration_history.pgh_created_at.isoformat(),
                "change": "insert",
                "event": "Meet & Match najaar",
                "state": "registered",
            }
        ],
    }
    # Never a secret: not the institution's token, not the calendar feed's address.
    text = json.dumps(data)
    assert ("access-token-not-for-you" in text, scene.feed.token in text) == (False, False)


def test_personal_data_leaves_out_other_peoples_rows(student, researcher, coordinator, media):
    scene_everything(student, other=researcher, coordinator=coordinator)

    data = personal_data(researcher)

    assert data["account"]["email"] == "rachid@leidenuniv.nl"
    assert data["profile"]["kind"] == "researcher"
    # Her wish to meet him and her follow-up with him are hers, not his.
    assert [
        (r["event"], r["wants_to_meet"], r["seats"], r["follow_ups"])
        for r in data["event_registrations"]
    ] == [("Meet & Match najaar", [], [], [])]
    # The mail to him that names her is his.
    assert [m["subject"] for m in data["messages"]] == ["Sanne Student doet mee"]
    assert data["calendar_feed"] is None
    assert {
        name: rows
        for name, rows in data.items()
        if name not in {"format_version", "account", "profile", "event_registrations", "messages"}
        and name not in {"calendar_feed", "history_of_registrations"}
        and rows
    } == {}


def more_of_everything(person, scene, *, extra: int) -> None:
    """`extra` more rows in every section that reads a related row, so that a section which
    fetches its relations per row shows up as more queries."""
    made = scene.made
    project, organisation = made.enrolments[0].cohort.project, scene.challenge.organisation
    for n in range(2, extra + 2):
        MembershipFactory(user=person, organisation=OrganisationFactory())
        JoinRequestFactory(user=person, organisation=OrganisationFactory())
        challenge = ChallengeFactory(
            organisation=organisation, created_by=person, contact_email=person.email
        )
        ChallengeAttachment.objects.create(
            challenge=challenge,
            file=f"challenges/{challenge.pk}/plan.pdf",
            original_name="plan.pdf",
            content_type="application/pdf",
            size=8,
            uploaded_by=person,
        )
        ChallengeMessage.objects.create(challenge=challenge, author=person, body="Vraag")
        ChallengeLogEntry.objects.create(
            challenge=challenge, actor=person, action=ChallengeAction.EDIT
        )
        cohort = CohortFactory(project=project, number=n + 10, state=CohortState.COMPLETED)
        place = EnrolmentFactory(cohort=cohort, student=person, state=EnrolmentState.COMPLETED)
        Reflection.objects.create(enrolment=place, learned="Veel")
        HoursEntry.objects.create(
            enrolment=place, worked_on=cohort.starts_on, hours=Decimal("1.0"), description="Werk"
        )
        HoursEntry.objects.create(
            enrolment=EnrolmentFactory(cohort=cohort),
            worked_on=cohort.starts_on,
            hours=Decimal("1.0"),
            state=HoursState.CONFIRMED,
            decided_by=person,
            decided_at=timezone.now(),
        )
        CohortLogEntry.objects.create(cohort=cohort, actor=person, action="note")
        CohortPreference.objects.create(student=person, cohort=cohort, rank=n)
        led = ProjectFactory(title=f"Geleid project {n}")
        led.lecturers.add(person)
        ApplicantRank.objects.create(project=led, student=person, rank=1)
        PartnerFeedback.objects.create(
            cohort=cohort, organisation=organisation, author=person, rating=3
        )
        dossier = HandoverDossier.objects.create(cohort=cohort, version=1, updated_by=person)
        HandoverDossierVersion.objects.create(
            dossier=dossier, number=1, content={}, saved_by=person
        )
        HandoverProduct.objects.create(
            dossier=dossier, title="Verslag", file="handover/verslag.txt", added_by=person
        )
        run = AllocationRun.objects.create(mode=AllocationMode.WELFARE, created_by=person)
        Placement.objects.create(run=run, student=person, cohort=cohort, rank=1)
        event = EventFactory(state=EventState.HELD)
        registration = RegistrationFactory(event=event, person=person)
        other = RegistrationFactory(event=event)
        registration.wants_to_meet.set([other])
        registration.rather_not_meet.set([other])
        meeting = Meeting.objects.create(event=event, round=1, table=1)
        MeetingSeat.objects.create(meeting=meeting, registration=registration, round=1)
        FollowUp.objects.create(
            registration=registration, meeting=meeting, with_person=other.person, note="Bellen"
        )
        EventLogEntry.objects.create(event=event, actor=person, action="note")
        message_queue(
            to_email=person.email,
            kind=MessageKind.ACCOUNT,
            subject=f"Bericht {n}",
            body_text="Hallo",
            language="nl",
            user=person,
        )
        Reminder.objects.create(
            kind=ReminderKind.REGISTRATION_CLOSING, subject=f"cohort:{n}", recipient=person
        )


@pytest.mark.parametrize("extra", [0, 5])
def test_personal_data_takes_the_same_queries_for_one_or_many_rows(
    student, researcher, coordinator, media, extra, django_assert_num_queries
):
    scene = scene_everything(student, other=researcher, coordinator=coordinator)
    more_of_everything(student, scene, extra=extra)

    with django_assert_num_queries(QUERIES):
        data = personal_data(student)

    rows = extra + 1
    assert {name: len(items) for name, items in data.items() if isinstance(items, list)} == {
        "admin_changes": 0,
        "mail_opt_outs": 1,
        # Per extra round: a challenge, group, allocation, event and handover changed.
        "actions_recorded": 2 + 5 * extra,
        **dict.fromkeys(
            [
                "messages",
                "reminders",
                "memberships",
                "join_requests",
                "challenges_created",
                "challenge_contact_of",
                "challenge_attachments",
                "challenge_messages",
                "projects_led",
                "enrolments",
                "hours_decided",
                "preferences",
                "applicant_rankings",
                "handover_versions_saved",
                "handover_products",
                "feedback_given",
                "event_registrations",
                "allocation_placements",
                "history_of_places",
                "history_of_registrations",
            ],
            rows,
        ),
    }


def unzip(response) -> tuple[dict, dict[str, bytes]]:
    """The download's JSON, and every other file in it by name."""
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("gegevens.json")), files


def test_download_is_a_zip_of_the_data_and_the_persons_uploads(
    client, student, researcher, coordinator, media
):
    scene = scene_everything(student, other=researcher, coordinator=coordinator)
    client.force_login(student)

    response = client.get(DOWNLOAD)

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith(
        'attachment; filename="leren-met-de-stad-mijn-gegevens-'
    )
    assert response["Content-Disposition"].endswith('.zip"')
    data, files = unzip(response)
    assert data == json.loads(json.dumps(personal_data(student), cls=DjangoJSONEncoder))
    # The challenge attachment and the group product she uploaded, by the names the data gives.
    assert files == {
        f"bestanden/{scene.attachment.file.name}": b"%PDF-1.4 plan",
        f"bestanden/{scene.product.file.name}": b"verslag",
    }
    assert [row["file"] for row in data["challenge_attachments"] + data["handover_products"]] == [
        scene.attachment.file.name,
        scene.product.file.name,
    ]
    # The linked institution account is there, its token and the other's account are not.
    assert [a["uid"] for a in data["account"]["institution_accounts"]] == ["pseudonym-of-sanne"]
    everything = json.dumps(data)
    assert "access-token-not-for-you" not in everything
    assert "someone-else" not in everything


def test_download_lists_a_file_missing_from_storage_instead_of_failing(
    client, student, researcher, coordinator, media
):
    scene = scene_everything(student, other=researcher, coordinator=coordinator)
    (media / scene.attachment.file.name).unlink()
    client.force_login(student)

    _data, files = unzip(client.get(DOWNLOAD))

    assert files == {
        f"bestanden/{scene.product.file.name}": b"verslag",
        "ontbrekende-bestanden.txt": f"{scene.attachment.file.name}\n".encode(),
    }


@pytest.mark.parametrize(
    "cast", ["student", "partner_member", "other_partner_member", "researcher", "coordinator"]
)
def test_download_gives_every_role_only_their_own_data(client, request, student, researcher, cast):
    data_everywhere(student, other=researcher)
    person = request.getfixturevalue(cast)
    client.force_login(person)

    # Whatever is put in the query string, the download is of the signed-in person.
    response = client.get(DOWNLOAD, {"user": student.pk, "id": student.pk})

    assert unzip(response)[0]["account"]["email"] == person.email


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
