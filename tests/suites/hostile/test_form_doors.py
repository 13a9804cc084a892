"""Every payload through every text field of every form, posted as a browser posts it (the
Django test client, form-encoded), as the persona whose form it is. A stored field keeps exactly
what was typed (less the whitespace around it) or the page comes back with the error beside the
field, and then nothing changed; a reference, a credential or a field only shown back (a search,
a sign-in address) never makes a 500. Every page a post renders, and the page a probe is sent
on to, holds the payload as text: nothing in it would run or load."""

from __future__ import annotations

import pytest

from .discovery import form_fields
from .drivers import FormWrites
from .form_doors import EXCLUDED, FORM_DOORS
from .payloads import PAYLOADS, PROBES

FORMS = sorted({field.form for field in form_fields()} - set(EXCLUDED))
CASES = [
    pytest.param(form, index, id=f"{form.rsplit('.', 1)[-1]}-{index}")
    for form in FORMS
    for index in range(max(1, len(FORM_DOORS.get(form, []))))
]
FORM_PAYLOADS = [payload for payload in PAYLOADS if not payload.json_only]
FORM_PROBES = [payload for payload in PROBES if not payload.json_only]


@pytest.mark.parametrize(("form", "index"), CASES)
def test_every_payload_through_every_text_field_of_the_form(door_world, form, index):
    doors = FORM_DOORS.get(form)
    assert doors, f"No door for {form}: add it to tests/suites/hostile/form_doors.py (or EXCLUDED, with why)"
    attempts = FormWrites(door_world, form, doors[index])
    if attempts.stored:
        for payload in attempts.in_order(FORM_PAYLOADS):
            attempts.write(payload)
    for name in sorted(attempts.door.reflected):
        for payload in FORM_PAYLOADS:
            attempts.probe(payload, name)
    for name in sorted(attempts.door.refs | attempts.door.credentials):
        for payload in FORM_PROBES:
            attempts.probe(payload, name)
    assert not attempts.failures, "\n".join(attempts.failures)
