"""Who changed what on challenges, cohorts, enrolments, events and registrations.

django-pghistory records every insert, update and delete of these rows with PostgreSQL
triggers (`models.py`), so bulk updates and writes made outside our services are caught too.
Who did it comes from pghistory's context: `pghistory.middleware.HistoryMiddleware` stores the
signed-in user of each web request that writes; a change made outside a web request (Celery,
the lifecycle jobs, management commands) has no context and is shown as the platform.
`selectors.py` turns the recorded rows into lines a coordinator can read.
"""
