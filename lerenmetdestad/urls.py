from django.contrib import admin
from django.urls import include, path, register_converter

from accounts import views as accounts_views
from lerenmetdestad import health, pages
from lerenmetdestad.converters import TokenConverter

# Before the apps' URLconfs are included below, which use it.
register_converter(TokenConverter, "token")

urlpatterns = [
    path("", pages.home, name="home"),
    path("toegankelijkheid/", pages.accessibility, name="accessibility"),
    path("privacy/", pages.privacy, name="privacy"),
    path("healthz", health.healthz, name="healthz"),
    path("account/", include("accounts.urls_allauth")),
    path("mijn/", include("accounts.urls")),
    path("taal/", accounts_views.language_switch, name="set-language"),
    path("berichten/", include("outbox.urls")),
    path("", include("partners.urls")),
    path("", include("projects.urls")),
    path("", include("events.urls")),
    path("coordinatie/", include("coordination.urls")),
    path("beheer/", admin.site.urls),
]
