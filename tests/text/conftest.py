"""User-written text across the apps: the sprint fixtures of tests/sprints, for the fields that
live in a sprint (action items, retrospective cards, feedback)."""

from tests.sprints.conftest import active_sprint, ready_items  # noqa: F401 - fixtures
