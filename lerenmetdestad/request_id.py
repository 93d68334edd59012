"""A request id in every log line and in the response, so that one request's lines can be
found together, and a person who reports an error can quote the id their browser got."""

import contextvars
import logging
import re
import uuid

HEADER = "X-Request-ID"
# An id a proxy in front already gave this request is kept, when it looks like one: a log
# line must never carry what a visitor typed (a newline would forge a second line).
_ACCEPTED = re.compile(r"[A-Za-z0-9._-]{8,64}")
# "-" outside a request: a worker, a beat, a management command.
_current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="-")


def current_request_id() -> str:
    return _current.get()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        offered = request.headers.get(HEADER, "")
        request_id = offered if _ACCEPTED.fullmatch(offered) else uuid.uuid4().hex
        request.request_id = request_id
        token = _current.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = request_id
        return response


class RequestIdFilter(logging.Filter):
    """Gives every record the id of the request it was written in."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _current.get()
        return True


class PlainFormatter(logging.Formatter):
    """The plain format, safe for records that did not pass the filter (another handler's)."""

    def format(self, record: logging.LogRecord) -> str:
        record.__dict__.setdefault("request_id", "-")
        return super().format(record)
