"""Row locks for rules that must hold under concurrency, and the hooks that prove they do.

Tests switch the lock off (ROW_LOCKS_ENABLED = False) and widen the window between
reading and writing (RACE_WINDOW_SECONDS) to show that without the lock the race
really happens; production never changes either setting.
"""

import time

from django.conf import settings
from django.db.models import Model, QuerySet


def lock_rows[M: Model](
    queryset: QuerySet[M], *, of: tuple[str, ...] = (), skip_locked: bool = False
) -> QuerySet[M]:
    """Lock the rows the queryset reads until the transaction ends.

    `of` limits the lock to some tables, e.g. ("self",) when related rows are joined in
    only to be read (PostgreSQL cannot lock the nullable side of an outer join).
    `skip_locked` leaves out rows another transaction holds, for workers that share a queue.
    """
    if getattr(settings, "ROW_LOCKS_ENABLED", True):
        return queryset.select_for_update(of=of, skip_locked=skip_locked)
    return queryset


def race_window() -> None:
    pause = getattr(settings, "RACE_WINDOW_SECONDS", 0)
    if pause:
        time.sleep(pause)
