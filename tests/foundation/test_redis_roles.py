"""The cache and the Celery broker keep apart in Redis, so clearing one spares the other."""

import uuid

import pytest
import redis
from django.conf import settings
from django.core.cache import cache

from lerenmetdestad.celery import app
from lerenmetdestad.settings import redis_database
from tests.foundation.test_settings import PRODUCTION_ENV, run_django

pytestmark = [pytest.mark.integration]


def test_the_cache_and_the_broker_use_different_databases():
    cache_at = redis_database(settings.CACHES["default"]["LOCATION"])
    broker_at = redis_database(settings.REDIS_URL)

    assert (cache_at[0], cache_at[1] == broker_at[1]) == (broker_at[0], False)


def test_clearing_the_cache_keeps_the_queued_tasks():
    queue = f"test-cache-clear-{uuid.uuid4().hex}"
    broker = redis.Redis.from_url(settings.REDIS_URL)
    cache.set("rate-limit-of-someone", 3)
    # A task waiting in the broker for a worker, on a queue of this test's own.
    app.send_task("outbox.send_batch", queue=queue)
    try:
        waiting = broker.llen(queue)

        cache.clear()

        assert (waiting, broker.llen(queue), cache.get("rate-limit-of-someone")) == (1, 1, None)
    finally:
        broker.delete(queue)


def test_a_cache_on_the_brokers_database_is_refused_with_a_reason():
    env = PRODUCTION_ENV | {"CACHE_URL": PRODUCTION_ENV["REDIS_URL"]}

    done = run_django(env, "check")

    assert done.returncode == 1
    assert "CACHE_URL and REDIS_URL point at the same Redis database" in done.stderr
