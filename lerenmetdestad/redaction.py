"""Redacting a piece of text, by hand, from messages other people wrote.

Erasing an account leaves what others wrote about the person as they wrote it: a message, a
log line or a decision note stays theirs. When someone asks, a coordinator removes the words
that name them instead, message by message (the admin's "Redact text" action). The words are
matched as literal text and whole words, ignoring case, and replaced by a marker in the site's
language.

The apps' services (partners, projects and events `services/redaction.py`) do the writes with
`rows_redact` below and write their own log line; the log keeps who, when and why, never the
words that were removed.
"""

import re
from collections.abc import Callable, Iterable
from datetime import datetime

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from lerenmetdestad.locking import lock_rows, race_window

# A single letter would blank out half a message.
MIN_LENGTH = 2
REASON_MAX_LENGTH = 500
TOO_SHORT = _("Give at least %(limit_value)d characters to remove: fewer would blank out too much.")
NO_REASON = _("Say why the text is removed: the log keeps the reason.")


class RedactionError(Exception):
    """A redaction that cannot be done as asked; the message says why."""


def marker() -> str:
    """What replaces the words, in the site's language: the stored text is written in it."""
    with translation.override(settings.LANGUAGE_CODE):
        return gettext("[redacted]")


def words_pattern(words: str) -> re.Pattern[str]:
    """The words as literal text, any case, as whole words: "a.b" finds "A.B", never "axb";
    "Jan" finds "jan," but not "Januari", and "de" not the "de" in "december"."""
    start = r"(?<!\w)" if re.match(r"\w", words[:1]) else ""
    end = r"(?!\w)" if re.match(r"\w", words[-1:]) else ""
    return re.compile(start + re.escape(words) + end, re.IGNORECASE)


def redacted(text: str, words: str) -> str:
    """The text with every occurrence of the words replaced by the marker."""
    stored_marker = marker()
    # A function as replacement, so a backslash in the marker is never read as a group.
    return words_pattern(words).sub(lambda _match: stored_marker, text)


def highlighted(text: str, words: str) -> tuple[SafeString, SafeString]:
    """The text before and after redaction as HTML, the words and the marker in <mark>."""
    pieces = words_pattern(words).split(text)
    # split() without groups gives the text between the matches; find the matches themselves.
    found = words_pattern(words).findall(text)
    before, after = [escape(pieces[0])], [escape(pieces[0])]
    for match, piece in zip(found, pieces[1:], strict=True):
        before.append(f"<mark>{escape(match)}</mark>{escape(piece)}")
        after.append(f"<mark>{escape(marker())}</mark>{escape(piece)}")
    return mark_safe("".join(before)), mark_safe("".join(after))  # noqa: S308 (all escaped)


def redaction_check(*, words: str, reason: str) -> None:
    """Raise RedactionError unless the words and the reason can be used as they are."""
    if len(words) < MIN_LENGTH:
        raise RedactionError(TOO_SHORT % {"limit_value": MIN_LENGTH})
    if not reason.strip():
        raise RedactionError(NO_REASON)
    if words_pattern(words).search(reason):
        raise RedactionError(
            _("Leave the words you remove out of the reason: the log keeps the reason.")
        )


def texts_redact(
    *,
    rows: models.QuerySet,
    field: str,
    parent_field: str,
    words: str,
    reason: str,
    log: Callable[..., object],
) -> int:
    """Replace the words in `field` of each of the rows; return how many rows changed.

    One transaction: locks the rows (in primary key order, so two coordinators never
    deadlock), saves only that field, and calls `log(parent_id=, row_ids=, reason=)` once per parent
    (challenge, cohort, event) whose rows changed, for the app's own log line. Raises
    RedactionError before anything is written when the words or the reason will not do.
    """
    words, reason = words.strip(), reason.strip()
    redaction_check(words=words, reason=reason)
    changed: dict[int, list[int]] = {}
    with transaction.atomic():
        for row in lock_rows(rows.order_by("pk")):
            text = getattr(row, field)
            new_text = redacted(text, words)
            race_window()
            if new_text != text:
                setattr(row, field, new_text)
                row.save(update_fields=[field])
                changed.setdefault(getattr(row, f"{parent_field}_id"), []).append(row.pk)
        for parent_id, row_ids in changed.items():
            log(parent_id=parent_id, row_ids=row_ids, reason=reason)
    return sum(len(row_ids) for row_ids in changed.values())


def history_redact(
    *,
    log_model: type[models.Model],
    parent_field: str,
    entry_ids: Iterable[int],
    words: str,
    reason: str,
    actor: models.Model,
    action: str,
    now: datetime | None = None,
) -> int:
    """Replace the words in the message of these lines of a history (a challenge's, a
    cohort's, an event's log); return how many lines changed.

    Writes one line with `action` in each parent's own history, with the actor and the
    reason, never the words. Raises RedactionError when the words or the reason will not do.
    """
    now = now or timezone.now()

    def log(*, parent_id: int, row_ids: list[int], reason: str) -> None:
        log_model.objects.create(
            **{f"{parent_field}_id": parent_id},
            actor=actor,
            action=action,
            message=reason,
            data={"log_entries": row_ids},
            created_at=now,
        )

    return texts_redact(
        rows=log_model.objects.filter(pk__in=list(entry_ids)),
        field="message",
        parent_field=parent_field,
        words=words,
        reason=reason,
        log=log,
    )
