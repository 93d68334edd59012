"""Admin by role: one permission base for every admin, and what coordinators may not do.

Coordinators run the platform, but they do not grant rights, touch a superuser's account or
change their own role; staff with another role see nothing of /beheer/. The rules live in
code (lerenmetdestad/admin_base.py, accounts/admin.py), so these tests give the people more
model permissions than the Coordinators group holds and check that the role still decides.
"""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.enums import Role
from accounts.models import User
from lerenmetdestad.admin_base import PlatformPermissions, SuperusersOnly
from lerenmetdestad.admin_site import PlatformAdminSite
from tests.factories import CoordinatorFactory, StudentFactory, UserFactory
from tests.support.mfa import sign_in_for_admin

pytestmark = [pytest.mark.django_db]


def test_every_admin_and_inline_is_built_on_the_one_permission_base():
    outside = sorted(
        f"{model._meta.label}: {type(model_admin).__name__}"
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, PlatformPermissions)
    ) + sorted(
        f"{model._meta.label}: {inline.__name__}"
        for model, model_admin in admin.site._registry.items()
        for inline in model_admin.inlines
        if not issubclass(inline, PlatformPermissions)
    )

    assert (isinstance(admin.site, PlatformAdminSite), outside) == (True, [])


def test_every_admin_action_says_which_permission_runs_it():
    """An action without `permissions` runs for whoever may view the list; only the
    superusers' own admins (a library's, with actions of its own) may have such actions."""
    undeclared = []
    for model, model_admin in admin.site._registry.items():
        if isinstance(model_admin, SuperusersOnly):
            continue
        for name in model_admin.actions or []:
            function = name if callable(name) else getattr(model_admin, name)
            if not getattr(function, "allowed_permissions", None):
                undeclared.append(f"{model._meta.label}.{function.__name__}")
    assert undeclared == []


def _with_every_permission(user: User) -> User:
    """More than any group gives: the role must still decide."""
    user.user_permissions.set(Permission.objects.all())
    return User.objects.get(pk=user.pk)


@pytest.fixture
def coordinator(client):
    person = _with_every_permission(CoordinatorFactory(name="Cora Coördinator"))
    sign_in_for_admin(client, person)
    return person


@pytest.fixture
def superuser():
    return UserFactory(name="Sanne Super", role=Role.COORDINATOR, is_staff=True, is_superuser=True)


def test_staff_with_another_role_is_refused_at_the_door_whatever_its_permissions(client):
    staff = _with_every_permission(UserFactory(role=Role.PARTNER, is_staff=True, name="Stef Staf"))
    staff.groups.add(Group.objects.get(name="Coordinators"))
    sign_in_for_admin(client, staff)

    index = client.get(reverse("admin:index"))
    login = client.get(reverse("admin:login"))
    users = client.get(reverse("admin:accounts_user_changelist"))

    assert (index.status_code, login.status_code, users.status_code) == (403, 403, 403)


def test_a_coordinator_cannot_make_anyone_staff_superuser_or_coordinator(client, coordinator):
    student = StudentFactory(name="Sam Student")
    url = reverse("admin:accounts_user_change", args=[student.pk])

    client.post(
        url,
        {
            "email": student.email,
            "name": "Sam Student",
            "language": "nl",
            "role": Role.COORDINATOR,
            "is_active": "on",
            "is_staff": "on",
            "is_superuser": "on",
            "groups": [Group.objects.get(name="Coordinators").pk],
            "user_permissions": list(Permission.objects.values_list("pk", flat=True)[:3]),
        },
    )

    student.refresh_from_db()
    assert (
        student.role,
        student.is_staff,
        student.is_superuser,
        student.groups.count(),
        student.user_permissions.count(),
    ) == (Role.STUDENT, False, False, 0, 0)


def test_a_coordinator_cannot_change_their_own_role_or_rights(client, coordinator):
    url = reverse("admin:accounts_user_change", args=[coordinator.pk])

    client.post(
        url,
        {
            "email": coordinator.email,
            "name": "Cora Coördinator",
            "language": "nl",
            "role": Role.STUDENT,
            "is_superuser": "on",
        },
    )

    coordinator.refresh_from_db()
    assert (coordinator.role, coordinator.is_staff, coordinator.is_superuser) == (
        Role.COORDINATOR,
        True,
        False,
    )


_USER_PAGES = {
    "change": "accounts_user_change",
    "password_change": "auth_user_password_change",
    "delete": "accounts_user_delete",
}


def test_a_superusers_account_is_out_of_a_coordinators_reach(client, coordinator, superuser):
    pages = {
        name: client.get(reverse(f"admin:{_USER_PAGES[name]}", args=[superuser.pk]))
        for name in ("change", "password_change", "delete")
    }
    erase = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_accounts", "_selected_action": [superuser.pk], "apply": "1"},
    )

    superuser.refresh_from_db()
    # The change page is the read-only view a coordinator may have: no form to post.
    assert {name: page.status_code for name, page in pages.items()} == {
        "change": 200,
        "password_change": 403,
        "delete": 403,
    }
    assert b'name="email"' not in pages["change"].content
    assert (erase.status_code, superuser.name, superuser.is_active) == (302, "Sanne Super", True)


def test_a_coordinator_cannot_erase_their_own_account_from_the_admin(client, coordinator):
    client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "erase_accounts", "_selected_action": [coordinator.pk], "apply": "1"},
    )

    coordinator.refresh_from_db()
    assert coordinator.name == "Cora Coördinator"


@pytest.mark.parametrize(
    "changelist",
    [
        "admin:auth_group_changelist",
        "admin:account_emailaddress_changelist",
        "admin:socialaccount_socialaccount_changelist",
    ],
)
def test_rights_addresses_and_linked_logins_are_for_superusers_only(
    client, coordinator, superuser, changelist
):
    as_coordinator = client.get(reverse(changelist))
    sign_in_for_admin(client, superuser)
    as_superuser = client.get(reverse(changelist))

    assert (as_coordinator.status_code, as_superuser.status_code) == (403, 200)
