"""The security policies hold on every page, not only on the few that were tested when the
policy landed.

The access proof (test_access_proof.py) applies `policy_offences` (tests/security/policies.py)
to every answer it gets: every route of the URLconf and every admin page, as each of its
eleven viewers. This module proves the check itself recognises what it forbids.

HSTS and secure cookies are production settings (off under DEBUG and in tests); the deploy
check proves them (tests/foundation/test_settings.py,
test_check_deploy_passes_with_production_environment).
"""

import pytest

from tests.security.policies import _expected_policy, policy_offences

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
