import pytest
from django.core.cache import cache
from django.core.servers.basehttp import WSGIServer
from django.utils import translation

from tests import factories

# Concurrency tests open 30 connections to the live server at once; with Django's listen
# backlog of 10 the kernel resets some of them before the server ever sees the request.
WSGIServer.request_queue_size = 128

pytest_plugins = ["tests.fixtures.celery_worker"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """allauth counts attempts in Redis; each test starts with a clean slate.

    Only our own key prefix is removed, never the whole Redis database, which the
    Celery broker may share.
    """
    client = cache._cache.get_client(write=True)
    prefix = cache.key_prefix
    for key in client.scan_iter(f"{prefix}:*"):
        client.delete(key)
    yield


@pytest.fixture
def english():
    """Messages of services and labels read in the test itself, in English (the site's own
    language is Dutch); pages follow the signed-in person's language instead."""
    with translation.override("en"):
        yield


# The standard cast (STYLE.md): a student, a partner member, a member of another
# partner, a researcher, a coordinator. Anonymous visitors use the plain `client`.
@pytest.fixture
def student(db):
    return factories.StudentFactory(name="Sanne Student", email="sanne@student.hsleiden.nl")


@pytest.fixture
def partner_member(db):
    return factories.PartnerMemberFactory(name="Paul Partner", email="paul@bibliotheekleiden.nl")


@pytest.fixture
def other_partner_member(db):
    return factories.PartnerMemberFactory(name="Olga Ander", email="olga@woonzorg.example.org")


@pytest.fixture
def researcher(db):
    return factories.ResearcherFactory(name="Rachid Onderzoeker", email="rachid@leidenuniv.nl")


@pytest.fixture
def coordinator(db):
    return factories.CoordinatorFactory(name="Cora Coördinator", email="cora@lerenmetdestad.nl")
