import pytest
from django.db import connection

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_database_vendor_is_postgresql():
    assert connection.vendor == "postgresql"


def test_database_server_answers_with_its_version():
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version_num")
        (version,) = cursor.fetchone()
    assert int(version) >= 150000
