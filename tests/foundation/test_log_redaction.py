"""Tokens in request lines never reach the logs (#17, point 1.4)."""

import io
import json
import logging
import logging.config
import re

import pytest
from django.conf import settings
from django.urls import URLPattern, URLResolver, get_resolver

from lerenmetdestad.log_redaction import RedactingGunicornLogger, redact

pytestmark = pytest.mark.unit

# Names a route parameter that works as a key would likely have.
TOKEN_LIKE = re.compile(r"token|key|secret|code|signature|hash", re.IGNORECASE)
SAMPLE = "Zq8pL2vR7nW4tY6uI1oP3aS5dF9gH0jK"


def routes(patterns, prefix=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            yield from routes(entry.url_patterns, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), entry.pattern.regex.groupindex.keys()


def sample_path(route: str) -> str:
    """A path of the route with every parameter filled in (SAMPLE where it is token-like)."""
    route = route.replace("^", "").replace("$", "")

    def value(name: str) -> str:
        return SAMPLE if TOKEN_LIKE.search(name) else "12"

    # Regex groups first: their "(?P<key>" looks like a path converter "<key>" too.
    route = re.sub(r"\(\?P<(\w+)>[^()]*\)", lambda m: value(m.group(1)), route)
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)


def test_every_route_with_a_token_is_redacted_in_a_request_line():
    token_routes = [
        route
        for route, parameters in routes(get_resolver().url_patterns)
        if any(TOKEN_LIKE.search(name) for name in parameters)
    ]

    leaking = [
        route
        for route in token_routes
        if SAMPLE in redact(f'"GET {sample_path(route)}?page=2 HTTP/1.1" 200 512')
    ]

    assert len(token_routes) >= 5
    assert leaking == []


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            '"GET /account/wachtwoord/nieuw/zl-dj8vja-7b2643ddb893b449/ HTTP/1.1" 302 0',
            '"GET /account/wachtwoord/nieuw/zl-[redacted]/ HTTP/1.1" 302 0',
        ),
        (
            '"POST /account/e-mail/bevestigen/MQ:1tX:abc_d-e/ HTTP/1.1" 302 0',
            '"POST /account/e-mail/bevestigen/[redacted]/ HTTP/1.1" 302 0',
        ),
        (
            '"GET /agenda/geheim-123.ics HTTP/1.1" 200 9',
            '"GET /agenda/[redacted].ics HTTP/1.1" 200 9',
        ),
        (
            "GET /berichten/afmelden/eyJ1Ijo3fQ:1sig/ and /uren/bevestigen/abc:def/",
            "GET /berichten/afmelden/[redacted]/ and /uren/bevestigen/[redacted]/",
        ),
        (
            "GET /uitnodiging/abc:def/ /account/instelling/inloggen/terug/?state=s1&code=c2",
            (
                "GET /uitnodiging/[redacted]/ /account/instelling/inloggen/terug/"
                "?state=[redacted]&code=[redacted]"
            ),
        ),
        ('"GET /meet-and-match/ HTTP/1.1" 200 1', '"GET /meet-and-match/ HTTP/1.1" 200 1'),
    ],
)
def test_request_lines_lose_their_tokens_and_keep_the_rest(line, expected):
    assert redact(line) == expected


def test_runserver_and_error_lines_through_the_configured_handlers_hold_no_token():
    stream = io.StringIO()
    config = settings.LOGGING | {}
    config["handlers"] = {
        # The handlers as configured, in production's JSON, writing where the test reads.
        name: handler | {"stream": stream, "formatter": "json"}
        for name, handler in settings.LOGGING["handlers"].items()
    }
    logging.config.dictConfig(config)
    try:
        # As runserver's WSGIRequestHandler and django.request log them.
        logging.getLogger("django.server").info(
            '"%s" %s %s', "GET /agenda/geheim-123.ics HTTP/1.1", "200", "9"
        )
        logging.getLogger("django.request").error(
            "Internal Server Error: %s", "/account/wachtwoord/nieuw/zl-dj8vja-7b26/"
        )
    finally:
        logging.config.dictConfig(settings.LOGGING)

    records = [json.loads(line) for line in stream.getvalue().splitlines()]
    assert [(record["logger"], record["message"]) for record in records] == [
        ("django.server", '"GET /agenda/[redacted].ics HTTP/1.1" 200 9'),
        ("django.request", "Internal Server Error: /account/wachtwoord/nieuw/zl-[redacted]/"),
    ]


def test_gunicorn_access_lines_hold_no_token(tmp_path):
    from gunicorn.config import Config  # noqa: PLC0415 (only this test needs it)

    config = Config()
    config.set("accesslog", str(tmp_path / "access.log"))
    logger = RedactingGunicornLogger(config)
    logger.access_log.info(
        config.access_log_format,
        {"h": "127.0.0.1", "l": "-", "u": "-", "t": "[now]",
         "r": "GET /agenda/geheim-1.ics HTTP/1.1", "s": "200", "b": "9", "f": "-", "a": "curl"},
    )  # fmt: skip
    for handler in logger.access_log.handlers:
        handler.flush()

    assert (tmp_path / "access.log").read_text() == (
        '127.0.0.1 - - [now] "GET /agenda/[redacted].ics HTTP/1.1" 200 9 "-" "curl"\n'
    )
