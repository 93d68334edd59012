"""No address is a server error: every GET route of the URLconf, asked with strange values in
its path and its query, answers something a person can act on (a 400 or 404 at worst).

Generated: each route's own parameters (ids, slugs, tokens, keys) and the query names of
every filter set, plus the page number, search and return address that pages read, get
values of any size or character (huge and negative numbers, NUL, text in any script).
"""

import re
from urllib.parse import quote, urlencode

import django_filters
import pytest
from django.test import Client
from django.urls import get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.security.proof_engine import ask, walk
from tests.security.test_access_proof import ROUTES

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

# The query names pages read besides their filters.
PAGE_QUERY_NAMES = ("page", "q", "next", "sort", "order", "tab")


def _filter_names() -> set[str]:
    # The views, loaded with the URLconf, import their filter sets.
    get_resolver().url_patterns  # noqa: B018
    found, todo = set(), [django_filters.FilterSet]
    while todo:
        filterset = todo.pop()
        todo.extend(filterset.__subclasses__())
        for name in getattr(filterset, "base_filters", {}):
            found.add(name)
    return found


QUERY_NAMES = sorted(_filter_names() | set(PAGE_QUERY_NAMES))

# The values that have broken pages before come first and often; the rest is any size and
# any character.
EDGES = st.sampled_from(
    [
        "2147483648",
        "9223372036854775808",
        "9" * 40,
        "-1",
        "0",
        "\x00",
        "1\x00",
        "%",
        "../..",
        " ",
        "",
        "😀",
        "٣",
        "1e9",
    ]
)
STRANGE = st.one_of(
    EDGES, EDGES, st.integers(min_value=-(2**80), max_value=2**80).map(str), st.text(max_size=30)
)

_PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _get_routes() -> dict[str, str]:
    """Every route the access proof asks with GET, by name, with its pattern."""
    asked = {key for key in ROUTES if " " not in key}
    return {
        route.name: route.pattern.replace("^", "").replace("$", "")
        for route in walk()
        if route.name in asked
    }


GET_ROUTES = _get_routes()


def _address(pattern: str, values: st.DataObject) -> str:
    def fill(match: re.Match) -> str:
        return quote(values.draw(STRANGE, label=match.group(1) or match.group(2)), safe="")

    return "/" + _PARAMETER.sub(fill, pattern)


@pytest.fixture(scope="module")
def visitor(scene) -> Client:
    # A coordinator reaches the most code behind these routes; the site's pages need no
    # second step (only /beheer/ does).
    # A server error comes back as a 500 answer to count, not as an exception.
    client = Client(raise_request_exception=False)
    client.force_login(scene.coordinator)
    return client


def test_every_get_route_of_the_urlconf_is_asked():
    # Guards against a walk that passes because it finds nothing.
    assert {"projects:list", "events:feed", "partners:challenge", "projects:detail"} <= set(
        GET_ROUTES
    )


@pytest.mark.parametrize("name", sorted(GET_ROUTES))
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)
@given(data=st.data())
def test_strange_values_in_an_address_are_never_a_server_error(visitor, name, data):
    path = _address(GET_ROUTES[name], data)
    query = {
        data.draw(
            st.one_of(st.just("page"), st.sampled_from(QUERY_NAMES)), label="query name"
        ): data.draw(STRANGE, label="query value")
        for _ in range(data.draw(st.integers(0, 3), label="query size"))
    }
    url = f"{path}?{urlencode(query)}" if query else path

    answer = ask(visitor, "GET", url, None).answer

    assert (url, isinstance(answer, int) and answer >= 500) == (url, False)


# The values that broke pages before, in every parameter and every query name at once.
KILLERS = ("2147483648", "9223372036854775808", "9" * 40, "-1", "\x00", "😀", "")


@pytest.mark.parametrize("value", KILLERS, ids=repr)
def test_known_troublemakers_in_every_parameter_of_every_route_are_never_a_server_error(
    visitor, value
):
    failed = []
    for name, pattern in GET_ROUTES.items():
        path = "/" + _PARAMETER.sub(quote(value, safe=""), pattern)
        url = f"{path}?{urlencode(dict.fromkeys(QUERY_NAMES, value))}"
        answer = ask(visitor, "GET", url, None).answer
        if isinstance(answer, int) and answer >= 500:
            failed.append((name, url))
    assert failed == []
