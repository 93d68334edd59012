# The production image: gunicorn serves the site; the same image runs the Celery worker
# and beat (see docker-compose.yml). Settings come from the environment only.

# --- build: dependencies, compiled translations, collected static files -------------------
FROM python:3.12-slim AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
# msgfmt, for compilemessages; needed only here, not in the final image.
RUN apt-get update \
 && apt-get install --yes --no-install-recommends gettext \
 && rm -rf /var/lib/apt/lists/*
RUN python -m venv /venv
COPY requirements/base.txt /tmp/requirements.txt
RUN /venv/bin/pip install -r /tmp/requirements.txt
WORKDIR /app
COPY . .
# The settings refuse to load without a SECRET_KEY; this one exists only for these two
# commands in this build step and is in no layer's environment.
RUN SECRET_KEY=build-only-not-a-secret STATIC_ROOT=/app/staticfiles \
    sh -c '/venv/bin/python manage.py compilemessages --verbosity=0 \
        && /venv/bin/python manage.py collectstatic --noinput --verbosity=0'
# Bytecode now: at run time the app user cannot write into /app.
RUN /venv/bin/python -m compileall -q /app

# --- run -------------------------------------------------------------------------------
FROM python:3.12-slim
ENV PATH=/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=lerenmetdestad.settings \
    STATIC_ROOT=/app/staticfiles \
    DATA_DIR=/data
# Uploads (MEDIA_ROOT, DATA_DIR/media) are the only thing the app writes; compose mounts a
# volume there, which takes this owner on first use.
RUN useradd --system --uid 10001 --user-group --home-dir /nonexistent --shell /usr/sbin/nologin app \
 && mkdir -p /data/media \
 && chown -R app:app /data
COPY --from=build /venv /venv
# Code and static files stay owned by root: the app can read them, not change them.
COPY --from=build /app /app
WORKDIR /app
USER app
EXPOSE 8000
# Workers: WEB_CONCURRENCY (gunicorn reads it), default 1; extra flags: GUNICORN_CMD_ARGS.
# The heartbeat files go to memory; gunicorn's control socket is not used.
# The logger class takes tokens out of the access log's request lines.
CMD ["gunicorn", "lerenmetdestad.wsgi", "--bind", "0.0.0.0:8000", "--access-logfile", "-", \
     "--logger-class", "lerenmetdestad.log_redaction.RedactingGunicornLogger", \
     "--worker-tmp-dir", "/dev/shm", "--no-control-socket"]
