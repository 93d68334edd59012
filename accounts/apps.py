from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("People and institutions")

    def ready(self) -> None:
        from accounts.privacy.declarations import register_declarations  # noqa: PLC0415
        from accounts.roles import sync_after_migrate  # noqa: PLC0415 (app registry must be ready)

        register_declarations()

        # No sender filter: permissions of apps migrated after this one only exist
        # once their own post_migrate has run, and the sync is idempotent.
        post_migrate.connect(sync_after_migrate, dispatch_uid="coordinators_group_sync")
