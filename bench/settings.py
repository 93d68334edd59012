"""Settings for the discovery benchmark: the production settings (DEBUG off, from the
environment) with one change: static file URLs come from the plain storage, so the benchmark
needs no collectstatic run. The pages measured link to two static files, which the benchmark
does not request."""

from lerenmetdestad.settings import *  # noqa: F403

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
}
