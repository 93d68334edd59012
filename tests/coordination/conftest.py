import pytest

from tests.partners.challenge_setup import speaks_english


# The English language cookie is set per module, not here: test_exports.py checks that
# export headings follow the coordinator's own language.
@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(speaks_english(coordinator))
    return client
