"""The security policies hold on every page, not only on the few that were tested when the
policy landed.

Every route of the URLconf is requested by each viewer of the access proof's scene (routes
with an id, slug or token with the scene's objects, from the access proof's table), and every
admin page a coordinator opens (the index, each changelist and each add form). Every HTML
page that answers must:

- carry the strict Content Security Policy exactly as settings.SECURE_CSP says, with a fresh
  nonce, and no inline script or style without that nonce, no style attribute, no event
  handler attribute and no javascript: link, so the policy needs no exception anywhere;
- deny framing, send no more referrer than the origin to other sites, forbid MIME sniffing
  and isolate its window (Cross-Origin-Opener-Policy).

HSTS and secure cookies are production settings (off under DEBUG and in tests); the deploy
check proves them (tests/foundation/test_settings.py,
test_check_deploy_passes_with_production_environment).
"""

import re

import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import get_resolver, reverse
from django.utils.csp import CSP

from tests.security.scene import VIEWERS, Scene
from tests.security.test_access_proof import EXCLUDED_PREFIXES, ROUTES, _walk
from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]

NONCE = re.compile(r"'nonce-([\w+/=-]+)'")
HANDLER_ATTRIBUTE = re.compile(r"^on[a-z]+$")
URL_ATTRIBUTES = ("href", "src", "action", "formaction")


def _expected_policy(nonce: str | None) -> dict[str, list[str]]:
    """SECURE_CSP as sent: Django leaves the nonce out of a page that used none."""
    return {
        directive: [
            f"'nonce-{nonce}'" if value == CSP.NONCE else str(value)
            for value in values
            if value != CSP.NONCE or nonce
        ]
        for directive, values in settings.SECURE_CSP.items()
    }


def _policy(header: str) -> dict[str, list[str]]:
    return {
        name: values
        for name, *values in (part.split() for part in header.split(";") if part.strip())
    }


def policy_offences(response) -> list[str]:
    """Everything on one response that the policies forbid; [] when it keeps them all."""
    offences = []
    for header, value in {
        "X-Frame-Options": "DENY",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Content-Type-Options": "nosniff",
        "Cross-Origin-Opener-Policy": "same-origin",
    }.items():
        if response.headers.get(header) != value:
            offences.append(f"{header}: {response.headers.get(header)!r}")
    if not response.headers.get("Content-Type", "").startswith("text/html"):
        return offences
    header = response.headers.get("Content-Security-Policy", "")
    found = NONCE.search(header)
    nonce = found.group(1) if found else None
    if _policy(header) != _expected_policy(nonce):
        offences.append(f"Content-Security-Policy: {header!r}")
    for element in parse(response.content).iter():
        inline = element.tag == "style" or (element.tag == "script" and "src" not in element.attrs)
        if inline and element.attrs.get("nonce") != nonce:
            offences.append(f"<{element.tag}> without the page's nonce")
        if element.tag == "script" and not element.attrs.get("src", "/").startswith("/"):
            offences.append(f"<script src={element.attrs['src']!r}> from another site")
        for name, value in element.attrs.items():
            if name == "style":
                offences.append(f"<{element.tag} style={value!r}>")
            if HANDLER_ATTRIBUTE.match(name):
                offences.append(f"<{element.tag} {name}=…>")
            if name in URL_ATTRIBUTES and value.strip().lower().startswith("javascript:"):
                offences.append(f"<{element.tag} {name}={value!r}>")
    return offences


def _login(client, scene: Scene, viewer: str, owner: str) -> None:
    if viewer != "anonymous":
        sign_in_for_admin(client, getattr(scene, owner if viewer == "owner" else viewer))


# --- Every route, as every viewer -------------------------------------------------------


def _routes_without_parameters() -> list[str]:
    return sorted(
        route.name
        for route in _walk(get_resolver().url_patterns)
        if not route.parameters
        and not route.name.startswith("<unnamed")
        and not any(route.pattern.startswith(prefix) for prefix in EXCLUDED_PREFIXES)
    )


def test_the_walk_finds_the_pages_without_parameters():
    # Guards against a walk that passes because it finds nothing.
    assert {"home", "projects:list", "account_login", "privacy"} <= set(
        _routes_without_parameters()
    )


@pytest.mark.parametrize("name", _routes_without_parameters())
def test_page_without_parameters_keeps_the_policies_for_every_viewer(client, scene, name):
    for viewer in VIEWERS:
        client.logout()
        # The owner of a page without an object is any signed-in person: the partner here.
        _login(client, scene, viewer, "partner")

        response = client.get(reverse(name))

        assert response.status_code < 500, f"{viewer} at {name}"
        assert policy_offences(response) == [], f"{viewer} at {name}"


@pytest.mark.parametrize(
    "name", sorted(name for name, route in ROUTES.items() if route.post is None)
)
def test_page_of_an_object_keeps_the_policies_for_every_viewer(client, scene, name):
    route = ROUTES[name]
    url = reverse(name, kwargs=route.kwargs(scene))
    for viewer in VIEWERS:
        client.logout()
        _login(client, scene, viewer, route.owner)

        response = client.get(url)

        assert policy_offences(response) == [], f"{viewer} at {url}"


# --- The admin, as a coordinator -------------------------------------------------------


def _admin_pages() -> list[str]:
    pages = ["admin:index"]
    for model in admin.site._registry:
        meta = model._meta
        pages.append(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        pages.append(f"admin:{meta.app_label}_{meta.model_name}_add")
    return sorted(pages)


@pytest.mark.parametrize("name", _admin_pages())
def test_admin_page_keeps_the_policies(client, scene, name):
    sign_in_for_admin(client, scene.coordinator)

    response = client.get(reverse(name))

    # Some admins offer no add form (403): the policies hold on that answer too.
    assert response.status_code in {200, 403}, name
    assert policy_offences(response) == [], name


# --- The checks themselves --------------------------------------------------------------


class _Answer:
    def __init__(self, body: str, csp: str):
        nonce_free = {
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "strict-origin-when-cross-origin",
            "X-Content-Type-Options": "nosniff",
            "Cross-Origin-Opener-Policy": "same-origin",
            "Content-Type": "text/html; charset=utf-8",
        }
        self.headers = nonce_free | {"Content-Security-Policy": csp}
        self.content = body.encode()


def _header(nonce: str) -> str:
    return "; ".join(
        f"{name} {' '.join(values)}" for name, values in _expected_policy(nonce).items()
    )


@pytest.mark.unit
def test_policy_check_recognises_what_it_forbids():
    good = '<script nonce="n1">x()</script><link rel="stylesheet" href="/s.css"><p>ok</p>'

    assert policy_offences(_Answer(good, _header("n1"))) == []
    assert policy_offences(_Answer("<script>x()</script>", _header("n1"))) == [
        "<script> without the page's nonce"
    ]
    assert policy_offences(_Answer('<p style="color:red" onclick="x()">', _header("n1"))) == [
        "<p style='color:red'>",
        "<p onclick=…>",
    ]
    assert policy_offences(_Answer('<a href="javascript:x()">', _header("n1"))) == [
        "<a href='javascript:x()'>"
    ]
    assert policy_offences(_Answer("<p>ok</p>", "default-src *")) == [
        "Content-Security-Policy: 'default-src *'"
    ]
