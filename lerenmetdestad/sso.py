"""The SURFconext app for allauth's OpenID Connect provider, built from plain values.

Kept apart from settings.py so the tests can point the same configuration at the OpenID
provider they start themselves, and apart from accounts/ so settings can import it before
any app is loaded.
"""

from urllib.parse import urlparse

SURFCONEXT_PROVIDER_ID = "surfconext"
SURFCONEXT_ISSUER = "https://connect.surfconext.nl"

# Only what the platform needs. `openid` gives the pseudonymous subject and `email` the
# address. SURFconext has no scope for affiliation and home organisation: it releases the
# claims `eduperson_affiliation` and `schac_home_organization` at the userinfo endpoint
# when they are in the attribute release policy registered for the service in SURF's SP
# Dashboard (README.md, "Signing in with SURFconext"). No `profile`: people type the name
# they want others to see, as in our own sign-up.
SURFCONEXT_SCOPES = ("openid", "email")


def surfconext_providers(*, client_id: str, secret: str, server_url: str) -> dict:
    """SOCIALACCOUNT_PROVIDERS with one OpenID Connect app for SURFconext."""
    return {
        "openid_connect": {
            "APPS": [
                {
                    "provider_id": SURFCONEXT_PROVIDER_ID,
                    "name": "SURFconext",
                    "client_id": client_id,
                    "secret": secret,
                    "settings": {
                        "server_url": server_url,
                        "scope": list(SURFCONEXT_SCOPES),
                        # SURFconext supports S256; it binds the code to this browser's login.
                        "oauth_pkce_enabled": True,
                    },
                }
            ]
        }
    }


def origin(url: str) -> str:
    """scheme://host[:port] of a URL, as a Content Security Policy names a source."""
    parsed = urlparse(url)
    return f"{parsed.scheme}://{parsed.netloc}"
