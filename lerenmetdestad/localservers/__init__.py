"""The servers behind `make run` and `make test` on a machine with nothing installed.

`python -m lerenmetdestad.localservers <command>`:

- `postgres`, `redis`: an embedded PostgreSQL / Redis in the foreground, listening only on
  Unix sockets in DATA_DIR/run, so they never clash with servers already on the machine;
- `web`, `worker`, `beat`: wait for the database and Redis, then become the Django dev
  server, the Celery worker or Celery beat;
- `run`: all of the above together through honcho (see Procfile); Ctrl-C stops them all;
- `exec -- CMD...`: runs CMD with the embedded servers it needs, then stops them.

The embedded servers are used only for what DATABASE_URL and REDIS_URL leave unset.
There is no business logic here.
"""
