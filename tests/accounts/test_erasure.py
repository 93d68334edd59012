"""Erasing an account (/mijn/gegevens/wissen/): exactly the rows the privacy registry ties to
the person change, as each app declares; what other people wrote about them stays theirs."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.core.files.storage import default_storage
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.privacy.erasure import ErasureError, account_anonymise, account_erase
from accounts.privacy.export import personal_data
from accounts.privacy.registry import Keep, declarations
from coordination.models import EnrolmentAudit, RegistrationAudit
from events.models import CalendarFeed, EventLogEntry, FollowUp, MeetingSeat, Registration
from outbox.enums import MessageStatus
from outbox.models import Message, OptOut, Reminder
from partners.models import (
    Challenge,
    ChallengeAttachment,
    ChallengeLogEntry,
    ChallengeMessage,
    Invitation,
    Membership,
)
from projects.models import (
    CohortLogEntry,
    CohortPreference,
    Enrolment,
    HandoverDossier,
    HandoverDossierVersion,
    HandoverProduct,
    HoursEntry,
    PartnerFeedback,
    Reflection,
)
from projects.privacy import GROUPS_RECORD
from tests.accounts.privacy_scene import bystander_named, scene_everything
from tests.factories import PASSWORD, CoordinatorFactory, UserFactory
from tests.partners.factories import InvitationFactory
from tests.projects.factories import ChallengeFactory, EnrolmentFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = pytest.mark.integration

ERASE = reverse("accounts:erase")
NAME, EMAIL = "Sanne Student", "sanne@student.hsleiden.nl"


@pytest.fixture
def media(settings, tmp_path):
    """Uploaded files land in a folder of this test only."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def scene(student, researcher, coordinator, media):
    """Sanne did everything; others named her in their own texts: a coordinator's notes on the
    group and the event, a mail to Rachid, the dossier and a disputed hour."""
    scene = scene_everything(student, other=researcher, coordinator=coordinator)
    made = scene.made
    EventLogEntry.objects.create(
        event=made.registration.event,
        actor=coordinator,
        action="note",
        message=f"Afmelding van {NAME.upper()}",
    )
    HoursEntry.objects.filter(pk=made.hours[0].pk).update(dispute_note=f"{NAME} was er niet.")
    HandoverDossier.objects.filter(pk=made.dossier.pk).update(contacts=f"Vraag {NAME} om advies.")
    HandoverDossierVersion.objects.filter(pk=made.version.pk).update(
        content={"summary": "Wekelijks taalcafé", "contacts": f"Vraag {NAME} om advies."}
    )
    InvitationFactory(
        organisation=made.membership.organisation,
        email=EMAIL.upper(),
        accepted_at=timezone.now(),
        accepted_by=student,
    )
    return scene


def sign_in(client, user):
    # Confirmed with the password just now, as allauth asks before the erasure.
    sign_in_for_admin(client, user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def written_by_others(person):
    """The texts others wrote that name the person, as stored."""
    return {
        "cohort_log": list(CohortLogEntry.objects.values_list("pk", "actor", "message", "data")),
        "event_log": list(EventLogEntry.objects.values_list("pk", "actor", "message", "data")),
        "mail": list(
            Message.objects.exclude(recipient=person)
            .order_by("pk")
            .values_list("pk", "to_email", "subject", "body_text", "body_html", "status")
        ),
        "dossier": list(
            HandoverDossier.objects.values_list("pk", "summary", "contacts", "updated_by")
        ),
        "versions": list(HandoverDossierVersion.objects.values_list("pk", "content", "saved_by")),
        "dispute_notes": list(HoursEntry.objects.values_list("pk", "dispute_note")),
        "admin_change_messages": list(LogEntry.objects.values_list("pk", "change_message")),
    }


def test_erasure_anonymises_the_account_and_blanks_the_persons_own_text(client, student, scene):
    made = scene.made
    sign_in(client, student)

    response = client.post(ERASE, {"confirm_email": f" {EMAIL.upper()} "})

    assert (response.status_code, response.url) == (302, reverse("home"))
    user = User.objects.get(pk=student.pk)
    assert (user.name, user.email, user.name_public) == (
        f"Verwijderde gebruiker {student.pk}",
        f"user-{student.pk}@erased.invalid",
        False,
    )
    assert (user.is_active, user.has_usable_password()) == (False, False)
    assert EmailAddress.objects.filter(user=user).count() == 0
    # The link to SURFconext and its token go; someone else's link stays.
    assert SocialAccount.objects.filter(user=user).count() == 0
    assert SocialToken.objects.count() == 0
    assert list(SocialAccount.objects.values_list("uid", flat=True)) == ["someone-else"]
    assert Membership.objects.filter(user=user).count() == 0
    profile = user.student_profile
    assert (profile.programme, profile.study_year, profile.languages, profile.weekdays) == (
        "",
        None,
        [],
        [],
    )
    assert list(profile.themes.all()) == []
    assert Enrolment.objects.get(pk=made.enrolments[0].pk).motivation == ""
    reflection = Reflection.objects.get(pk=made.reflection.pk)
    assert (reflection.learned, reflection.contribution, reflection.next_time) == ("", "", "")
    # Her hours stay for the figures; what she did goes.
    own_hours = HoursEntry.objects.get(pk=made.hours[0].pk)
    assert (own_hours.hours, own_hours.description) == (made.hours[0].hours, "")
    registration = Registration.objects.get(pk=made.registration.pk)
    assert (registration.brings, registration.seeks, registration.listed) == ("", "", False)
    assert list(registration.wants_to_meet.all()) == []
    assert FollowUp.objects.get(pk=made.follow_up.pk).note == ""
    assert (
        CohortPreference.objects.filter(student=user).count(),
        OptOut.objects.filter(user=user).count(),
        CalendarFeed.objects.filter(person=user).count(),
    ) == (0, 0, 0)
    assert list(made.enrolments[0].cohort.project.lecturers.all()) == []
    mail = Message.objects.get(pk=made.message.pk)
    assert (mail.to_email, mail.body_text, mail.body_html, mail.status) == (
        f"user-{student.pk}@erased.invalid",
        "",
        "",
        MessageStatus.FAILED,
    )
    invitation = Invitation.objects.get(accepted_by=user)
    assert invitation.email == f"user-{student.pk}@erased.invalid"
    # Django's copy of the account's name in the admin log is replaced.
    assert list(
        LogEntry.objects.filter(object_id=str(student.pk)).values_list("object_repr", flat=True)
    ) == [f"Verwijderde gebruiker {student.pk}"]
    # Signing in with the old address and password no longer works.
    response = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 200


def test_erasure_ends_every_session_of_the_person(client, student, researcher):
    other_browser, someone_else = Client(), Client()
    other_browser.force_login(student)
    someone_else.force_login(researcher)
    sign_in(client, student)
    assert Session.objects.filter(session_key=other_browser.session.session_key).exists()

    client.post(ERASE, {"confirm_email": EMAIL})

    assert list(Session.objects.values_list("session_key", flat=True)) == [
        someone_else.session.session_key
    ]


def test_erasure_leaves_what_others_wrote_about_the_person_unchanged(client, student, scene):
    before = written_by_others(student)
    sign_in(client, student)

    client.post(ERASE, {"confirm_email": EMAIL})

    assert User.objects.get(pk=student.pk).email == f"user-{student.pk}@erased.invalid"
    assert written_by_others(student) == before
    # Spelled out, so the comparison above is known to have seen her name.
    note = CohortLogEntry.objects.get(action="note")
    assert (note.message, note.data) == (
        f"{NAME} is naar een andere groep gegaan.",
        {"student": NAME, "mail": EMAIL},
    )
    mail = Message.objects.get(pk=scene.quoted_mail.pk)
    assert (mail.to_email, mail.subject, mail.body_text) == (
        "rachid@leidenuniv.nl",
        f"{NAME} doet mee",
        f"{NAME} ({EMAIL}) heeft zich aangemeld.",
    )
    assert HandoverDossier.objects.get(pk=scene.made.dossier.pk).contacts == (
        f"Vraag {NAME} om advies."
    )


def test_erasure_leaves_someone_with_the_same_name_alone(student, scene):
    namesake = bystander_named(NAME)
    mail = Message.objects.get(recipient=namesake)

    account_anonymise(user_id=student.pk)

    assert User.objects.get(pk=namesake.pk).name == NAME
    assert Message.objects.get(pk=mail.pk).body_text == f"Hallo {NAME}, welkom."


def test_erasure_blanks_the_contact_fields_of_a_challenge_with_the_persons_verified_address(
    student, scene
):
    # An address she added but never confirmed may be anyone's: it ties nothing.
    EmailAddress.objects.create(user=student, email="sanne.prive@example.org", verified=False)
    unconfirmed = ChallengeFactory(
        contact_name=NAME, contact_email="sanne.prive@example.org", contact_phone="06 1"
    )
    someone_elses = ChallengeFactory(
        contact_name="Paul Bakker", contact_email="paul@example.org", contact_phone="06 2"
    )

    account_anonymise(user_id=student.pk)

    contacts = Challenge.objects.filter(
        pk__in=[scene.challenge.pk, unconfirmed.pk, someone_elses.pk]
    ).order_by("pk")
    assert list(
        contacts.values_list("title", "contact_name", "contact_email", "contact_phone")
    ) == [
        # Her challenge stays the organisation's record; only the contact is blanked.
        ("Samen lezen in Noord", "", "", ""),
        (unconfirmed.title, NAME, "sanne.prive@example.org", "06 1"),
        (someone_elses.title, "Paul Bakker", "paul@example.org", "06 2"),
    ]
    assert Challenge.objects.get(pk=scene.challenge.pk).created_by_id == student.pk


def test_erasure_deletes_the_files_the_person_uploaded_after_commit(
    student, scene, django_capture_on_commit_callbacks
):
    attachment = scene.attachment
    assert default_storage.exists(attachment.file.name)

    with django_capture_on_commit_callbacks() as callbacks:
        account_anonymise(user_id=student.pk)

    # The row is gone at once; the file only once the erasure is committed, so that a
    # rolled-back erasure leaves it.
    assert ChallengeAttachment.objects.filter(pk=attachment.pk).exists() is False
    assert default_storage.exists(attachment.file.name) is True
    for callback in callbacks:
        callback()
    assert default_storage.exists(attachment.file.name) is False


def test_erasure_keeps_group_products_and_dossiers(student, scene):
    made, product = scene.made, scene.product
    kept = {
        declaration.model: declaration.erase
        for declaration in declarations()
        if declaration.model.startswith("projects.Handover")
    }

    account_anonymise(user_id=student.pk)

    assert kept == {
        "projects.HandoverDossier": Keep(GROUPS_RECORD),
        "projects.HandoverProduct": Keep(GROUPS_RECORD),
        "projects.HandoverDossierVersion": Keep(GROUPS_RECORD),
    }
    product.refresh_from_db()
    assert (product.title, product.added_by_id) == ("Verslag", student.pk)
    assert default_storage.exists(product.file.name)
    with default_storage.open(product.file.name) as stored:
        assert stored.read() == b"verslag"
    dossier = HandoverDossier.objects.get(pk=made.dossier.pk)
    version = HandoverDossierVersion.objects.get(pk=made.version.pk)
    assert (dossier.summary, dossier.updated_by_id) == ("Wekelijks taalcafé", student.pk)
    assert (version.content["summary"], version.saved_by_id) == ("Wekelijks taalcafé", student.pk)


def test_erasure_keeps_the_counts_and_history_others_need(student, scene):
    made = scene.made
    counted = (
        Enrolment,
        HoursEntry,
        Reflection,
        Registration,
        MeetingSeat,
        Message,
        Reminder,
        CohortLogEntry,
        ChallengeLogEntry,
        ChallengeMessage,
        EventLogEntry,
        PartnerFeedback,
        HandoverProduct,
        EnrolmentAudit,
        RegistrationAudit,
    )
    counts = {model: model.objects.count() for model in counted}

    account_anonymise(user_id=student.pk)

    assert {model: model.objects.count() for model in counted} == counts
    assert HoursEntry.objects.get(pk=scene.decided.pk).decided_by_id == student.pk
    assert list(
        EnrolmentAudit.objects.filter(pgh_obj_id=made.enrolments[0].pk).values_list(
            "student_id", flat=True
        )
    ) == [student.pk]
    assert RegistrationAudit.objects.filter(person_id=student.pk).exists()


def test_erasure_with_a_wrong_confirmation_is_refused_and_writes_nothing(client, student, scene):
    User.objects.filter(pk=student.pk).update(language="en")
    sign_in(client, student)
    student.refresh_from_db()
    before = (personal_data(student), written_by_others(student), Session.objects.count())

    response = client.post(ERASE, {"confirm_email": "sanne@student.hsleiden.n"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="sanne@student.hsleiden.n"' in html
    assert (
        '<ul class="errorlist" id="id_confirm_email_error"><li>'
        '<span class="visually-hidden">Error: </span>'
        "Type the email address of your account exactly to confirm.</li></ul>"
    ) in html
    student.refresh_from_db()
    assert (personal_data(student), written_by_others(student), Session.objects.count()) == before
    assert default_storage.exists(scene.attachment.file.name)


@pytest.mark.parametrize("typed", ["", " ", "x" * 300, "<b>sanne</b>", "\x00"])
def test_erasure_with_strange_confirmation_is_refused_without_error(client, student, typed):
    sign_in(client, student)

    response = client.post(ERASE, {"confirm_email": typed})

    assert response.status_code == 200
    assert User.objects.get(pk=student.pk).name == NAME


def test_erasure_asks_to_sign_in_again_after_a_while(client, student):
    # force_login records no recent sign-in, as if the person signed in long ago.
    client.force_login(student)

    response = client.post(ERASE, {"confirm_email": EMAIL})

    assert response.status_code == 302
    assert response.url.startswith(reverse("account_reauthenticate"))
    assert User.objects.get(pk=student.pk).name == NAME


def test_erasure_page_shows_the_form_to_the_signed_in_person(client, student):
    client.force_login(student)

    html = client.get(ERASE).content.decode()

    assert 'name="confirm_email"' in html


def test_erasure_form_shown_after_signing_in_again_posts_to_the_erasure(client, student):
    # No recent sign-in: the first try asks for the password, then allauth shows the erasure
    # page again at its own address, where a form without an action would post to.
    client.force_login(student)
    first = client.post(ERASE, {"confirm_email": "iets anders"})
    assert first.url.startswith(reverse("account_reauthenticate"))

    resumed = client.post(first.url, {"password": PASSWORD}, follow=True)

    html = resumed.content.decode()
    assert f'<form method="post" action="{ERASE}" novalidate>' in html
    assert User.objects.get(pk=student.pk).name == NAME


def test_erasure_of_the_last_coordinator_is_refused(coordinator, english):
    with pytest.raises(ErasureError) as refused:
        account_erase(user=coordinator, confirm_email=coordinator.email)

    assert str(refused.value).startswith("You are the last coordinator.")
    assert User.objects.get(pk=coordinator.pk).name == "Cora Coördinator"


def test_erasure_of_a_coordinator_with_a_colleague_takes_their_staff_rights(coordinator):
    CoordinatorFactory()

    account_erase(user=coordinator, confirm_email=coordinator.email)

    user = User.objects.get(pk=coordinator.pk)
    assert (user.is_staff, user.is_superuser, list(user.groups.all())) == (False, False, [])


def test_erasure_with_a_place_in_an_open_group_is_refused(student, english):
    enrolment = EnrolmentFactory(student=student, motivation="Graag!")

    with pytest.raises(ErasureError):
        account_erase(user=student, confirm_email=student.email)

    assert Enrolment.objects.get(pk=enrolment.pk).motivation == "Graag!"
    assert User.objects.get(pk=student.pk).email == EMAIL


def test_erasure_twice_changes_nothing_the_second_time(student):
    first = account_anonymise(user_id=student.pk)
    erased = User.objects.get(pk=student.pk)

    second = account_anonymise(user_id=student.pk)

    assert (first is not None, second) == (True, None)
    assert User.objects.get(pk=student.pk).email == erased.email


def test_erasure_of_someone_who_logs_in_with_their_institution_only(client, db):
    # No password to confirm: typing the address is the confirmation.
    person = UserFactory(email="lisa@mail.example.org", password=None)
    person.set_unusable_password()
    person.save(update_fields=["password"])
    SocialAccount.objects.create(user=person, provider="surfconext", uid="pseudonym-of-lisa")
    sign_in_for_admin(client, person)

    response = client.post(ERASE, {"confirm_email": "lisa@mail.example.org"})

    assert response.status_code == 302
    assert SocialAccount.objects.count() == 0
    assert User.objects.get(pk=person.pk).email == f"user-{person.pk}@erased.invalid"


USERS = reverse("admin:accounts_user_changelist")


def test_coordinator_erases_an_account_from_the_admin_after_confirming(
    client, coordinator, student
):
    sign_in_for_admin(client, coordinator)
    chosen = {"action": "erase_accounts", "_selected_action": [student.pk]}

    confirm = client.post(USERS, chosen)

    assert confirm.status_code == 200
    assert "Wissen kun je niet terugdraaien." in confirm.content.decode()
    assert User.objects.get(pk=student.pk).name == NAME

    done = client.post(USERS, {**chosen, "apply": "1"}, follow=True)

    assert User.objects.get(pk=student.pk).name == f"Verwijderde gebruiker {student.pk}"
    assert [str(m) for m in done.context["messages"]] == ["1 account gewist."]


def test_coordinator_erasing_someone_with_a_place_under_way_is_told_why(
    client, coordinator, student
):
    EnrolmentFactory(student=student, motivation="Graag!")
    sign_in_for_admin(client, coordinator)

    done = client.post(
        USERS,
        {"action": "erase_accounts", "_selected_action": [student.pk], "apply": "1"},
        follow=True,
    )

    assert [str(m) for m in done.context["messages"]] == [
        (
            f"{student.pk}: Je hebt nog een plek in een groep of bij een Meet & Match die nog "
            "niet voorbij is. Meld je eerst af, of vraag het ons via privacy@lerenmetdestad.nl."
        )
    ]
    assert User.objects.get(pk=student.pk).name == NAME


def test_accounts_cannot_be_deleted_in_bulk_from_the_admin(client, coordinator, student):
    sign_in_for_admin(client, coordinator)

    html = client.get(USERS).content.decode()

    assert 'value="erase_accounts"' in html
    assert 'value="delete_selected"' not in html
