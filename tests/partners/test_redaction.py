"""Coordinators redact words that name someone from a challenge's conversation and history,
through the admin's "Redact text" action: the words and a reason, a preview before and after,
then the change on confirm, with a log line that keeps the reason and never the words."""

import pytest
from django.contrib.auth.models import Permission
from django.utils import translation

from partners.enums import ChallengeAction, ChallengeState
from partners.models import ChallengeLogEntry, ChallengeMessage
from tests.factories import PartnerMemberFactory
from tests.partners.challenge_setup import challenge_in, organisation_with_member, speaks_english
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

MESSAGES = "/beheer/partners/challengemessage/"
HISTORY = "/beheer/partners/challengelogentry/"
REASON = "Verzoek van de bewoner zelf, per mail van 3 december."


@pytest.fixture
def coordinator(coordinator):
    return speaks_english(coordinator)


@pytest.fixture
def admin_client(client, coordinator):
    sign_in_for_admin(client, coordinator)
    return client


@pytest.fixture
def challenge(partner_member):
    organisation = organisation_with_member(partner_member)
    return challenge_in(ChallengeState.IN_REVIEW, organisation, title="Ouderen in De Kooi")


def message(challenge, body: str) -> ChallengeMessage:
    return ChallengeMessage.objects.create(challenge=challenge, body=body)


def redact(client, url: str, rows, **fields):
    return client.post(
        url,
        {"action": "redact_text", "_selected_action": [row.pk for row in rows], **fields},
        follow=True,
    )


def shown(response) -> list[str]:
    return [str(m) for m in response.context["messages"]]


def bodies(*rows) -> list[str]:
    return [ChallengeMessage.objects.get(pk=row.pk).body for row in rows]


def redactions() -> list[tuple]:
    return list(
        ChallengeLogEntry.objects.filter(action=ChallengeAction.REDACT).values_list(
            "challenge__title", "actor__name", "message", "data"
        )
    )


# --- Redacting ----------------------------------------------------------------------------------


def test_redact_text_replaces_the_words_in_the_selected_messages_only(admin_client, challenge):
    named = message(challenge, "Mevrouw Jansen belde. JANSEN wil niet meer; jansen-de Vries ook.")
    also_named = message(challenge, "Het huis van mevrouw jansen is te klein.")
    not_selected = message(challenge, "Jansen komt dinsdag langs.")

    response = redact(
        admin_client,
        MESSAGES,
        [named, also_named],
        words="jansen",
        reason=REASON,
        apply="1",
    )

    assert shown(response) == ["Text redacted in 2 messages."]
    assert bodies(named, also_named, not_selected) == [
        "Mevrouw [verwijderd] belde. [verwijderd] wil niet meer; [verwijderd]-de Vries ook.",
        "Het huis van mevrouw [verwijderd] is te klein.",
        "Jansen komt dinsdag langs.",
    ]


def test_redact_text_matches_literal_text_not_a_pattern(admin_client, challenge):
    dotted = message(challenge, "Zie a.b en axb en A.B.")
    markup = message(challenge, "Zij schreef <b>Piet</b> vetgedrukt, en <B> nog eens.")

    redact(admin_client, MESSAGES, [dotted], words="a.b", reason=REASON, apply="1")
    redact(admin_client, MESSAGES, [markup], words="<b>", reason=REASON, apply="1")

    assert bodies(dotted, markup) == [
        "Zie [verwijderd] en axb en [verwijderd].",
        "Zij schreef [verwijderd]Piet</b> vetgedrukt, en [verwijderd] nog eens.",
    ]


def test_redact_text_writes_a_log_line_with_the_reason_and_not_the_words(
    admin_client, coordinator, challenge
):
    first = message(challenge, "Bel Karel Appel op 06-12345678.")
    second = message(challenge, "Karel Appel kan niet.")

    redact(admin_client, MESSAGES, [first, second], words="Karel Appel", reason=REASON, apply="1")

    assert redactions() == [
        ("Ouderen in De Kooi", coordinator.name, REASON, {"messages": [first.pk, second.pk]})
    ]
    assert "Karel" not in str(ChallengeLogEntry.objects.values_list().get())


def test_redact_text_in_the_history_redacts_the_log_message(admin_client, coordinator, challenge):
    decision = ChallengeLogEntry.objects.create(
        challenge=challenge,
        action=ChallengeAction.DECLINE,
        message="Past niet: mevrouw Jansen is al met Buurtzorg bezig.",
    )

    response = redact(admin_client, HISTORY, [decision], words="Jansen", reason=REASON, apply="1")

    assert shown(response) == ["Text redacted in 1 message."]
    assert ChallengeLogEntry.objects.get(pk=decision.pk).message == (
        "Past niet: mevrouw [verwijderd] is al met Buurtzorg bezig."
    )
    assert redactions() == [
        ("Ouderen in De Kooi", coordinator.name, REASON, {"log_entries": [decision.pk]})
    ]


def test_redact_text_from_a_messages_own_page(admin_client, challenge):
    named = message(challenge, "Groeten van Jansen.")
    page = f"{MESSAGES}{named.pk}/change/"

    offered = admin_client.get(page).content.decode()
    response = admin_client.post(
        page,
        {
            "CHANGE_FORM-action": "redact_text",
            "_selected_action": [named.pk],
            "words": "Jansen",
            "reason": REASON,
            "apply": "1",
        },
        follow=True,
    )

    assert 'value="redact_text"' in offered
    assert shown(response) == ["Text redacted in 1 message."]
    assert bodies(named) == ["Groeten van [verwijderd]."]


def test_redact_text_when_the_words_are_not_there_says_so(admin_client, challenge):
    other = message(challenge, "Dinsdag om tien uur.")

    response = redact(admin_client, MESSAGES, [other], words="Jansen", reason=REASON, apply="1")

    assert shown(response) == ["The words were not in the selected messages; nothing changed."]
    assert (bodies(other), redactions()) == (["Dinsdag om tien uur."], [])


# --- Refused ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("words", "error"),
    [
        ("", "Give the words to remove."),
        ("J", "Give at least 2 characters to remove: fewer would blank out too much."),
        ("  J  ", "Give at least 2 characters to remove: fewer would blank out too much."),
    ],
)
def test_redact_text_with_empty_or_one_character_is_refused(admin_client, challenge, words, error):
    named = message(challenge, "Jansen belde.")

    response = redact(admin_client, MESSAGES, [named], words=words, reason=REASON, apply="1")

    assert parse(response.content).find("ul", id="id_words_error").text == f"Error: {error}"
    assert (bodies(named), redactions()) == (["Jansen belde."], [])


def test_redact_text_without_a_reason_is_refused(admin_client, challenge):
    named = message(challenge, "Jansen belde.")

    response = redact(admin_client, MESSAGES, [named], words="Jansen", reason=" ", apply="1")

    assert parse(response.content).find("ul", id="id_reason_error").text == (
        "Error: Say why the text is removed: the log keeps the reason."
    )
    assert (bodies(named), redactions()) == (["Jansen belde."], [])


def test_redact_text_with_the_words_in_the_reason_is_refused(admin_client, challenge):
    named = message(challenge, "Jansen belde.")

    response = redact(
        admin_client,
        MESSAGES,
        [named],
        words="Jansen",
        reason="Mevrouw jansen vroeg het.",
        apply="1",
    )

    assert parse(response.content).find("ul", id="id_reason_error").text == (
        "Error: Leave the words you remove out of the reason: the log keeps the reason."
    )
    assert (bodies(named), redactions()) == (["Jansen belde."], [])


# --- The pages before the change ------------------------------------------------------------


def test_redact_text_first_asks_for_the_words_and_the_reason(admin_client, challenge):
    named = message(challenge, "Jansen belde.")

    response = admin_client.post(
        MESSAGES, {"action": "redact_text", "_selected_action": [named.pk]}
    )

    page = parse(response.content)
    assert [h1.text for h1 in page.find_all("h1")] == ["Redact text"]
    assert [label.text for label in page.find_all("label")] == ["Words to remove", "Reason"]
    assert bodies(named) == ["Jansen belde."]


def test_redact_text_preview_shows_before_and_after_and_changes_nothing(admin_client, challenge):
    named = message(challenge, "Mevrouw Jansen schreef <b>dit</b>.")
    unnamed = message(challenge, "Tot dinsdag.")

    response = redact(admin_client, MESSAGES, [named, unnamed], words="jansen", reason=REASON)

    page = parse(response.content)
    table = page.find_all("table", id="redaction-preview")[0]
    assert [td.text for td in table.find_all("tbody")[0].find_all("td")][0::4] == [
        "Ouderen in De Kooi"
    ]
    cells = table.find_all("tbody")[0].find_all("td")
    assert [cells[2].text, cells[3].text] == [
        "Mevrouw Jansen schreef <b>dit</b>.",
        "Mevrouw [verwijderd] schreef <b>dit</b>.",
    ]
    assert [mark.text for mark in table.find_all("mark")] == ["Jansen", "[verwijderd]"]
    assert page.find_all("dd", id="redaction-reason")[0].text == REASON
    assert "1 selected message does not contain the words" in response.content.decode()
    assert bodies(named, unnamed) == ["Mevrouw Jansen schreef <b>dit</b>.", "Tot dinsdag."]
    assert redactions() == []


def test_redact_text_preview_of_messages_without_the_words_offers_no_confirm(
    admin_client, challenge
):
    unnamed = message(challenge, "Tot dinsdag.")

    response = redact(admin_client, MESSAGES, [unnamed], words="Jansen", reason=REASON)

    page = parse(response.content)
    assert page.find_all("input", name="apply") == []
    assert page.find_all("p")[-1].text == (
        "None of the selected messages contain these words, so nothing would change."
    )


def test_redact_text_stores_the_dutch_marker_whatever_the_coordinators_language(
    admin_client, challenge
):
    named = message(challenge, "Jansen belde.")

    with translation.override("en"):
        redact(admin_client, MESSAGES, [named], words="Jansen", reason=REASON, apply="1")

    assert bodies(named) == ["[verwijderd] belde."]


# --- Who may --------------------------------------------------------------------------------


@pytest.fixture
def staff_partner(client):
    """Staff with every partners permission, but not a coordinator."""
    person = speaks_english(PartnerMemberFactory(is_staff=True))
    person.user_permissions.set(Permission.objects.filter(content_type__app_label="partners"))
    sign_in_for_admin(client, person)
    return person


def test_redact_text_is_refused_to_staff_who_are_not_coordinators(client, staff_partner, challenge):
    named = message(challenge, "Jansen belde.")
    entry = ChallengeLogEntry.objects.create(
        challenge=challenge, action=ChallengeAction.DECLINE, message="Jansen wil niet."
    )

    lists = [client.get(MESSAGES).status_code, client.get(HISTORY).status_code]
    own_page = client.get(f"{MESSAGES}{named.pk}/change/").status_code
    posts = [
        client.post(
            url,
            {
                "action": "redact_text",
                "_selected_action": [row.pk],
                "words": "Jansen",
                "reason": REASON,
                "apply": "1",
            },
        ).status_code
        for url, row in [(MESSAGES, named), (HISTORY, entry)]
    ]

    # Model permissions do not make a coordinator: the lists are closed to them.
    assert (lists, own_page, posts) == ([403, 403], 403, [403, 403])
    assert bodies(named) == ["Jansen belde."]
    assert ChallengeLogEntry.objects.get(pk=entry.pk).message == "Jansen wil niet."
    assert redactions() == []
