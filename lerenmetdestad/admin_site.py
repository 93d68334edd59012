"""/beheer/: the admin site, entered only by those who may manage the platform."""

from functools import wraps

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.core.exceptions import PermissionDenied

from lerenmetdestad.admin_base import may_manage


class PlatformAdminSite(admin.AdminSite):
    site_header = "Leren met de Stad"
    site_title = "Leren met de Stad"
    index_title = "Coördinatie"

    def has_permission(self, request) -> bool:
        # Django lets every active staff account in; the role decides here.
        return may_manage(request.user)

    def admin_view(self, view, cacheable=False):
        inner = super().admin_view(view, cacheable)
        # Staff with another role may still sign out.
        guarded = view != self.logout

        @wraps(view)
        def refuse_who_may_not_manage(request, *args, **kwargs):
            # Django lets every staff account past this point; staff with another role are
            # told no here. Everyone else goes to the login, which refuses people who are
            # signed in.
            if guarded and request.user.is_staff and not may_manage(request.user):
                raise PermissionDenied
            return inner(request, *args, **kwargs)

        return refuse_who_may_not_manage

    def login(self, request, extra_context=None):
        """Signing in goes through allauth, with its throttling and email verification.

        Someone signed in who may not manage is refused outright, rather than shown the
        admin's own password form to sign in as somebody else.
        """
        if request.user.is_authenticated and not may_manage(request.user):
            raise PermissionDenied
        return secure_admin_login(super().login)(request, extra_context)
