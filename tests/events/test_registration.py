"""The registration rules: places, the waiting list, who may register and whom one may choose,
cancelling with promotion, and the check-in at the door."""

import re
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from events.enums import Audience, EventState, RoleAtEvent
from events.enums import RegistrationState as R
from events.models import Registration
from events.selectors import waitlist_position
from events.services.errors import EventError
from events.services.registration import cancel_registration, check_in, register
from outbox.models import Message
from tests.events.factories import EventFactory, RegistrationFactory
from tests.factories import ResearcherFactory, ThemeFactory
from tests.partners.challenge_setup import speaks_english

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def researcher(researcher):
    return speaks_english(researcher)


def people(count: int):
    """Researchers who read their mail in English, the language of our msgids."""
    return ResearcherFactory.create_batch(count, language="en")


def refused(message: str):
    return pytest.raises(EventError, match=re.escape(message))


def sign_up(event, person, **extra):
    values = {
        "event_id": event.pk,
        "person": person,
        "role_at_event": RoleAtEvent.RESEARCHER,
        "brings": "Onderzoek naar eenzaamheid.",
        "seeks": "Een buurthuis.",
        "themes": [],
        "listed": True,
        "wants_to_meet_ids": [],
        "rather_not_meet_ids": [],
    }
    return register(**(values | extra))


# --- Places and the waiting list ----------------------------------------------------------------


def test_register_gives_a_place_and_mails_the_check_in_code_and_calendar_link(researcher):
    event = EventFactory(slug="najaar")
    theme = ThemeFactory(name="Eenzaamheid", slug="eenzaamheid")

    registration = sign_up(event, researcher, themes=[theme], listed=False)

    registration.refresh_from_db()
    assert (registration.state, registration.listed, list(registration.themes.all())) == (
        R.REGISTERED,
        False,
        [theme],
    )
    message = Message.objects.get()
    assert (message.to_email, message.kind, message.subject) == (
        researcher.email,
        "event_updates",
        f"You have a place at {event.title}",
    )
    assert f"Your check-in code: {registration.check_in_code}" in message.body_text
    assert "http://127.0.0.1:8000/meet-and-match/najaar/agenda.ics" in message.body_text


def test_register_beyond_capacity_puts_people_on_the_waiting_list_in_order():
    event = EventFactory(capacity=2)
    crowd = people(4)

    registrations = [sign_up(event, person) for person in crowd]

    assert [r.state for r in registrations] == [R.REGISTERED, R.REGISTERED] + [R.WAITLISTED] * 2
    assert [waitlist_position(r) for r in registrations] == [None, None, 1, 2]
    waiting_mail = Message.objects.get(to_email=crowd[3].email)
    assert waiting_mail.subject == f"You are on the waiting list for {event.title}"
    assert "You are on the waiting list, number 2." in waiting_mail.body_text


def test_register_after_the_deadline_is_refused_and_writes_nothing(researcher):
    event = EventFactory(registration_deadline=timezone.now() - timedelta(minutes=1))

    with refused("The deadline to register has passed."):
        sign_up(event, researcher)

    assert (Registration.objects.count(), Message.objects.count()) == (0, 0)


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (EventState.CANCELLED, "This Meet & Match has been cancelled."),
        (EventState.DRAFT, "Registration for this Meet & Match is closed."),
        (EventState.REGISTRATION_CLOSED, "Registration for this Meet & Match is closed."),
    ],
)
def test_register_for_an_event_not_open_is_refused(researcher, state, message):
    event = EventFactory(state=state)

    with refused(message):
        sign_up(event, researcher)

    assert Registration.objects.count() == 0


def test_register_twice_is_refused_and_the_database_holds_one_row(researcher):
    event = EventFactory()
    sign_up(event, researcher)

    with refused("You are already registered for this Meet & Match: registered."):
        sign_up(event, researcher)

    assert Registration.objects.filter(event=event, person=researcher).count() == 1


def test_registration_table_refuses_a_second_row_for_the_same_person(researcher):
    first = RegistrationFactory(person=researcher)

    with pytest.raises(IntegrityError), transaction.atomic():
        RegistrationFactory(event=first.event, person=researcher)


def test_register_again_after_cancelling_joins_the_back_of_the_queue():
    event = EventFactory(capacity=1)
    first, second, third = people(3)
    sign_up(event, first)
    waiting = sign_up(event, second)
    cancel_registration(registration_id=waiting.pk, person=second)
    sign_up(event, third)

    again = sign_up(event, second)

    assert again.pk == waiting.pk
    assert again.state == R.WAITLISTED
    assert waitlist_position(again) == 2
    assert waitlist_position(Registration.objects.get(person=third)) == 1


def test_register_outside_the_audience_is_refused(student):
    event = EventFactory(audience=[Audience.RESEARCHER, Audience.PARTNER])

    with refused(
        "This Meet & Match is only for: researchers and lecturers, partner organisations."
    ):
        sign_up(event, student, role_at_event=RoleAtEvent.STUDENT)

    assert Registration.objects.count() == 0


def test_register_with_a_role_that_does_not_fit_the_account_is_refused(partner_member):
    event = EventFactory()

    with pytest.raises(EventError) as error:
        sign_up(event, partner_member, role_at_event=RoleAtEvent.RESEARCHER)

    assert (str(error.value), error.value.field) == (
        "Choose how you come: as one of the roles in the list.",
        "role_at_event",
    )


def test_register_without_what_you_bring_is_refused_on_that_field(researcher):
    event = EventFactory()

    with pytest.raises(EventError) as error:
        sign_up(event, researcher, brings="   ")

    assert (str(error.value), error.value.field) == (
        "Write in a few words what you bring.",
        "brings",
    )


# --- Whom one may choose ------------------------------------------------------------------------


def test_register_saves_the_people_chosen_among_the_listed(researcher):
    event = EventFactory()
    wanted = RegistrationFactory(event=event, listed=True)
    avoided = RegistrationFactory(event=event, listed=True, state=R.WAITLISTED)

    registration = sign_up(
        event, researcher, wants_to_meet_ids=[wanted.pk], rather_not_meet_ids=[avoided.pk]
    )

    assert list(registration.wants_to_meet.all()) == [wanted]
    assert list(registration.rather_not_meet.all()) == [avoided]


@pytest.mark.parametrize(
    "hidden",
    [
        {"listed": False},
        {"listed": True, "state": R.CANCELLED},
        {"listed": True, "event": "other"},
    ],
    ids=["not-listed", "cancelled", "other-event"],
)
def test_register_choosing_someone_not_visible_is_refused(researcher, hidden):
    event = EventFactory()
    if hidden.get("event") == "other":
        hidden = {**hidden, "event": EventFactory()}
    else:
        hidden = {**hidden, "event": event}
    invisible = RegistrationFactory(**hidden)

    with pytest.raises(EventError) as error:
        sign_up(event, researcher, wants_to_meet_ids=[invisible.pk])

    assert (str(error.value), error.value.field) == (
        "You can only choose people who are on the list of this Meet & Match.",
        "wants_to_meet",
    )
    assert Registration.objects.filter(person=researcher).count() == 0


def test_register_choosing_an_unlisted_person_to_avoid_is_refused(researcher):
    event = EventFactory()
    unlisted = RegistrationFactory(event=event, listed=False)

    with pytest.raises(EventError) as error:
        sign_up(event, researcher, rather_not_meet_ids=[unlisted.pk])

    assert error.value.field == "rather_not_meet"


def test_register_choosing_yourself_is_refused(researcher):
    event = EventFactory()
    mine = RegistrationFactory(event=event, person=researcher, state=R.CANCELLED, listed=True)

    with pytest.raises(EventError) as error:
        sign_up(event, researcher, wants_to_meet_ids=[mine.pk])

    assert error.value.field == "wants_to_meet"


def test_register_choosing_the_same_person_to_meet_and_avoid_is_refused(researcher):
    event = EventFactory()
    other = RegistrationFactory(event=event)

    with pytest.raises(EventError) as error:
        sign_up(event, researcher, wants_to_meet_ids=[other.pk], rather_not_meet_ids=[other.pk])

    assert error.value.field == "rather_not_meet"


# --- Cancelling ---------------------------------------------------------------------------------


def test_cancel_promotes_the_next_in_line_and_tells_them():
    event = EventFactory(capacity=1)
    first, second, third = people(3)
    place = sign_up(event, first)
    sign_up(event, second)
    sign_up(event, third)
    Message.objects.all().delete()

    cancel_registration(registration_id=place.pk, person=first)

    states = dict(Registration.objects.values_list("person__email", "state"))
    assert states == {
        first.email: R.CANCELLED,
        second.email: R.REGISTERED,
        third.email: R.WAITLISTED,
    }
    assert dict(Message.objects.values_list("to_email", "subject")) == {
        first.email: f"You have cancelled your registration for {event.title}",
        second.email: f"A place came free for you at {event.title}",
    }
    promoted = Registration.objects.get(person=second)
    assert promoted.check_in_code in Message.objects.get(to_email=second.email).body_text
    assert waitlist_position(Registration.objects.get(person=third)) == 1


def test_cancel_from_the_waiting_list_promotes_nobody():
    event = EventFactory(capacity=1)
    first, second, third = people(3)
    sign_up(event, first)
    waiting = sign_up(event, second)
    sign_up(event, third)

    cancel_registration(registration_id=waiting.pk, person=second)

    states = dict(Registration.objects.values_list("person__email", "state"))
    assert states == {
        first.email: R.REGISTERED,
        second.email: R.CANCELLED,
        third.email: R.WAITLISTED,
    }


def test_cancel_after_the_start_is_refused(researcher):
    event = EventFactory(
        starts_at=timezone.now() - timedelta(minutes=5),
        ends_at=timezone.now() + timedelta(hours=1),
        registration_deadline=timezone.now() - timedelta(days=1),
        state=EventState.SCHEDULED,
    )
    registration = RegistrationFactory(event=event, person=researcher)

    with refused("The Meet & Match has started: you can no longer cancel."):
        cancel_registration(registration_id=registration.pk, person=researcher)

    assert Registration.objects.get().state == R.REGISTERED


def test_cancel_of_someone_elses_registration_is_refused(researcher):
    registration = RegistrationFactory()

    with refused("This registration does not exist."):
        cancel_registration(registration_id=registration.pk, person=researcher)

    assert Registration.objects.get().state == R.REGISTERED


def test_cancel_twice_is_refused(researcher):
    registration = RegistrationFactory(person=researcher)
    cancel_registration(registration_id=registration.pk, person=researcher)

    with refused("You have already cancelled this registration."):
        cancel_registration(registration_id=registration.pk, person=researcher)


# --- Check-in -----------------------------------------------------------------------------------


def test_check_in_by_code_marks_the_person_arrived(coordinator):
    registration = RegistrationFactory(check_in_code="3FA9C1")
    moment = timezone.now()

    check_in(event_id=registration.event_id, actor=coordinator, code=" 3fa9c1 ", now=moment)

    assert Registration.objects.get().checked_in_at == moment


def test_check_in_with_an_unknown_code_is_refused_on_the_code_field(coordinator):
    registration = RegistrationFactory(check_in_code="3FA9C1")
    RegistrationFactory(check_in_code="ABCDEF")  # the code of another event

    with pytest.raises(EventError) as error:
        check_in(event_id=registration.event_id, actor=coordinator, code="ABCDEF")

    assert (str(error.value), error.value.field) == (
        "There is no registration with this code for this Meet & Match.",
        "code",
    )
    assert list(Registration.objects.values_list("checked_in_at", flat=True)) == [None, None]


def test_check_in_twice_says_when(coordinator):
    arrived = timezone.now().replace(hour=15, minute=2)
    registration = RegistrationFactory(checked_in_at=arrived)

    with refused(f"{registration.person.name} is already checked in, at "):
        check_in(event_id=registration.event_id, actor=coordinator, registration_id=registration.pk)


def test_check_in_of_someone_on_the_waiting_list_is_refused(coordinator):
    registration = RegistrationFactory(state=R.WAITLISTED)

    with refused("has no place at this Meet & Match (on the waiting list)."):
        check_in(event_id=registration.event_id, actor=coordinator, registration_id=registration.pk)


def test_check_in_by_a_non_coordinator_is_refused(researcher):
    registration = RegistrationFactory()

    with refused("Only coordinators can do this."):
        check_in(event_id=registration.event_id, actor=researcher, registration_id=registration.pk)

    assert Registration.objects.get().checked_in_at is None
