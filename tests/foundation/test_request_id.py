"""Every response names its request, and every log line written for it carries that name."""

import logging
import re

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import RequestFactory

from lerenmetdestad.request_id import HEADER, RequestIdFilter, RequestIdMiddleware

FRESH = re.compile(r"[0-9a-f]{32}")


class _Kept(logging.Handler):
    def __init__(self):
        super().__init__()
        self.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@pytest.mark.django_db
def test_every_response_names_its_own_request(client):
    first, second = client.get("/privacy/"), client.get("/privacy/")

    assert (bool(FRESH.fullmatch(first[HEADER])), first[HEADER] != second[HEADER]) == (True, True)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("offered", "kept"),
    [
        ("proxy-4f2a-9b1c", True),
        ("kort", False),
        ("x" * 65, False),
        ("abc12345\nINFO forged line", False),
        ("<script>12345678", False),
    ],
)
def test_an_id_from_the_proxy_is_kept_only_when_it_looks_like_one(client, offered, kept):
    answer = client.get("/privacy/", headers={HEADER: offered})

    assert (answer[HEADER] == offered, bool(FRESH.fullmatch(answer[HEADER]))) == (kept, not kept)


@pytest.mark.unit
def test_a_line_logged_during_a_request_carries_its_id_and_one_outside_a_dash():
    kept = _Kept()
    logger = logging.getLogger("lerenmetdestad.test.request_id")
    logger.addHandler(kept)
    try:

        def view(request):
            logger.warning("inside")
            return HttpResponse("ok")

        response = RequestIdMiddleware(view)(RequestFactory().get("/"))
        logger.warning("outside")
    finally:
        logger.removeHandler(kept)

    assert [(r.getMessage(), r.request_id) for r in kept.records] == [
        ("inside", response[HEADER]),
        ("outside", "-"),
    ]


@pytest.mark.unit
def test_the_configured_console_handler_adds_the_id_to_every_line():
    filters = settings.LOGGING["handlers"]["console"]["filters"]
    plain = settings.LOGGING["formatters"]["plain"]

    assert ("request_id" in filters, "[%(request_id)s]" in plain["fmt"]) == (True, True)
