import pytest

from tests.partners.challenge_setup import speaks_english
from tests.support.mfa import staff_sign_in


# The English language cookie is set per module, not here: test_exports.py checks that
# export headings follow the coordinator's own language.
@pytest.fixture
def coordinator_client(client, coordinator):
    return staff_sign_in(client, speaks_english(coordinator))
