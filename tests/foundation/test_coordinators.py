import pytest
from django.contrib.auth.models import Group

from tests.factories import PartnerMemberFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def test_coordinators_group_runs_the_data_but_cannot_grant_rights():
    group = Group.objects.get(name="Coordinators")
    codenames = set(group.permissions.values_list("content_type__app_label", "codename"))

    assert ("partners", "change_theme") in codenames
    assert ("partners", "add_neighbourhood") in codenames
    assert ("accounts", "change_institution") in codenames
    assert ("accounts", "view_user") in codenames
    assert ("accounts", "change_user") not in codenames
    assert ("auth", "change_group") not in codenames


def test_coordinator_can_manage_themes_in_the_admin(client, coordinator):
    sign_in_for_admin(client, coordinator)

    response = client.post(
        "/beheer/partners/theme/add/", {"name": "Armoede", "slug": "armoede", "description": ""}
    )

    assert response.status_code == 302
    assert client.get("/beheer/partners/theme/").status_code == 200


def test_coordinator_cannot_change_people(client, coordinator):
    member = PartnerMemberFactory()
    sign_in_for_admin(client, coordinator)

    assert client.get(f"/beheer/accounts/user/{member.pk}/change/").status_code == 200
    response = client.post(
        f"/beheer/accounts/user/{member.pk}/change/",
        {"email": member.email, "name": "Gewijzigd", "role": "partner", "language": "nl"},
    )
    assert response.status_code == 403


def test_staff_without_group_sees_no_data(client):
    staff = PartnerMemberFactory(is_staff=True)
    sign_in_for_admin(client, staff)

    assert client.get("/beheer/partners/theme/").status_code == 403
