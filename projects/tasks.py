"""Thin Celery tasks of projects: each calls one service."""

from celery import shared_task

from projects.services.lifecycle import cohorts_advance


@shared_task(name="projects.cohorts_advance", acks_late=True)
def cohorts_advance_task() -> int:
    """The daily lifecycle job; safe to repeat and to overlap, so late acks are fine."""
    report = cohorts_advance()
    return sum(len(ids) for ids in report.moved.values())
