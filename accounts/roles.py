"""The Coordinators group and its permissions, kept in step with the models.

Permissions only exist after migrate has created them, so the group is synced from a
post_migrate handler (Django creates its own permissions the same way).
"""

from django.apps import apps
from django.contrib.auth.models import Group, Permission

COORDINATORS_GROUP = "Coordinators"

# Apps whose data coordinators run. New apps add their label here.
COORDINATED_APPS = (
    "accounts",
    "partners",
    "projects",
    "events",
    "matching",
    "outbox",
    "coordination",
)
# Coordinators may look at people but not grant rights; superusers do that.
READ_ONLY_MODELS = {("accounts", "user"), ("outbox", "message")}


def coordinators_group_sync() -> Group:
    """Give the Coordinators group every permission on the coordinated apps' models."""
    group, _created = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    wanted = []
    for permission in Permission.objects.select_related("content_type").filter(
        content_type__app_label__in=COORDINATED_APPS
    ):
        key = (permission.content_type.app_label, permission.content_type.model)
        if key in READ_ONLY_MODELS and not permission.codename.startswith("view_"):
            continue
        wanted.append(permission)
    group.permissions.set(wanted)
    return group


def sync_after_migrate(sender, using: str = "default", **kwargs) -> None:
    if apps.is_installed("django.contrib.auth") and using == "default":
        coordinators_group_sync()
