"""The suite covers what the code has: every string property of every API request body and every
text field of every form has a door that writes it, and the corpus holds what the issue asks
for. A new field fails here until a door says how to write it."""

from __future__ import annotations

from collections import Counter

from .api_doors import API_DOORS
from .discovery import api_properties, form_fields
from .form_doors import EXCLUDED, FORM_DOORS
from .payloads import MARKER, PAYLOADS

# Properties the API doors need not list: a payload there is refused as a whole, like a key's.
SELF_EVIDENT = {"choice", "date", "email", "date-time"}


def test_every_string_property_of_every_request_body_has_a_door():
    missing, stale = [], []
    for prop in api_properties():
        door = API_DOORS.get(prop.operation)
        if door is None:
            missing.append(f"{prop.operation} (no door)")
        elif prop.kind not in SELF_EVIDENT and prop.name not in {*door.stored, *door.refs, *door.credentials}:
            missing.append(f"{prop.operation}.{prop.name} ({prop.kind})")
    names = {(prop.operation, prop.name) for prop in api_properties()}
    for operation, door in API_DOORS.items():
        if not any(name[0] == operation for name in names):
            stale.append(f"{operation} (not in the schema)")
        stale += [f"{operation}.{prop}" for prop in {*door.stored, *door.refs} if (operation, prop) not in names]
    assert not missing, f"Add to tests/suites/hostile/api_doors.py: {missing}"
    assert not stale, f"Doors for what the schema no longer has: {stale}"


def test_every_text_field_of_every_form_has_a_door():
    missing, stale = [], []
    fields = {(field.form, field.name) for field in form_fields()}
    for form, name in sorted(fields):
        if form in EXCLUDED:
            continue
        covered = {
            covered
            for door in FORM_DOORS.get(form, [])
            for covered in (*door.stored, *door.refs, *door.credentials, *door.reflected)
        }
        if name not in covered:
            missing.append(f"{form}.{name}")
    for form, doors in FORM_DOORS.items():
        for door in doors:
            named = {*door.stored, *door.refs, *door.credentials, *door.reflected}
            stale += [f"{form}.{name}" for name in named if (form, name) not in fields]
    stale += [form for form in EXCLUDED if not any(field[0] == form for field in fields)]
    assert not missing, f"Add to tests/suites/hostile/form_doors.py (or EXCLUDED, with why): {missing}"
    assert not stale, f"Doors for fields no form has any more: {stale}"


def test_the_corpus_has_sixty_payloads_or_more_of_every_family_the_issue_names():
    families = Counter(payload.family for payload in PAYLOADS)
    assert len(PAYLOADS) >= 60
    wanted = {"script", "handler", "url", "markdown", "mxss", "htmx", "template", "crlf", "rtl", "nul", "long"}
    assert wanted <= set(families), wanted - set(families)
    # Whatever would execute says so through the one marker the checks look for.
    would_run = [p for p in PAYLOADS if p.family in {"script", "handler", "load", "mxss", "htmx"}]
    assert all(MARKER in p.text for p in would_run), [p.name for p in would_run if MARKER not in p.text]
