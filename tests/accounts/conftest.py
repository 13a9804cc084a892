"""The real services the outbox tests use (tests.real_services)."""

from tests.real_services import celery_broker, celery_worker, smtp_server  # noqa: F401 - fixtures
