"""Fixtures of the fuzzing suite: both personas' worlds, built once for the module, and Django's
WSGI application called in this thread, on the test's own database connection."""

from contextlib import contextmanager

import pytest
from django.core import signals
from django.db import close_old_connections, transaction
from django.test import override_settings

from tests.suites.fuzz.world import PERSONAS, build_world


@pytest.fixture(scope="module")
def worlds(django_db_setup, django_db_blocker):
    """Each persona's world, built once per module in a transaction rolled back at its end (the
    tests' own transactions nest inside it, as savepoints)."""
    fast = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast, transaction.atomic():
        yield {persona: build_world(persona) for persona in PERSONAS}
        transaction.set_rollback(True)


@pytest.fixture
def world(request, worlds, db):
    """The world of the persona the test is parametrized with (indirectly)."""
    return worlds[request.param]


@pytest.fixture(autouse=True)
def in_process():
    """A request through the WSGI handler closes "old" connections when it starts and ends, which
    inside the test's transaction would end it: Django's test client unhooks the same signal."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@contextmanager
def rolled_back():
    """Whatever happens inside is undone: each example starts from the world as built."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)
