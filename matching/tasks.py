"""Thin Celery tasks of the matching engine: they call one service each."""

from celery import shared_task

from matching.services import allocation_runs_due


@shared_task(name="matching.allocation_runs_due", acks_late=True)
def allocation_runs_due_task() -> int:
    """Dry runs for groups whose ranking window closed; safe to repeat and to overlap."""
    return len(allocation_runs_due())
