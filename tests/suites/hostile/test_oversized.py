"""Oversized input, through both doors, for every stored text field: one character over the
field's limit is a 400 naming the field (API) or an error beside it (HTML) and nothing changes;
a value exactly at the limit is kept whole, so the limit is really the limit and nothing is cut
to fit. A body over the upload limit is a 400 in the door's own shape. Never a 500.

The limit is the one the door declares (the schema's maxLength, the form field's max_length),
else the column's, else the services' documented one for multi-line text. Values are multi-byte
(ü and an emoji): a limit counts characters, not bytes."""

from __future__ import annotations

import pytest

from .api_doors import API_DOORS
from .discovery import api_properties, form_fields
from .drivers import OK, ApiWrites, FormWrites, named, value_of
from .form_doors import EXCLUDED, FORM_DOORS
from .verdicts import shown

API_OPERATIONS = sorted(
    {prop.operation for prop in api_properties() if prop.name in getattr(API_DOORS.get(prop.operation), "stored", {})}
)
FORM_CASES = [
    pytest.param(form, index, id=f"{form.rsplit('.', 1)[-1]}-{index}")
    for form in sorted({field.form for field in form_fields()} - set(EXCLUDED))
    for index, door in enumerate(FORM_DOORS.get(form, []))
    if door.stored
]


def filler(length: int) -> str:
    return ("ü\U0001f9ea" * length)[:length]


def _stored_form(where, value: str):
    return [value] if where.labels else value


@pytest.mark.parametrize("operation", API_OPERATIONS)
def test_the_api_refuses_one_character_over_the_limit_and_keeps_a_value_at_it_whole(door_world, operation):
    writes = ApiWrites(door_world, operation)
    failures = []
    for prop in writes.stored:
        where = writes.door.stored[prop.name]
        limit = where.column(prop.max_length if not where.labels else None).limit
        before = writes.read()
        response = writes.send({prop.name: value_of(prop, filler(limit + 1))})
        if response.status_code != 400 or prop.name not in named(response):
            failures.append(
                f"{prop.name}, {limit + 1} characters: {response.status_code} {shown(response.content, 150)}"
            )
        elif writes.read() != before:
            failures.append(f"{prop.name}, {limit + 1} characters: refused, but something changed")
        response = writes.send({prop.name: value_of(prop, filler(limit))})
        if response.status_code not in OK:
            failures.append(f"{prop.name}, {limit} characters: {response.status_code} {shown(response.content, 150)}")
        elif (kept := writes.read()[prop.name]) != _stored_form(where, filler(limit)):
            failures.append(f"{prop.name}, {limit} characters: kept {len(kept or '')} of them")
        if writes.door.used_up:
            writes.ctx = writes.door.setup(door_world)
    assert not failures, f"{operation}:\n" + "\n".join(failures)


@pytest.mark.parametrize(("form", "index"), FORM_CASES)
def test_a_form_refuses_one_character_over_the_limit_and_keeps_a_value_at_it_whole(door_world, form, index):
    writes = FormWrites(door_world, form, FORM_DOORS[form][index])
    failures = []
    for name in writes.stored:
        where = writes.door.stored[name]
        # A label's own limit (the field holds several, comma-separated) or the field's.
        limit = where.column().limit if where.labels else (writes.fields[name].max_length or where.column().limit)
        base = writes.door.base(door_world, writes.ctx)
        before = writes.read()
        response = writes.send({**base, name: filler(limit + 1)})
        if response.status_code != writes.door.refused_status or name not in writes.refused_fields(response):
            failures.append(f"{name}, {limit + 1} characters: {response.status_code}, no error beside the field")
        elif writes.read() != before:
            failures.append(f"{name}, {limit + 1} characters: refused, but something changed")
        response = writes.send({**writes.door.base(door_world, writes.ctx), name: filler(limit)})
        if response.status_code not in writes.door.ok:
            failures.append(f"{name}, {limit} characters: {response.status_code}")
        elif (kept := writes.read()[name]) != _stored_form(where, filler(limit)):
            failures.append(f"{name}, {limit} characters: kept {len(kept or '')} of them")
        if writes.door.used_up:
            writes.ctx = writes.door.setup(door_world)
    assert not failures, f"{form}:\n" + "\n".join(failures)


@pytest.fixture
def upload_limit(settings):
    """A smaller upload limit than Django's 2.5 MB: the same refusal, without megabytes of test data
    (still above the largest value a field takes)."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 200_000
    return settings.DATA_UPLOAD_MAX_MEMORY_SIZE


@pytest.mark.parametrize("operation", API_OPERATIONS)
def test_an_api_body_over_the_upload_limit_is_a_json_400(door_world, operation, upload_limit):
    writes = ApiWrites(door_world, operation)
    prop = writes.stored[0]
    before = writes.read()
    response = writes.send({prop.name: value_of(prop, "x" * upload_limit)})
    assert response.status_code == 400
    assert response.json()["code"] == "too_large"
    assert writes.read() == before


@pytest.mark.parametrize(("form", "index"), FORM_CASES)
def test_a_form_post_over_the_upload_limit_is_a_400_page_that_says_so(door_world, form, index, upload_limit):
    writes = FormWrites(door_world, form, FORM_DOORS[form][index])
    before = writes.read()
    response = writes.send({**writes.door.base(door_world, writes.ctx), writes.stored[0]: "x" * upload_limit})
    assert response.status_code == 400
    assert "larger than Ordo accepts" in response.content.decode()
    assert writes.read() == before


def _limits_by_column() -> dict[tuple[str, str], dict[str, int]]:
    """{(model, field): {door: the length it takes}} for every stored text field of both doors."""
    limits: dict = {}
    for prop in api_properties():
        where = getattr(API_DOORS.get(prop.operation), "stored", {}).get(prop.name)
        if where:
            limit = where.column(None if where.labels else prop.max_length).limit
            limits.setdefault((where.model.__name__, where.field), {})[f"API {prop.operation}.{prop.name}"] = limit
    fields = {(field.form, field.name): field.field for field in form_fields()}
    for form, doors in FORM_DOORS.items():
        for door in doors:
            for name, where in door.stored.items():
                declared = None if where.labels else fields[(form, name)].max_length
                limit = min(filter(None, (declared, where.column().limit)))
                limits.setdefault((where.model.__name__, where.field), {})[f"form {form.rsplit('.', 1)[-1]}.{name}"] = (
                    limit
                )
    return limits


def test_both_doors_take_text_of_the_same_length():
    """A text the API saved must be savable again through the page that edits it, and the other
    way round: one limit per field, whichever door it comes through."""
    differing = {column: doors for column, doors in _limits_by_column().items() if len(set(doors.values())) > 1}
    assert not differing, "\n".join(f"{model}.{field}: {doors}" for (model, field), doors in differing.items())
