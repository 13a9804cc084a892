"""Personas and helpers shared by the whole suite.

Tests that need a real service (PostgreSQL, Chromium) skip locally when it is missing, with the
reason; under CI=true they fail instead, so nothing is silently skipped there.
"""

import os
import shutil

import pytest
from django.db import connection

from backlog import services
from backlog.models import Role

IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
PASSWORD = "correct-horse-battery-staple"


def need(condition: bool, reason: str) -> None:
    """Skip locally when a real service is missing; fail in CI, where it must be there."""
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must provide this: {reason}")
    pytest.skip(reason)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 at Django's strength takes ~0.5 s per user here; tests check flows, not hashing."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def celery_in_process():
    """Tasks run in-process unless a test starts a real worker (tests/digests/conftest.py): with
    REDIS_URL set (as in CI) nothing else should depend on a worker being there."""
    from config.celery import app

    saved = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, True
    yield
    app.conf.task_always_eager, app.conf.task_eager_propagates = saved


@pytest.fixture
def on_postgres():
    need(connection.vendor == "postgresql", "needs PostgreSQL: set DATABASE_URL=postgres://…")


def make_user(email: str, **extra):
    from accounts.models import User

    return User.objects.create_user(email=email, password=PASSWORD, **extra)


@pytest.fixture
def po(db):
    return make_user("po@example.com", display_name="Paula Owner")


@pytest.fixture
def product(po):
    return services.create_product(by=po, key="SHOP", name="Online shop", vision="Sell *things*.")


def _member(product, email: str, role: str):
    from backlog.models import Membership

    user = make_user(email)
    Membership.objects.create(product=product, user=user, role=role)
    return user


@pytest.fixture
def scrum_master(product):
    return _member(product, "sm@example.com", Role.SCRUM_MASTER)


@pytest.fixture
def developer(product):
    return _member(product, "dev@example.com", Role.DEVELOPER)


@pytest.fixture
def stakeholder(product):
    return _member(product, "stakeholder@example.com", Role.STAKEHOLDER)


@pytest.fixture
def outsider(db):
    return make_user("outsider@example.com")


def make_item(product, by=None, title=None, **fields):
    """Create an item through the service, as a product owner would."""
    from backlog.models import Membership

    if by is None:
        by = Membership.objects.filter(product=product, role=Role.PRODUCT_OWNER).first().user
    number = product.items.count() + 1
    return services.create_item(product=product, by=by, title=title or f"Item {number}", **fields)


def make_items(product, count: int, by=None):
    return [make_item(product, by=by) for _ in range(count)]


@pytest.fixture
def chromium_path():
    path = os.environ.get("ORDO_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    need(os.path.exists(path), "needs Chromium: apt-get install chromium (or set ORDO_CHROMIUM)")
    return path
