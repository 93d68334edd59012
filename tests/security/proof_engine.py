"""The machinery of the access proof: walking the URLconf, asking as a viewer, judging.

The proof itself, and its table of what each viewer is allowed, is test_access_proof.py.
"""

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from http.cookies import SimpleCookie

from django.db import connection, transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.ui.html import parse

# --- Answers ----------------------------------------------------------------------------

LOGIN = "login"  # a redirect to a login page
REDIRECT = "redirect"  # a redirect elsewhere: the page did its work
OK, BAD_REQUEST, FORBIDDEN, NOT_FOUND = 200, 400, 403, 404
# What a refusal may look like; anything else is an answer the table must allow.
REFUSALS = frozenset({LOGIN, FORBIDDEN, NOT_FOUND})


def answer_of(response) -> object:
    if response.status_code == 302:
        location = response["Location"]
        to_login = location.startswith((reverse("account_login"), reverse("admin:login")))
        return LOGIN if to_login else REDIRECT
    return response.status_code


# --- The URLconf ------------------------------------------------------------------------


@dataclass
class FoundRoute:
    name: str
    pattern: str
    parameters: set[str] = field(default_factory=set)


def walk(patterns=None, prefix="", namespace="", parameters=frozenset()) -> Iterator[FoundRoute]:
    """Every URL pattern, named by its namespaced name (unnamed ones by their pattern)."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        here = prefix + str(entry.pattern)
        found = parameters | _parameters(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from walk(entry.url_patterns, here, inner, found)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name}" if entry.name else f"<{here}>"
            yield FoundRoute(name=name, pattern=here, parameters=set(found))


def _parameters(pattern) -> frozenset[str]:
    converters = getattr(pattern, "converters", None)
    if converters:
        return frozenset(converters)
    regex = getattr(pattern, "_regex", "")
    return frozenset(re.compile(regex).groupindex) if isinstance(regex, str) else frozenset()


# --- The database -----------------------------------------------------------------------


def _tables() -> list[str]:
    # Every table in the database, not only those with a model (no views: they only read).
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
    return sorted(table for table in tables if table != "django_session")


def table_digests() -> dict[str, str]:
    """One digest per table of every row but the sessions (which signing in writes), in one
    query, so that a refused request can be shown to have written nothing anywhere."""
    # Table names come from the database's own catalogue, never from a request.
    template = (
        "SELECT '{0}', md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) FROM \"{0}\" t"
    )
    parts = [template.format(table) for table in _tables()]
    with connection.cursor() as cursor:
        cursor.execute(" UNION ALL ".join(parts))
        return dict(cursor.fetchall())


def changed_tables(before: Mapping[str, str]) -> list[str]:
    after = table_digests()
    return sorted(table for table, digest in after.items() if before.get(table) != digest)


# --- Asking -----------------------------------------------------------------------------


@dataclass
class Asked:
    answer: object
    body: str
    wrote: list[str]
    response: object


def ask(client, method: str, url: str, body: dict | None, *, baseline=None) -> Asked:
    """One request in a savepoint that is rolled back, with the client's cookies put back, so
    that whatever it did (a logout, a join) leaves the next case as it found the scene.

    With a baseline (the tables' digests as the scene stands, which every rolled-back case
    leaves as it was), the answer says which tables the request changed.
    """
    cookies = SimpleCookie()
    cookies.load(client.cookies.output(header="", sep=";"))
    with transaction.atomic():
        response = client.post(url, body or {}) if method == "POST" else client.get(url)
        wrote = changed_tables(baseline) if baseline is not None else []
        transaction.set_rollback(True)
    client.cookies = cookies
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    return Asked(answer_of(response), content.decode(errors="replace"), wrote, response)


def form_body(html: str) -> dict:
    """What a browser would post from the admin page's form, as it stands."""
    page = parse(html)
    main = page.find_all(id="content-main")
    forms = (main[0] if main else page).find_all("form")
    body: dict[str, list[str]] = {}
    if not forms:
        return body
    for element in forms[0].iter():
        name = element.attrs.get("name")
        kind = element.attrs.get("type", "")
        if element.tag not in ("input", "select", "textarea") or not name:
            continue
        if kind in ("submit", "button", "file"):
            continue
        if kind in ("checkbox", "radio") and "checked" not in element.attrs:
            continue
        if element.tag == "select":
            chosen = [o for o in element.find_all("option") if "selected" in o.attrs]
            values = [option.attrs.get("value", "") for option in chosen]
        elif element.tag == "textarea":
            values = [element.text]
        else:
            values = [element.attrs.get("value", "")]
        body.setdefault(name, []).extend(values)
    return body
