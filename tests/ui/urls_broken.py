"""The site's URLs plus one view that fails, to see the 500 page as a visitor would."""

from django.urls import path

from lerenmetdestad.urls import urlpatterns as site_urlpatterns


def fail(request):
    raise RuntimeError("Deliberate failure for the 500 page test")


urlpatterns = [path("kapot/", fail), *site_urlpatterns]
