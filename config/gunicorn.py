"""gunicorn's settings for the web tier: `gunicorn -c config/gunicorn.py config.wsgi:application`
(the Dockerfile's CMD).

Persistent database connections belong here, not in the settings' default: a gunicorn worker
serves one request at a time and keeps its one connection for a minute, so PostgreSQL sees one
connection per worker. (`runserver` starts a thread per request; with persistent connections
every thread would keep its own, and 100 are gone within a minute.) gunicorn reads this file
before a worker imports the settings; a DJANGO_CONN_MAX_AGE in the environment still wins."""

import os

os.environ.setdefault("DJANGO_CONN_MAX_AGE", "60")

bind = "0.0.0.0:8000"
workers = 3
accesslog = "-"
