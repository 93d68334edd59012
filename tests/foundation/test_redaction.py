"""The text rules of redaction: literal words, any case, the Dutch marker, the preview's
highlighting, and what is refused (lerenmetdestad/redaction.py)."""

import pytest

from lerenmetdestad.redaction import RedactionError, highlighted, redacted, redaction_check

pytestmark = pytest.mark.unit

TOO_SHORT = "Give at least 2 characters to remove: fewer would blank out too much."


def test_redacted_replaces_every_occurrence_in_any_case():
    assert redacted("Jan, JAN en jan-Willem", "jan") == (
        "[verwijderd], [verwijderd] en [verwijderd]-Willem"
    )


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("a.b axb", "a.b", "[verwijderd] axb"),
        ("(06) 1234 en 06 1234", "(06) 1234", "[verwijderd] en 06 1234"),
        ("<b>Piet</b>", "<b>", "[verwijderd]Piet</b>"),
        (r"C:\temp\jan", r"\temp", r"C:[verwijderd]\jan"),
        ("Piet*", ".*", "Piet*"),
    ],
)
def test_redacted_reads_the_words_as_literal_text(text, words, expected):
    assert redacted(text, words) == expected


@pytest.mark.parametrize(
    ("text", "words", "expected"),
    [
        ("Jan kwam in januari bij Janssen", "Jan", "[verwijderd] kwam in januari bij Janssen"),
        ("de buurt, 12 december", "de", "[verwijderd] buurt, 12 december"),
        ("mail ann@x.nl, niet joann@x.nl", "ann@x.nl", "mail [verwijderd], niet joann@x.nl"),
    ],
)
def test_redacted_takes_whole_words_only(text, words, expected):
    assert redacted(text, words) == expected


def test_reason_may_hold_the_words_inside_a_longer_word():
    assert redaction_check(words="de", reason="Verzoek per mail, 12 december") is None


def test_redacted_stores_the_dutch_marker_in_english_too(english):
    assert redacted("Jan belde", "Jan") == "[verwijderd] belde"


def test_highlighted_escapes_the_text_and_marks_the_words():
    assert highlighted("<i>Jan</i> & jan", "jan") == (
        "&lt;i&gt;<mark>Jan</mark>&lt;/i&gt; &amp; <mark>jan</mark>",
        "&lt;i&gt;<mark>[verwijderd]</mark>&lt;/i&gt; &amp; <mark>[verwijderd]</mark>",
    )


@pytest.mark.parametrize(
    ("words", "reason", "error"),
    [
        ("J", "Op verzoek", TOO_SHORT),
        ("", "Op verzoek", TOO_SHORT),
        ("Jan", "  ", "Say why the text is removed: the log keeps the reason."),
        (
            "Jan",
            "Jan vroeg het",
            "Leave the words you remove out of the reason: the log keeps the reason.",
        ),
    ],
)
def test_redaction_check_refuses_short_words_and_a_missing_or_naming_reason(
    english, words, reason, error
):
    with pytest.raises(RedactionError) as refused:
        redaction_check(words=words, reason=reason)

    assert str(refused.value) == error
