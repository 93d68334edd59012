from django.conf import settings
from django.utils import translation


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
