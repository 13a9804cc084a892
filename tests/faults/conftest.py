"""Faults made on purpose, on servers the tests start themselves: a PostgreSQL cluster of their
own on a free port (never the machine's shared one), a redis-server of their own, and gunicorn
serving Ordo against them as in production. Each is torn down afterwards, whatever happened.

They need the machine's PostgreSQL binaries (pg_createcluster, from Debian's postgresql-common)
and redis-server: locally they skip without them, in CI they fail (tests.conftest.need).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import need
from tests.real_services import free_port, smtp_server, wait_until  # noqa: F401 - smtp_server: a fixture here

ROOT = Path(__file__).resolve().parents[2]
PYTHON = sys.executable


def _pg_version() -> str | None:
    versions = sorted(Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").is_dir() else []
    return versions[-1].name if versions else None


@dataclass
class Cluster:
    """A PostgreSQL cluster of the test's own: trust auth on 127.0.0.1 and a free port."""

    version: str
    name: str
    port: int

    @property
    def url(self) -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/ordo"

    def _ctl(self, action: str, *extra: str) -> None:
        subprocess.run(["pg_ctlcluster", self.version, self.name, action, *extra], check=True, timeout=60)

    def stop(self) -> None:
        # Fast: active transactions are rolled back and connections cut, as in a crash of the
        # connections (not of the data: the cluster shuts down cleanly).
        self._ctl("stop", "-m", "fast")

    def start(self) -> None:
        self._ctl("start")
        wait_for(
            lambda: subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0,
            timeout=30,
            what="the cluster to accept connections",
        )

    def psql(self, sql: str) -> str:
        result = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-d", "ordo", "-tAc", sql],
            check=True,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return result.stdout.strip()


def wait_for(predicate, *, timeout: float, what: str):
    """Poll until `predicate` holds (tests.real_services.wait_until), saying what was awaited."""
    return wait_until(predicate, timeout=timeout, message=f"waiting for {what}", step=0.1)


@pytest.fixture
def own_cluster():
    """A new PostgreSQL cluster with an `ordo` database, migrated; dropped afterwards."""
    version = _pg_version()
    need(bool(version) and shutil.which("pg_createcluster") is not None, "needs pg_createcluster (postgresql-common)")
    port = free_port()
    cluster = Cluster(version, f"ordo-fault-{port}", port)
    # pg_createcluster runs initdb as the cluster's owner, postgres (initdb refuses root).
    subprocess.run(
        ["pg_createcluster", version, cluster.name, "--port", str(port), "--start", "--", "--auth=trust"],
        check=True,
        capture_output=True,
        timeout=120,
    )
    try:
        subprocess.run(
            ["createdb", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "ordo"], check=True, timeout=30
        )
        manage("migrate", "--noinput", database_url=cluster.url)
        yield cluster
    finally:
        subprocess.run(["pg_dropcluster", version, cluster.name, "--stop"], capture_output=True, timeout=120)


def app_env(database_url: str, **extra: str) -> dict[str, str]:
    """The environment Ordo runs in for these tests: production-like (debug off), its own
    database, tasks in-process unless REDIS_URL is given."""
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DATABASE_URL", "REDIS_URL", "DJANGO_SETTINGS_MODULE", "DJANGO_CONN_MAX_AGE"}
    }
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="fault-tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz",
        DJANGO_ALLOWED_HOSTS="127.0.0.1,localhost",
        DJANGO_HTTPS="0",
        DJANGO_MANIFEST_STATIC="0",
        DATABASE_URL=database_url,
        EMAIL_URL="console://",
        **extra,
    )
    return env


def manage(*args: str, database_url: str, **extra: str) -> str:
    result = subprocess.run(
        [PYTHON, "manage.py", *args],
        cwd=ROOT,
        env=app_env(database_url, **extra),
        check=True,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return result.stdout


@dataclass
class Gunicorn:
    url: str
    process: subprocess.Popen

    def call(self, method: str, path: str, *, token: str, body: dict | None = None, timeout: float = 15):
        """One API call: (status, parsed JSON or None, headers)."""
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(  # noqa: S310 - the test's own server
            self.url + path,
            data=data,
            method=method,
            headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
                raw = response.read()
                return response.status, json.loads(raw) if raw else None, dict(response.headers)
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = None
            return error.code, parsed, dict(error.headers)


@pytest.fixture
def gunicorn_on(tmp_path):
    """Start gunicorn (config/gunicorn.py: persistent connections) against a database URL. Its
    log goes to a file: a pipe nobody reads fills up, and then every worker blocks writing to it."""
    started: list[subprocess.Popen] = []
    log = tmp_path / "gunicorn.log"

    def start(database_url: str, *, workers: int = 2, **extra: str) -> Gunicorn:
        port = free_port()
        process = subprocess.Popen(
            [
                PYTHON,
                "-m",
                "gunicorn",
                "--config",
                "config/gunicorn.py",
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                str(workers),
                "--access-logfile",
                "/dev/null",
                "--graceful-timeout",
                "5",
            ],
            cwd=ROOT,
            env=app_env(database_url, **extra),
            stdout=subprocess.DEVNULL,
            stderr=log.open("ab"),
        )
        started.append(process)
        server = Gunicorn(f"http://127.0.0.1:{port}", process)

        def healthy():
            try:
                with urllib.request.urlopen(server.url + "/healthz", timeout=2) as response:  # noqa: S310
                    return response.status == 200
            except OSError:
                assert process.poll() is None, f"gunicorn exited: {log.read_text()[-2000:]}"
                return False

        wait_for(healthy, timeout=30, what="gunicorn to answer /healthz")
        return server

    yield start
    for process in started:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
