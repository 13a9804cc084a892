"""For the digest delivery tests: stakeholders whose digest is due, and the real services of
tests.real_services (an SMTP server, a Redis broker, a Celery worker). Nothing here is
autouse: the content tests of this package run in-process, as everywhere else."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from backlog.models import Membership, Role
from tests.conftest import make_user
from tests.real_services import (  # noqa: F401 - fixtures and helpers of this package's tests
    TEST_REDIS_URL,
    Broker,
    RealWorker,
    Received,
    SmtpServer,
    TaskRun,
    celery_broker,
    celery_worker,
    close_leftover_connections,
    free_port,
    point_broker_at,
    smtp_server,
    wait_until,
)

# --- People whose weekly digest is due ----------------------------------------------------------


def make_due_stakeholders(product, emails_and_zones: list[tuple[str, str]], *, joined_days_ago: int = 8) -> list:
    """Stakeholders (weekly digest, Monday 09:00 in their own time zone, by their role) who
    joined long enough ago that this week's slot, or last week's, is due now: no clock to patch."""
    joined = timezone.now() - dt.timedelta(days=joined_days_ago)
    users = []
    for address, zone in emails_and_zones:
        user = make_user(address, time_zone=zone, display_name=address.split("@")[0].title())
        Membership.objects.create(product=product, user=user, role=Role.STAKEHOLDER, created_at=joined)
        users.append(user)
    return users
