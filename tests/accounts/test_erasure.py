"""Erasing an account (/mijn/gegevens/wissen/): no trace of the person, while the records stay."""

import pytest
from allauth.account.models import EmailAddress
from allauth.socialaccount.models import SocialAccount, SocialToken
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.db import models
from django.db.models.functions import Cast
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from accounts.privacy.erasure import (
    ErasureError,
    account_anonymise,
    account_erase,
    text_replace_everywhere,
)
from coordination.models import EnrolmentAudit, RegistrationAudit
from events.models import EventLogEntry, Registration
from outbox.enums import MessageKind, MessageStatus
from outbox.models import Message
from outbox.services.queueing import message_queue
from partners.enums import ChallengeAction
from partners.models import Challenge, ChallengeLogEntry, Invitation, Membership
from projects.models import (
    CohortLogEntry,
    Enrolment,
    HandoverDossier,
    HandoverDossierVersion,
    HoursEntry,
    Reflection,
)
from tests.accounts.test_privacy_export import data_everywhere
from tests.factories import PASSWORD, CoordinatorFactory, UserFactory
from tests.partners.factories import InvitationFactory
from tests.projects.factories import EnrolmentFactory

pytestmark = pytest.mark.integration

ERASE = reverse("accounts:erase")
NAME, EMAIL = "Sanne Student", "sanne@student.hsleiden.nl"


def occurrences(*needles: str) -> set[tuple[str, str]]:
    """Every (table, column) of every model whose text holds one of the needles.

    Written apart from the erasure's own sweep on purpose: this is the check, not the code.
    """
    found = set()
    for model in apps.get_models():
        # Proxies and unmanaged models (pghistory's views) read tables that are checked anyway.
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(
                field, models.CharField | models.TextField | models.EmailField | models.JSONField
            ):
                continue
            rows = model._base_manager.annotate(as_text=Cast(field.name, models.TextField()))
            for needle in needles:
                if rows.filter(as_text__icontains=needle).exists():
                    found.add((model._meta.label, field.name))
    return found


@pytest.fixture
def quoted_everywhere(student, researcher, coordinator, partner_member):
    """Sanne's data everywhere, and her name and address quoted by others in logs and mail."""
    made = data_everywhere(student, other=researcher)
    cohort = made.enrolments[0].cohort
    challenge = cohort.project.challenge
    Challenge.objects.filter(pk=challenge.pk).update(contact_name=NAME, contact_email=EMAIL)
    CohortLogEntry.objects.create(
        cohort=cohort,
        actor=coordinator,
        action="note",
        message=f"{NAME} is naar een andere groep gegaan.",
        data={"student": NAME, "mail": EMAIL},
    )
    ChallengeLogEntry.objects.create(
        challenge=challenge,
        actor=student,
        action=ChallengeAction.EDIT,
        message=f"Vraag van {EMAIL}",
    )
    EventLogEntry.objects.create(
        event=made.registration.event,
        actor=coordinator,
        action="note",
        message=f"Afmelding van {NAME.upper()}",
    )
    message_queue(
        to_email=partner_member.email,
        kind=MessageKind.ACCOUNT,
        subject=f"{NAME} doet mee",
        body_text=f"{NAME} ({EMAIL}) heeft zich aangemeld.",
        language="nl",
        user=partner_member,
    )
    LogEntry.objects.create(
        user=coordinator,
        content_type=ContentType.objects.get_for_model(User),
        object_id=str(student.pk),
        object_repr=str(student),
        action_flag=CHANGE,
        change_message=f'[{{"changed": {{"fields": ["{NAME}"]}}}}]',
    )
    InvitationFactory(
        organisation=made.membership.organisation,
        email=EMAIL.upper(),
        accepted_at=timezone.now(),
        accepted_by=student,
    )
    HoursEntry.objects.filter(pk=made.hours[0].pk).update(dispute_note=f"{NAME} was er niet.")
    HandoverDossier.objects.filter(pk=made.dossier.pk).update(contacts=f"Vraag {NAME} om advies.")
    HandoverDossierVersion.objects.filter(pk=made.version.pk).update(
        content={"summary": "Wekelijks taalcafé", "contacts": f"Vraag {NAME} om advies."}
    )
    return made


def sign_in(client, user):
    # Confirmed with the password just now, as allauth asks before the erasure.
    client.force_login(user)
    response = client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    assert response.status_code == 302


def test_erasure_leaves_no_trace_of_name_or_email_anywhere(client, student, quoted_everywhere):
    other_browser = Client()
    other_browser.force_login(student)
    before = occurrences(NAME, EMAIL)
    sign_in(client, student)

    response = client.post(ERASE, {"confirm_email": f" {EMAIL.upper()} "})

    assert response.status_code == 302
    assert response.url == reverse("home")
    # Nothing is left, and the check did see the places it had to clean.
    assert occurrences(NAME, EMAIL) == set()
    assert {
        ("accounts.User", "name"),
        ("account.EmailAddress", "email"),
        ("outbox.Message", "body_text"),
        ("projects.CohortLogEntry", "data"),
        ("events.EventLogEntry", "message"),
        ("admin.LogEntry", "object_repr"),
        ("partners.Invitation", "email"),
        ("partners.Challenge", "contact_email"),
        ("projects.HandoverDossierVersion", "content"),
    } <= before
    assert Session.objects.filter(session_key=other_browser.session.session_key).exists() is False


def test_erasure_anonymises_the_account_and_blanks_the_persons_own_text(
    client, student, quoted_everywhere
):
    made = quoted_everywhere
    sign_in(client, student)

    client.post(ERASE, {"confirm_email": EMAIL})

    user = User.objects.get(pk=student.pk)
    assert (user.name, user.email) == (
        f"Verwijderde gebruiker {student.pk}",
        f"user-{student.pk}@erased.invalid",
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
    registration = Registration.objects.get(pk=made.registration.pk)
    assert (registration.brings, registration.seeks, registration.listed) == ("", "", False)
    assert list(registration.wants_to_meet.all()) == []
    assert made.follow_up.__class__.objects.get(pk=made.follow_up.pk).note == ""
    mail = Message.objects.get(pk=made.message.pk)
    assert (mail.to_email, mail.body_text, mail.body_html, mail.status) == (
        f"user-{student.pk}@erased.invalid",
        "",
        "",
        MessageStatus.FAILED,
    )
    # Signing in with the old address and password no longer works.
    response = client.post(reverse("account_login"), {"login": EMAIL, "password": PASSWORD})
    assert response.status_code == 200


def test_erasure_keeps_handover_dossiers_counts_and_history(client, student, quoted_everywhere):
    made = quoted_everywhere
    counts = {
        model: model.objects.count()
        for model in (
            Enrolment,
            HoursEntry,
            Reflection,
            Registration,
            Message,
            CohortLogEntry,
            ChallengeLogEntry,
            EventLogEntry,
            HandoverDossierVersion,
            EnrolmentAudit,
        )
    }
    sign_in(client, student)

    client.post(ERASE, {"confirm_email": EMAIL})

    assert {model: model.objects.count() for model in counts} == counts
    dossier = HandoverDossier.objects.get(pk=made.dossier.pk)
    version = HandoverDossierVersion.objects.get(pk=made.version.pk)
    placeholder = f"Verwijderde gebruiker {student.pk}"
    assert (dossier.summary, dossier.contacts, dossier.updated_by_id) == (
        "Wekelijks taalcafé",
        f"Vraag {placeholder} om advies.",
        student.pk,
    )
    assert (version.content, version.saved_by_id) == (
        {"summary": "Wekelijks taalcafé", "contacts": f"Vraag {placeholder} om advies."},
        student.pk,
    )
    assert HoursEntry.objects.get(pk=made.hours[0].pk).hours == made.hours[0].hours
    assert list(
        EnrolmentAudit.objects.filter(pgh_obj_id=made.enrolments[0].pk).values_list(
            "student_id", flat=True
        )
    ) == [student.pk]
    assert RegistrationAudit.objects.filter(person_id=student.pk).exists()
    entry = CohortLogEntry.objects.get(action="note")
    assert (entry.message, entry.data) == (
        f"{placeholder} is naar een andere groep gegaan.",
        {"student": placeholder, "mail": f"user-{student.pk}@erased.invalid"},
    )


def test_erasure_with_a_wrong_confirmation_is_refused_and_writes_nothing(
    client, student, quoted_everywhere
):
    User.objects.filter(pk=student.pk).update(language="en")
    sign_in(client, student)
    before = occurrences(NAME, EMAIL)

    response = client.post(ERASE, {"confirm_email": "sanne@student.hsleiden.n"})

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="sanne@student.hsleiden.n"' in html
    assert (
        '<ul class="errorlist" id="id_confirm_email_error"><li>'
        '<span class="visually-hidden">Error: </span>'
        "Type the email address of your account exactly to confirm.</li></ul>"
    ) in html
    assert occurrences(NAME, EMAIL) == before
    assert User.objects.get(pk=student.pk).is_active is True


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


def test_text_sweep_replaces_whole_names_and_addresses_only(db):
    ann = UserFactory(name="Jan", email="ann@x.nl")
    bystander = UserFactory(name="Joann", email="joann@x.nl")
    Message.objects.create(
        to_email=bystander.email,
        kind=MessageKind.ACCOUNT,
        language="nl",
        subject="Januari",
        body_text="Jan en joann@x.nl; mail ann@x.nl.",
        message_id=Message.new_message_id(),
    )

    text_replace_everywhere(
        names=[ann.name],
        emails=[ann.email],
        name_replacement="N.N.",
        email_replacement="weg@erased.invalid",
    )

    message = Message.objects.get()
    assert (message.subject, message.body_text, message.to_email) == (
        "Januari",
        "N.N. en joann@x.nl; mail weg@erased.invalid.",
        "joann@x.nl",
    )
    assert Invitation.objects.count() == 0


def test_erasure_of_someone_who_logs_in_with_their_institution_only(client, db):
    # No password to confirm: typing the address is the confirmation.
    person = UserFactory(email="lisa@mail.example.org", password=None)
    person.set_unusable_password()
    person.save(update_fields=["password"])
    SocialAccount.objects.create(user=person, provider="surfconext", uid="pseudonym-of-lisa")
    client.force_login(person)

    response = client.post(ERASE, {"confirm_email": "lisa@mail.example.org"})

    assert response.status_code == 302
    assert SocialAccount.objects.count() == 0
    assert User.objects.get(pk=person.pk).email == f"user-{person.pk}@erased.invalid"
