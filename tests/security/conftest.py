"""The scene of the access proof, shared by every module that asks who may see what."""

from collections.abc import Iterator

import pytest
from django.db import transaction
from django.test import override_settings

from tests.security.scene import Scene, build_scene


@pytest.fixture(scope="module")
def scene(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Scene]:
    """Built once per module inside a transaction that is rolled back at its end; each
    test runs in a savepoint of its own."""
    media = override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media"))
    media.enable()
    try:
        with django_db_blocker.unblock(), transaction.atomic():
            yield build_scene()
            transaction.set_rollback(True)
    finally:
        media.disable()
