"""How values look in the download: JSON that any reader takes as it is."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from accounts.privacy.registry import Section


def when(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def number(value: Decimal) -> str:
    # A string keeps 1.5 hours exactly 1.5 in every JSON reader.
    return str(value)


ACTIONS_RECORDED = "actions_recorded"


def acted(
    action: str,
    when_field: str,
    about: Callable[[Any], str] | None = None,
    *,
    via: tuple[str, ...] = (),
) -> Section:
    """The download's share of what the person did on other people's records (a decision,
    a log line): what, when and on what, never whom it was about. Every app's actions join
    in one section, in the order they happened. `via` names the relations `about` reads,
    fetched in the same query."""

    def rows(queryset: QuerySet) -> list[dict]:
        return [
            {
                "action": action,
                "when": when(getattr(row, when_field)),
                "about": about(row) if about else None,
            }
            for row in (queryset.select_related(*via) if via else queryset).order_by(
                when_field, "pk"
            )
        ]

    return Section(ACTIONS_RECORDED, rows, sort_key="when")
