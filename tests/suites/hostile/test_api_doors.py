"""Every payload through every string property of every API request body (token auth, the
in-process client). A stored property keeps exactly what was sent (less the whitespace around
it) or refuses it with a 400 naming the property, and then nothing changed; a reference, a
credential or a choice refuses a payload with a 400 naming it. Never a 500."""

from __future__ import annotations

import pytest

from .api_doors import API_DOORS
from .discovery import api_properties
from .drivers import ApiWrites
from .payloads import PAYLOADS, PROBES

OPERATIONS = sorted({prop.operation for prop in api_properties()})


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_payload_through_every_string_property_of_the_operation(door_world, operation):
    assert operation in API_DOORS, f"No door for {operation}: add it to tests/suites/hostile/api_doors.py"
    attempts = ApiWrites(door_world, operation)
    if attempts.stored:
        for payload in attempts.in_order(PAYLOADS):
            attempts.write(payload)
    for prop in attempts.refs:
        for payload in PROBES:
            attempts.refuse(payload, prop)
    assert not attempts.failures, "\n".join(attempts.failures)
