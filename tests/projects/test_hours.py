"""Hours: a student logs them, a lecturer or partner confirms or disputes them, also through
the signed link in the mail without logging in."""

import threading
import time
import urllib.error
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from outbox.models import Message
from projects.enums import EnrolmentState, HoursState
from projects.models import HoursEntry
from projects.services.hours import (
    HOURS_LINK_SALT,
    HoursError,
    HoursLinkExpiredError,
    hours_decide,
    hours_link_read,
    hours_link_token,
    hours_log,
)
from tests.factories import ResearcherFactory, StudentFactory
from tests.projects import reciprocity_scene as scene
from tests.projects.factories import EnrolmentFactory
from tests.projects.reciprocity_scene import (
    TODAY,
    ended_cohort,
    in_english,
    organisation_of,
    running_cohort,
)
from tests.support.live_requests import post_as
from tests.support.mail import delivered_text
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db, pytest.mark.usefixtures("english")]

# The shared scene's fixtures; pytest finds them by these names.
student = scene.student
partner_member = scene.partner_member
researcher = scene.researcher
library = scene.library
project = scene.project


@pytest.fixture
def client(client):
    """A visitor who chose English: the signed-link pages are seen without logging in."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def other_partner_member(other_partner_member):
    organisation_of(other_partner_member, "Woonzorg")
    return in_english(other_partner_member)


@pytest.fixture
def cohort(project):
    return running_cohort(project)


@pytest.fixture
def place(cohort, student):
    return EnrolmentFactory(cohort=cohort, student=student)


def _log(place, *, days_ago=1, hours="3", description="Interviews met bewoners", **extra):
    return hours_log(
        enrolment_id=place.pk,
        student=place.student,
        worked_on=TODAY - timedelta(days=days_ago),
        hours=Decimal(hours),
        description=description,
        **extra,
    )


def _entry(place, **fields):
    """An entry written straight to the table: no mails, any state."""
    values = {
        "worked_on": TODAY - timedelta(days=2),
        "hours": Decimal("2.5"),
        "description": "Koffieochtend",
    }
    values |= fields
    if values.get("state", HoursState.SUBMITTED) != HoursState.SUBMITTED:
        values.setdefault("decided_at", timezone.now())
    return HoursEntry.objects.create(enrolment=place, **values)


def _link(entry, decider) -> str:
    return reverse(
        "projects:hours-decide",
        kwargs={"token": hours_link_token(entry_id=entry.pk, decider_id=decider.pk)},
    )


class _SignerFromLongAgo(signing.TimestampSigner):
    """Signs as if the clock read `days` days ago: a link mailed back then."""

    def __init__(self, *, days: int, **kwargs):
        super().__init__(**kwargs)
        self.days = days

    def timestamp(self):
        return signing.b62_encode(int(time.time()) - self.days * 24 * 3600)


def _old_link(entry, decider, *, days: int) -> str:
    token = _SignerFromLongAgo(days=days, salt=HOURS_LINK_SALT).sign_object(
        {"e": entry.pk, "d": decider.pk}
    )
    return reverse("projects:hours-decide", kwargs={"token": token})


# --- Logging ------------------------------------------------------------------------------


def test_hours_log_stores_the_entry_and_mails_each_decider_once(
    place, partner_member, researcher, other_partner_member, coordinator
):
    entry = _log(place, hours="2.5", description="  Interviews   met bewoners ")

    assert HoursEntry.objects.values_list(
        "enrolment_id", "worked_on", "hours", "description", "state"
    ).get() == (
        place.pk,
        TODAY - timedelta(days=1),
        Decimal("2.5"),
        "Interviews met bewoners",
        HoursState.SUBMITTED,
    )
    assert sorted(Message.objects.values_list("to_email", "dedupe_key")) == sorted(
        [
            (partner_member.email, f"hours-request:{entry.pk}:{partner_member.pk}"),
            (researcher.email, f"hours-request:{entry.pk}:{researcher.pk}"),
        ]
    )


def test_hours_request_mail_carries_a_working_link_for_its_reader(client, place, partner_member):
    entry = _log(place)
    message = Message.objects.get(to_email=partner_member.email)
    url = next(word for word in delivered_text(message).split() if "/uren/bevestigen/" in word)
    # The link decides without a login: the outbox keeps it sealed.
    assert url not in message.body_text + message.body_html

    page = client.get(url.removeprefix(settings.SITE_URL))

    assert (
        Message.objects.get(to_email=partner_member.email).subject
    ) == "Please confirm: 3.0 hours of Sanne Student for Samen lezen"
    assert page.status_code == 200
    assert page.context["entry"] == entry
    assert page.context["decider"] == partner_member


def test_hours_log_refuses_a_day_in_the_future(place):
    with pytest.raises(HoursError) as refused:
        _log(place, days_ago=-1)

    assert str(refused.value) == "You cannot log hours for a day that has not come yet."
    assert HoursEntry.objects.count() == 0


def test_hours_log_refuses_a_day_before_the_group_started(place, cohort):
    with pytest.raises(HoursError) as refused:
        _log(place, days_ago=15)

    assert str(refused.value).startswith("Pick a day on which the group ran: from ")
    assert HoursEntry.objects.count() == 0


def test_hours_log_refuses_a_day_after_the_group_ended(project, student):
    ended = ended_cohort(project)
    place = EnrolmentFactory(cohort=ended, student=student)

    assert _log(place, days_ago=7).hours == Decimal("3.0")
    with pytest.raises(HoursError):
        _log(place, days_ago=6)


def test_hours_log_refuses_the_same_work_twice_on_one_day(place):
    _log(place, description="Interviews met bewoners")

    with pytest.raises(HoursError) as refused:
        _log(place, description="interviews met BEWONERS")

    assert str(refused.value) == "You already logged this work on this day."
    assert HoursEntry.objects.count() == 1


def test_hours_log_takes_the_work_again_after_a_dispute(place):
    _entry(place, description="Koffieochtend", state=HoursState.DISPUTED)

    entry = _log(place, days_ago=2, description="Koffieochtend", hours="2")

    assert entry.state == HoursState.SUBMITTED
    assert HoursEntry.objects.count() == 2


def test_hours_log_refuses_more_than_24_hours_on_one_day(place):
    _log(place, hours="20", description="Buurtfeest opbouwen")

    with pytest.raises(HoursError) as refused:
        _log(place, hours="4.5", description="Buurtfeest afbouwen")

    assert str(refused.value) == (
        "With these, you would log more than 24 hours on one day (20.0 already)."
    )
    assert HoursEntry.objects.count() == 1


@pytest.mark.parametrize("hours", ["0", "-1", "24.5", "1.25", "1e30", "NaN"])
def test_hours_log_refuses_hours_that_cannot_be(place, hours):
    with pytest.raises(HoursError):
        _log(place, hours=hours)

    assert HoursEntry.objects.count() == 0


def test_hours_log_refuses_before_the_group_starts(student):
    place = EnrolmentFactory(student=student)  # an open group that starts in three weeks

    with pytest.raises(HoursError) as refused:
        _log(place, days_ago=0)

    assert str(refused.value) == "You can log hours once the group has started."


def test_hours_log_refuses_someone_elses_place_and_a_former_member(place, cohort):
    with pytest.raises(HoursError) as other:
        hours_log(
            enrolment_id=place.pk,
            student=StudentFactory(),
            worked_on=TODAY,
            hours=Decimal(1),
            description="Meekijken",
        )
    gone = EnrolmentFactory(cohort=cohort, state=EnrolmentState.WITHDRAWN)
    with pytest.raises(HoursError) as former:
        _log(gone)

    assert str(other.value) == "This registration does not exist."
    assert str(former.value) == "Only members of the group log hours."
    assert HoursEntry.objects.count() == 0


# --- Deciding -----------------------------------------------------------------------------


def test_hours_decide_confirms_and_tells_the_student(place, partner_member, student):
    entry = _entry(place)

    hours_decide(entry_id=entry.pk, decider=partner_member, confirm=True, note="ignored")

    entry.refresh_from_db()
    assert (entry.state, entry.decided_by, entry.dispute_note) == (
        HoursState.CONFIRMED,
        partner_member,
        "",
    )
    assert list(Message.objects.values_list("to_email", "subject")) == [
        (student.email, "Your 2.5 hours for Samen lezen are confirmed")
    ]


def test_hours_decide_dispute_keeps_the_note_for_the_student(place, researcher, student):
    entry = _entry(place)

    hours_decide(entry_id=entry.pk, decider=researcher, confirm=False, note="Ik was er niet bij.")

    entry.refresh_from_db()
    assert (entry.state, entry.decided_by, entry.dispute_note) == (
        HoursState.DISPUTED,
        researcher,
        "Ik was er niet bij.",
    )
    assert "Why: Ik was er niet bij." in Message.objects.get(to_email=student.email).body_text


def test_hours_decide_dispute_needs_a_note(place, partner_member):
    entry = _entry(place)

    with pytest.raises(HoursError) as refused:
        hours_decide(entry_id=entry.pk, decider=partner_member, confirm=False, note="  ")

    assert str(refused.value) == (
        "Say why you dispute these hours, so the student can correct them."
    )
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_hours_decide_second_decision_is_refused_with_the_first(place, partner_member, researcher):
    entry = _entry(place)
    hours_decide(entry_id=entry.pk, decider=partner_member, confirm=True)

    with pytest.raises(HoursError) as refused:
        hours_decide(entry_id=entry.pk, decider=researcher, confirm=False, note="Te veel")

    today = timezone.localdate().strftime("%-d %B %Y")
    assert str(refused.value) == (
        f"These hours have already been decided: confirmed by Paul Partner on {today}."
    )
    entry.refresh_from_db()
    assert (entry.state, entry.decided_by) == (HoursState.CONFIRMED, partner_member)


@pytest.mark.parametrize("who", ["other_partner_member", "other_researcher", "student"])
def test_hours_decide_refused_outside_the_project(request, place, who):
    decider = ResearcherFactory() if who == "other_researcher" else request.getfixturevalue(who)
    entry = _entry(place)

    with pytest.raises(HoursError) as refused:
        hours_decide(entry_id=entry.pk, decider=decider, confirm=True)

    assert str(refused.value) == "Only the project's teachers and partner can confirm its hours."
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_hours_decide_by_a_coordinator(place, coordinator):
    entry = _entry(place)

    hours_decide(entry_id=entry.pk, decider=coordinator, confirm=True)

    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.CONFIRMED


# --- The signed link ----------------------------------------------------------------------


def test_link_get_shows_the_entry_and_decides_nothing(client, place, partner_member):
    entry = _entry(place, description="Koffieochtend in de bibliotheek")

    page = client.get(_link(entry, partner_member))

    text = page.content.decode()
    assert page.status_code == 200
    assert "Sanne Student logged these hours for Samen lezen." in text
    assert "Koffieochtend in de bibliotheek" in text
    assert "You answer as Paul Partner." in text
    assert page.headers["X-Robots-Tag"] == "noindex"
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_link_post_confirms_without_logging_in(client, place, partner_member):
    entry = _entry(place)

    page = client.post(_link(entry, partner_member), {"decision": "confirm"})

    assert page.status_code == 200
    assert "You confirmed 2.5 hours of Sanne Student." in page.content.decode()
    entry.refresh_from_db()
    assert (entry.state, entry.decided_by) == (HoursState.CONFIRMED, partner_member)


def test_link_post_disputes_with_a_note(client, place, researcher):
    entry = _entry(place)

    page = client.post(_link(entry, researcher), {"decision": "dispute", "note": "Dit was 1 uur."})

    assert "You disputed 2.5 hours of Sanne Student." in page.content.decode()
    entry.refresh_from_db()
    assert (entry.state, entry.decided_by, entry.dispute_note) == (
        HoursState.DISPUTED,
        researcher,
        "Dit was 1 uur.",
    )


def test_link_dispute_without_a_note_asks_for_one(client, place, partner_member):
    entry = _entry(place)

    page = client.post(_link(entry, partner_member), {"decision": "dispute", "note": ""})

    assert page.status_code == 400
    assert "Say why you dispute these hours, so the student can correct them." in (
        page.content.decode()
    )
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_link_with_a_made_up_decision_changes_nothing(client, place, partner_member):
    entry = _entry(place)

    page = client.post(_link(entry, partner_member), {"decision": "delete"})

    assert page.status_code == 400
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_link_expired_is_refused_with_a_clear_page(client, place, partner_member):
    entry = _entry(place)
    days = settings.HOURS_LINK_MAX_AGE_DAYS

    fresh = client.get(_old_link(entry, partner_member, days=days - 1))
    expired = client.post(_old_link(entry, partner_member, days=days + 1), {"decision": "confirm"})

    assert fresh.status_code == 200
    assert expired.status_code == 410
    assert "This link has expired." in expired.content.decode()
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_link_read_expires_after_the_max_age_setting(place, partner_member, settings):
    settings.HOURS_LINK_MAX_AGE_DAYS = 5
    entry = _entry(place)
    token = hours_link_token(entry_id=entry.pk, decider_id=partner_member.pk)

    later = hours_link_read(token=token, now=timezone.now() + timedelta(days=4, hours=23))
    with pytest.raises(HoursLinkExpiredError):
        hours_link_read(token=token, now=timezone.now() + timedelta(days=5, minutes=1))

    assert (later.entry, later.decider) == (entry, partner_member)


@pytest.mark.parametrize("damage", ["entry", "decider", "cut", "garbage"])
def test_link_tampered_is_refused(client, place, partner_member, researcher, damage):
    entry = _entry(place)
    token = hours_link_token(entry_id=entry.pk, decider_id=partner_member.pk)
    other = hours_link_token(entry_id=entry.pk + 1, decider_id=researcher.pk)
    payload, stamp, signature = token.split(":")
    other_payload = other.split(":")[0]
    tampered = {
        "entry": f"{other_payload}:{stamp}:{signature}",
        "decider": f"{payload[:-2]}xy:{stamp}:{signature}",
        "cut": token[:-4],
        "garbage": "niet-een-echte-link",
    }[damage]

    page = client.post(
        reverse("projects:hours-decide", kwargs={"token": tampered}), {"decision": "confirm"}
    )

    assert page.status_code == 400
    assert "This link does not work." in page.content.decode()
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_link_to_decided_hours_says_so(client, place, partner_member, researcher):
    entry = _entry(place)
    hours_decide(entry_id=entry.pk, decider=researcher, confirm=False, note="Niet gezien")

    page = client.post(_link(entry, partner_member), {"decision": "confirm"})

    today = timezone.localdate().strftime("%-d %B %Y")
    assert page.status_code == 409
    assert (
        f"These hours have already been decided: disputed by Rachid Onderzoeker on {today}."
        in page.content.decode()
    )
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.DISPUTED


def test_link_for_someone_outside_the_project_is_refused(
    client, place, other_partner_member, partner_member
):
    entry = _entry(place)
    # Paul left the library after the mail went out.
    partner_member.memberships.all().delete()

    stranger = client.post(_link(entry, other_partner_member), {"decision": "confirm"})
    former = client.post(_link(entry, partner_member), {"decision": "confirm"})

    assert (stranger.status_code, former.status_code) == (403, 403)
    assert "You can no longer confirm hours for this project." in former.content.decode()
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED


def test_link_page_speaks_the_deciders_language(client, place, partner_member):
    partner_member.language = "nl"
    partner_member.save(update_fields=["language"])
    entry = _entry(place)

    page = client.get(_link(entry, partner_member))

    assert page.headers["Content-Language"] == "nl"


# --- The student's hours page -------------------------------------------------------------


def test_hours_page_lists_the_entries_and_totals(client, place, student, partner_member):
    _entry(place, hours=Decimal(3), state=HoursState.CONFIRMED, decided_by=partner_member)
    _entry(place, hours=Decimal("1.5"), state=HoursState.CONFIRMED, worked_on=TODAY)
    _entry(place, hours=Decimal(2), description="Flyeren")
    _entry(place, hours=Decimal(4), state=HoursState.DISPUTED, dispute_note="Te veel")
    client.force_login(student)

    page = client.get(reverse("projects:hours", args=[place.pk]))

    totals = page.context["totals"]
    assert (totals.confirmed, totals.waiting, totals.disputed) == (
        Decimal("4.5"),
        Decimal(2),
        Decimal(4),
    )
    # Newest day first; within a day, the last logged first.
    assert [entry.hours for entry in page.context["entries"]] == [
        Decimal("1.5"),
        Decimal(4),
        Decimal(2),
        Decimal(3),
    ]
    assert "Te veel" in page.content.decode()


def test_hours_page_logs_and_comes_back(client, place, student):
    client.force_login(student)
    url = reverse("projects:hours", args=[place.pk])

    response = client.post(
        url,
        {"worked_on": str(TODAY), "hours": "2,5", "description": "Huisbezoeken"},
        follow=True,
    )

    assert response.redirect_chain == [(url, 302)]
    assert "Your hours have been logged." in response.content.decode()
    assert list(HoursEntry.objects.values_list("worked_on", "hours", "description")) == [
        (TODAY, Decimal("2.5"), "Huisbezoeken")
    ]


def test_hours_page_bad_input_keeps_what_was_typed(client, place, student):
    client.force_login(student)

    response = client.post(
        reverse("projects:hours", args=[place.pk]),
        {"worked_on": "gisteren", "hours": "veel", "description": "Huisbezoeken in Noord"},
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "Give a date, such as 2026-10-05." in text
    assert "Give the hours as a number, such as 2 or 1.5." in text
    assert 'value="Huisbezoeken in Noord"' in text
    assert HoursEntry.objects.count() == 0


def test_hours_page_refusal_keeps_what_was_typed(client, place, student):
    client.force_login(student)
    tomorrow = TODAY + timedelta(days=1)

    response = client.post(
        reverse("projects:hours", args=[place.pk]),
        {"worked_on": str(tomorrow), "hours": "2", "description": "Voorbereiden"},
    )

    text = response.content.decode()
    assert response.status_code == 400
    assert "You cannot log hours for a day that has not come yet." in text
    assert f'value="{tomorrow:%Y-%m-%d}"' in text
    assert HoursEntry.objects.count() == 0


def test_hours_page_is_only_for_the_student(
    client, place, partner_member, other_partner_member, researcher, coordinator
):
    url = reverse("projects:hours", args=[place.pk])

    anonymous = client.get(url)
    statuses = []
    for person in (StudentFactory(), partner_member, other_partner_member, researcher, coordinator):
        sign_in_for_admin(client, person)
        statuses.append(client.post(url, {"worked_on": str(TODAY), "hours": "1"}).status_code)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("account_login"))
    assert statuses == [404] * 5
    assert HoursEntry.objects.count() == 0


@pytest.mark.parametrize("count", [1, 12])
def test_hours_page_queries_do_not_grow_with_entries(
    client, place, student, partner_member, count, django_assert_num_queries
):
    for day in range(count):
        _entry(
            place,
            worked_on=TODAY - timedelta(days=day % 10),
            description=f"Werk {day}",
            state=HoursState.CONFIRMED,
            decided_by=partner_member,
        )
    client.force_login(student)

    with django_assert_num_queries(5):
        page = client.get(reverse("projects:hours", args=[place.pk]))

    assert len(page.context["entries"]) == count


# --- Two deciders at once -----------------------------------------------------------------


def _race(live_server, paths: list[str]) -> list[int]:
    """POST "confirm" to each signed link at the same moment; the HTTP status of each."""
    barrier = threading.Barrier(len(paths))
    statuses = [0] * len(paths)

    def send(index, path):
        barrier.wait()
        try:
            statuses[index] = post_as(live_server.url, "", path, {"decision": "confirm"}).status
        except urllib.error.HTTPError as error:
            statuses[index] = error.code

    threads = [threading.Thread(target=send, args=pair) for pair in enumerate(paths)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


@pytest.fixture
def contested(project, partner_member, researcher, student):
    cohort = running_cohort(project, started_days_ago=7)
    entry = _entry(EnrolmentFactory(cohort=cohort, student=student))
    return entry, [_link(entry, partner_member), _link(entry, researcher)]


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_two_deciders_at_once_decide_once(live_server, settings, contested):
    settings.RACE_WINDOW_SECONDS = 0.5
    entry, paths = contested

    statuses = _race(live_server, paths)

    # The second waits for the lock and finds the entry decided; or, arriving later, its
    # link already says so.
    assert sorted(statuses) in ([200, 400], [200, 409])
    assert Message.objects.filter(dedupe_key=f"hours-decided:{entry.pk}").count() == 1
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.CONFIRMED


@pytest.mark.concurrency
@pytest.mark.django_db(transaction=True)
def test_without_the_lock_both_deciders_decide(live_server, settings, contested):
    settings.RACE_WINDOW_SECONDS = 0.5
    settings.ROW_LOCKS_ENABLED = False
    _contested_entry, paths = contested

    statuses = _race(live_server, paths)

    assert statuses == [200, 200]


# --- The admin ----------------------------------------------------------------------------


def test_hours_admin_is_read_only_for_coordinators(client, place, coordinator, partner_member):
    entry = _entry(place, description="Koffieochtend in Noord")
    change_url = reverse("admin:projects_hoursentry_change", args=[entry.pk])
    sign_in_for_admin(client, coordinator)

    listing = client.get(reverse("admin:projects_hoursentry_changelist"))
    change = client.get(change_url)
    add = client.get(reverse("admin:projects_hoursentry_add"))
    edit = client.post(change_url, {"state": HoursState.CONFIRMED})
    client.force_login(partner_member)
    outsider = client.get(reverse("admin:projects_hoursentry_changelist"))

    assert "Koffieochtend in Noord" in listing.content.decode()
    assert (change.status_code, add.status_code, edit.status_code) == (200, 403, 403)
    assert outsider.status_code == 302
    assert HoursEntry.objects.get(pk=entry.pk).state == HoursState.SUBMITTED
