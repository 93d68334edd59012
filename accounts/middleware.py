from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode

from accounts import two_factor


class PreferredLanguageMiddleware:
    """Dutch unless someone chose English.

    Django's LocaleMiddleware would follow the browser's Accept-Language; we do not,
    because the platform speaks Dutch first and English only by choice. The choice
    lives in the profile for people who are signed in and in a cookie for everyone,
    so it survives logging out. URLs stay Dutch in both languages.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.supported = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    def _choose(self, request) -> str:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language in self.supported:
            return user.language
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if chosen in self.supported:
            return chosen
        return settings.LANGUAGE_CODE


class AdminTwoFactorMiddleware:
    """No /beheer/ page for staff until this session gave a second factor.

    A coordinator without an authenticator app is sent to set one up; one whose session
    has not given a code yet (an old session, or a login from before the app existed) is
    asked for one. Both come back to the page they asked for. Everyone else, signed in or
    not, passes: the admin itself turns them away.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            user is not None
            and two_factor.two_factor_required(user)
            and request.path.startswith(reverse("admin:index"))
            and not two_factor.session_passed_two_factor(request)
        ):
            target = (
                "mfa_activate_totp"
                if not two_factor.has_authenticator_app(user)
                else "mfa_reauthenticate"
            )
            query = urlencode({REDIRECT_FIELD_NAME: request.get_full_path()})
            return HttpResponseRedirect(f"{reverse(target)}?{query}")
        return self.get_response(request)
