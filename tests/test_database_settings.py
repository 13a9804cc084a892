"""The database settings: persistent connections only where asked for (gunicorn), and a connect
timeout, so that neither `runserver` nor a host that drops packets can use up the database."""

import os
import runpy
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

CONFIG = Path(__file__).resolve().parent.parent / "config"
POSTGRES = "postgres://ordo@db.example.com:5432/ordo"


@pytest.fixture
def database_settings(monkeypatch):
    """database_settings(DATABASE_URL=…, DJANGO_CONN_MAX_AGE=…) -> the default database, as
    config/settings.py builds it from that environment."""

    def load(**environ):
        monkeypatch.delenv("DJANGO_CONN_MAX_AGE", raising=False)
        monkeypatch.delenv("DATABASE_URL", raising=False)
        for name, value in environ.items():
            monkeypatch.setenv(name, value)
        return runpy.run_path(str(CONFIG / "settings.py"))["DATABASES"]["default"]

    return load


def test_connections_are_closed_after_each_request_by_default(database_settings):
    """`runserver` serves each request in a new thread: a kept connection would be one per thread."""
    assert database_settings(DATABASE_URL=POSTGRES)["CONN_MAX_AGE"] == 0


def test_persistent_connections_are_a_setting(database_settings):
    default = database_settings(DATABASE_URL=POSTGRES, DJANGO_CONN_MAX_AGE="60")
    assert default["CONN_MAX_AGE"] == 60
    assert default["CONN_HEALTH_CHECKS"] is True


@pytest.mark.parametrize("value", ["a minute", "-5", "1.5"])
def test_a_bad_connection_age_stops_the_start_with_a_message_naming_it(database_settings, value):
    with pytest.raises(ImproperlyConfigured, match=r"DJANGO_CONN_MAX_AGE must be a whole number of seconds"):
        database_settings(DATABASE_URL=POSTGRES, DJANGO_CONN_MAX_AGE=value)


def test_connecting_to_postgresql_gives_up_after_three_seconds(database_settings):
    assert database_settings(DATABASE_URL=POSTGRES)["OPTIONS"]["connect_timeout"] == 3


def test_a_connect_timeout_in_the_database_url_wins(database_settings):
    default = database_settings(DATABASE_URL=f"{POSTGRES}?connect_timeout=7")
    assert default["OPTIONS"]["connect_timeout"] == 7


def test_sqlite_never_keeps_connections(database_settings, tmp_path):
    default = database_settings(DATABASE_URL=f"sqlite:///{tmp_path / 'ordo.sqlite3'}", DJANGO_CONN_MAX_AGE="60")
    assert default["CONN_MAX_AGE"] == 0
    assert "connect_timeout" not in default["OPTIONS"]


def test_gunicorn_keeps_connections_for_a_minute(monkeypatch):
    environ = {name: value for name, value in os.environ.items() if name != "DJANGO_CONN_MAX_AGE"}
    monkeypatch.setattr(os, "environ", environ)
    runpy.run_path(str(CONFIG / "gunicorn.py"))
    assert environ["DJANGO_CONN_MAX_AGE"] == "60"


def test_under_gunicorn_the_environment_still_decides(monkeypatch):
    environ = {**os.environ, "DJANGO_CONN_MAX_AGE": "0"}
    monkeypatch.setattr(os, "environ", environ)
    runpy.run_path(str(CONFIG / "gunicorn.py"))
    assert environ["DJANGO_CONN_MAX_AGE"] == "0"
