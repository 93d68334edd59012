import pytest
from django.contrib.auth.models import Group

from tests.factories import PartnerMemberFactory

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
    client.force_login(coordinator)

    response = client.post(
        "/beheer/partners/theme/add/", {"name": "Armoede", "slug": "armoede", "description": ""}
    )

    assert response.status_code == 302
    assert client.get("/beheer/partners/theme/").status_code == 200


def test_coordinator_cannot_change_people(client, coordinator):
    member = PartnerMemberFactory()
    client.force_login(coordinator)

    assert client.get(f"/beheer/accounts/user/{member.pk}/change/").status_code == 200
    response = client.post(
        f"/beheer/accounts/user/{member.pk}/change/",
        {"email": member.email, "name": "Gewijzigd", "role": "partner", "language": "nl"},
    )
    assert response.status_code == 403


def test_staff_without_group_sees_no_data(client):
    staff = PartnerMemberFactory(is_staff=True)
    client.force_login(staff)

    assert client.get("/beheer/partners/theme/").status_code == 403
