"""Sealed storage: what is sealed opens only with SEALING_KEYS, and a key can be replaced."""

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ImproperlyConfigured

from lerenmetdestad.sealing import (
    UnsealError,
    check_sealing_keys,
    key_from_secret_key,
    keys_validate,
    reseal,
    seal,
    unseal,
)

pytestmark = pytest.mark.unit

OLD = Fernet.generate_key().decode()
NEW = Fernet.generate_key().decode()
LINK = "https://lerenmetdestad.nl/account/wachtwoord/nieuw/1-cz9a2f-0e4b8c1d2e3f/"


def test_sealed_text_holds_no_part_of_the_secret_and_opens_again(settings):
    settings.SEALING_KEYS = [OLD]

    sealed = seal(LINK)

    assert "wachtwoord" not in sealed
    assert "cz9a2f" not in sealed
    assert unseal(sealed) == LINK


def test_sealing_twice_gives_different_text(settings):
    # Equal secrets must not be recognisable as equal in the database.
    settings.SEALING_KEYS = [OLD]

    assert seal(LINK) != seal(LINK)


def test_a_new_key_in_front_seals_and_the_old_one_still_opens(settings):
    settings.SEALING_KEYS = [OLD]
    before = seal(LINK)

    settings.SEALING_KEYS = [NEW, OLD]
    after = seal(LINK)

    assert (unseal(before), unseal(after)) == (LINK, LINK)
    settings.SEALING_KEYS = [NEW]
    assert unseal(after) == LINK
    with pytest.raises(UnsealError):
        unseal(before)


def test_resealing_moves_a_value_to_the_first_key(settings):
    settings.SEALING_KEYS = [OLD]
    before = seal(LINK)
    settings.SEALING_KEYS = [NEW, OLD]

    after = reseal(before)

    settings.SEALING_KEYS = [NEW]
    assert unseal(after) == LINK


def test_a_value_no_key_opens_is_an_unseal_error(settings):
    settings.SEALING_KEYS = [OLD]
    sealed = seal(LINK)
    settings.SEALING_KEYS = [NEW]

    with pytest.raises(UnsealError):
        unseal(sealed)
    with pytest.raises(UnsealError):
        reseal(sealed)
    with pytest.raises(UnsealError):
        unseal(sealed[:-4] + "AAAA")


def test_the_derived_development_key_is_stable_and_differs_per_secret_key():
    key = key_from_secret_key("ontwikkel-sleutel")

    assert key == key_from_secret_key("ontwikkel-sleutel")
    assert key != key_from_secret_key("een-andere-sleutel")
    assert keys_validate([key]) == [key]


def test_a_key_that_is_not_a_fernet_key_is_refused():
    with pytest.raises(ImproperlyConfigured) as error:
        keys_validate([OLD, "geheim"])

    assert str(error.value) == (
        "SEALING_KEYS: key 2 is not a Fernet key (32 bytes in url-safe base64, "
        "as `Fernet.generate_key()` makes)."
    )


def test_sealing_without_keys_is_refused(settings):
    settings.SEALING_KEYS = []

    with pytest.raises(ImproperlyConfigured):
        seal(LINK)


@pytest.mark.parametrize(
    ("debug", "keys", "errors"),
    [(False, [], ["lerenmetdestad.E001"]), (False, [OLD], []), (True, [], [])],
)
def test_missing_keys_are_a_check_error_only_in_production(settings, debug, keys, errors):
    settings.DEBUG = debug
    settings.SEALING_KEYS = keys

    assert [error.id for error in check_sealing_keys(None)] == errors
