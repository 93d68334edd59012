from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from accounts import views as accounts_views
from lerenmetdestad import health, pages

# The admin logs in through allauth, so its login has the same throttling and
# email verification as every other login.
admin.site.login = secure_admin_login(admin.site.login)
admin.site.site_header = "Leren met de Stad"
admin.site.site_title = "Leren met de Stad"
admin.site.index_title = "Coördinatie"

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
