"""Sealed storage: secrets we must keep (to send them later) but nobody may read at rest.

A sealed value is Fernet (AES-128-CBC with HMAC-SHA256) under SEALING_KEYS: the first key
seals, every key unseals, so a key is rotated by putting a new one in front, running
`manage.py sealing_rotate` and then dropping the old one (README.md, "Rotating the sealing
keys"). Only the code that must use a secret unseals it, right before use; the admin, the
logs and the privacy download see the sealed text at most.

`Secret` marks a string as one of those secrets where it is made, so code further on (the
outbox) can find and seal it without knowing which context keys carry tokens.
`SealedField` marks the columns that hold sealed text, so the rotation command finds them.
"""

import base64
from dataclasses import dataclass, field

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.apps import apps
from django.conf import settings
from django.core.checks import Error, Tags, register
from django.core.exceptions import ImproperlyConfigured
from django.db import models

# Changing this changes every derived key, and makes what `make run` sealed unreadable.
_DERIVATION_INFO = b"lerenmetdestad.sealing.v1"


class Secret(str):
    """A string only its addressee may read, such as a link that carries a token.

    It behaves as the plain string everywhere (templates render it as is); the outbox looks
    for it in a mail's context and stores it sealed, never in the stored body.
    """

    __slots__ = ()


class UnsealError(Exception):
    """Sealed text that none of SEALING_KEYS opens: changed, or sealed with a dropped key."""


class SealedField(models.TextField):
    """A column that holds text made by seal(), or "" when there is nothing to seal.

    Deliberately no automatic decryption on load: code that needs the secret calls unseal()
    where it uses it, so a form, an admin page or a serializer never meets the plain value.
    """


def key_from_secret_key(secret_key: str) -> str:
    """A Fernet key derived from SECRET_KEY, for development and tests only.

    Deterministic, so `make run` can read tomorrow what it sealed today; production sets
    SEALING_KEYS, so a leaked SECRET_KEY does not also open what is sealed.
    """
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_DERIVATION_INFO)
    return base64.urlsafe_b64encode(derived.derive(secret_key.encode())).decode()


def keys_validate(keys: list[str], *, name: str = "SEALING_KEYS") -> list[str]:
    """The keys as given, or ImproperlyConfigured naming the one that is not a Fernet key."""
    for position, key in enumerate(keys, start=1):
        try:
            Fernet(key)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name}: key {position} is not a Fernet key (32 bytes in url-safe base64, "
                "as `Fernet.generate_key()` makes)."
            ) from None
    return keys


_fernets: dict[tuple[str, ...], MultiFernet] = {}


def _fernet() -> MultiFernet:
    keys = tuple(settings.SEALING_KEYS)
    if not keys:
        raise ImproperlyConfigured("SEALING_KEYS must be set to seal or unseal anything.")
    # Keyed by the keys, so tests that change the setting get the matching MultiFernet.
    if keys not in _fernets:
        _fernets[keys] = MultiFernet([Fernet(key) for key in keys])
    return _fernets[keys]


def seal(text: str) -> str:
    """Seal text with the first of SEALING_KEYS."""
    return _fernet().encrypt(text.encode()).decode()


def unseal(sealed: str) -> str:
    """The text sealed in `sealed`, or UnsealError when no key in SEALING_KEYS opens it."""
    try:
        return _fernet().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise UnsealError("None of SEALING_KEYS opens this value.") from None


def reseal(sealed: str) -> str:
    """The same text sealed again with the first key; UnsealError as unseal()."""
    try:
        return _fernet().rotate(sealed.encode()).decode()
    except InvalidToken:
        raise UnsealError("None of SEALING_KEYS opens this value.") from None


def sealed_fields() -> list[tuple[type[models.Model], str]]:
    """Every (model, field name) whose column holds sealed text, for the rotation command."""
    return [
        (model, model_field.name)
        for model in apps.get_models()
        for model_field in model._meta.get_fields()
        if isinstance(model_field, SealedField)
    ]


@dataclass(frozen=True)
class RotationResult:
    resealed: int = 0
    # "app.Model.field #pk" of values no key opens: keep the old key until they are dealt with.
    unreadable: list[str] = field(default_factory=list)


def sealed_values_rotate(*, chunk_size: int = 500) -> RotationResult:
    """Seal every stored sealed value again with the first of SEALING_KEYS.

    Run after putting a new key in front; afterwards no row needs the old keys. Each row is
    written only if it still holds what was read, so a value written meanwhile (already under
    the new key) is left as it is. Side effects: one UPDATE per row.
    """
    resealed = 0
    unreadable = []
    for model, name in sealed_fields():
        manager = model._default_manager
        rows = manager.exclude(**{name: ""}).values_list("pk", name).order_by("pk")
        for pk, sealed in rows.iterator(chunk_size=chunk_size):
            try:
                fresh = reseal(sealed)
            except UnsealError:
                unreadable.append(f"{model._meta.label}.{name} #{pk}")
                continue
            resealed += manager.filter(pk=pk, **{name: sealed}).update(**{name: fresh})
    return RotationResult(resealed=resealed, unreadable=unreadable)


@register(Tags.security)
def check_sealing_keys(app_configs, **kwargs) -> list[Error]:
    # A check rather than an error at import, so `manage.py migrate` (the release step in
    # docker-compose.yml, which every other service waits for) stops a deploy without keys.
    if settings.SEALING_KEYS or settings.DEBUG:
        return []
    return [
        Error(
            "SEALING_KEYS is not set.",
            hint="Set SEALING_KEYS to one or more Fernet keys, separated by commas; README.md, "
            "'Rotating the sealing keys', says how to make one.",
            id="lerenmetdestad.E001",
        )
    ]
