"""Thin Celery tasks of accounts: each calls one service."""

from celery import shared_task

from accounts.privacy.retention import retention_run


@shared_task(name="accounts.retention", acks_late=True)
def retention_task() -> int:
    """The daily retention job; safe to repeat and to overlap, so late acks are fine."""
    report = retention_run()
    return len(report.accounts_erased) + sum(map(len, report.removed.values()))
