"""The strict Content Security Policy is sent everywhere, and the admin still works under it."""

import re

import pytest
from django.urls import reverse

from tests.support.mfa import sign_in_for_admin
from tests.ui.html import parse

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def _directives(response) -> dict[str, str]:
    policy = response.headers["Content-Security-Policy"]
    return dict(part.strip().split(" ", 1) for part in policy.split(";"))


def _script_nonce(response) -> str:
    match = re.fullmatch(r"'self' 'nonce-([\w-]+)'", _directives(response)["script-src"])
    assert match, _directives(response)["script-src"]
    return match.group(1)


@pytest.mark.parametrize("path", ["/", "/account/inloggen/", "/account/aanmelden/"])
def test_public_page_sends_csp_with_nonce_that_the_page_uses(client, path):
    response = client.get(path)

    nonce = _script_nonce(response)
    assert _directives(response)["default-src"] == "'self'"
    assert _directives(response)["style-src"] == f"'self' 'nonce-{nonce}'"
    stylesheet = parse(response.content).find("link", rel="stylesheet")
    assert stylesheet.attrs["nonce"] == nonce


def test_admin_login_leads_to_our_login_page_under_csp(client):
    response = client.get("/beheer/login/", follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("account_login"))
    nonce = _script_nonce(response)
    assert parse(response.content).find("h1").text == "Inloggen"
    assert parse(response.content).find("link", rel="stylesheet").attrs["nonce"] == nonce


def test_admin_index_renders_its_scripts_with_the_csp_nonce(client, coordinator):
    sign_in_for_admin(client, coordinator)

    response = client.get(reverse("admin:index"))

    assert response.status_code == 200
    nonce = _script_nonce(response)
    scripts = parse(response.content).find_all("script")
    assert scripts
    assert {script.attrs.get("nonce") for script in scripts} == {nonce}
