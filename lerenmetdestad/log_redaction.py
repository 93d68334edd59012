"""Tokens stay out of the logs: request lines lose the token in a path or query.

A request line such as `GET /account/wachtwoord/nieuw/1-cz9a2f-0e4b.../` is a working
password reset for anyone who reads the log. Which paths carry a token is read from the
URLconf (every route parameter in TOKEN_PARAMETERS), so a new route with a `<str:token>` is
covered without a change here; tests/foundation/test_log_redaction.py fails on a route whose
parameter looks like a token but is not in that set.

RedactTokensFilter is attached in settings.LOGGING to the handlers that print request lines
(runserver's django.server, and the console handler everything else goes through), and to
gunicorn's access log by RedactingGunicornLogger (the Dockerfile's --logger-class).
"""

import logging
import re
from functools import cache

from django.urls import URLPattern, URLResolver, get_resolver
from gunicorn.glogging import Logger as GunicornLogger

# Route parameters whose value works as a key: who has it may act without a login.
TOKEN_PARAMETERS = frozenset({"token", "key"})
# Query parameters that carry a secret: OpenID Connect's code and state, and our own names.
TOKEN_QUERY_PARAMETERS = ("token", "key", "code", "state")
REDACTED = "[redacted]"

# A token in a path is one segment: it stops at a slash, a space, a quote or the query.
_SEGMENT = r"[^/\s?#\"']+"
_TOKEN_GROUP = re.compile(r"\(\?P<(" + "|".join(sorted(TOKEN_PARAMETERS)) + r")>[^()]*\)")
_QUERY = re.compile(r"([?&](?:" + "|".join(TOKEN_QUERY_PARAMETERS) + r")=)[^&\s\"'#]+")


def _route_regexes(patterns, prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        part = entry.pattern.regex.pattern.removeprefix("^").removesuffix(r"\Z").removesuffix("$")
        if isinstance(entry, URLResolver):
            found += _route_regexes(entry.url_patterns, prefix + part)
        elif isinstance(entry, URLPattern) and _TOKEN_GROUP.search(part):
            found.append(prefix + part)
    return found


@cache
def token_routes() -> tuple[re.Pattern, ...]:
    """One regex per route that takes a token, matching its path anywhere in a line."""
    return tuple(
        re.compile("/" + _TOKEN_GROUP.sub(lambda m: f"(?P<{m.group(1)}>{_SEGMENT})", regex))
        for regex in _route_regexes(get_resolver().url_patterns)
    )


def redact(text: str) -> str:
    """The text with every token in a path or query of ours replaced by [redacted]."""
    for route in token_routes():
        text = route.sub(_without_tokens, text)
    return _QUERY.sub(rf"\1{REDACTED}", text)


def _without_tokens(match: re.Match) -> str:
    whole, start = match.group(0), match.start()
    spans = [
        (match.start(name) - start, match.end(name) - start)
        for name in TOKEN_PARAMETERS & match.groupdict().keys()
        if match.group(name) is not None
    ]
    # From the end, so the earlier spans keep their offsets.
    for begin, end in sorted(spans, reverse=True):
        whole = whole[:begin] + REDACTED + whole[end:]
    return whole


class RedactTokensFilter(logging.Filter):
    """Rewrites a record's message without tokens; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True


class RedactingGunicornLogger(GunicornLogger):
    """gunicorn's logger, with tokens taken out of its access log lines."""

    def setup(self, cfg) -> None:
        super().setup(cfg)
        self.access_log.addFilter(RedactTokensFilter())
