"""The two doors as the suite drives them: one operation of the API, or one form's door, with
a payload in its stored fields (`write`) or in one reference, credential or shown-back field
(`refuse`/`probe`); every finding is collected, named by the payload, for one assertion."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from .api_doors import API_DOORS
from .discovery import ApiProperty, api_properties, form_fields
from .expect import live_markup
from .payloads import PROBES, Payload
from .targets import read_all
from .verdicts import expected, shown

OK = {200, 201, 202}


def in_order(fields: list, limits: list[int], payloads: list) -> list:
    """The payloads as a door takes them: first those some field refuses, while the pages that
    show a refusal are still short (every accepted write adds a row to them). Where every stored
    field is multi-line, the payloads they all accept then go in a few at a time, a blank line
    apart (Markdown's paragraphs): each still passes through every field, is stored and compared,
    and a write each would cost a request for what the doors of items, products and goals, whose
    multi-line fields take the payloads one by one, check already."""
    refused, accepted = [], []
    for payload in payloads:
        some_refuse = any(
            expected(where, payload.text, limit=limit)[0] for where, limit in zip(fields, limits, strict=True)
        )
        (refused if some_refuse else accepted).append(payload)
    if any(where.labels or where.column().single_line for where in fields):
        return refused + accepted
    chunks: list[list] = [[]]
    for payload in accepted:
        size = sum(len(p.text) + 2 for p in chunks[-1]) + len(payload.text)
        if chunks[-1] and (len(chunks[-1]) == 8 or size > min(limits) // 2):
            chunks.append([])
        chunks[-1].append(payload)
    joined = [
        Payload("+".join(p.name for p in chunk), "together", "\n\n".join(p.text for p in chunk))
        for chunk in chunks
        if chunk
    ]
    return refused + joined


def value_of(prop: ApiProperty, text: str):
    if prop.kind.endswith("-list"):
        return [text]
    if prop.kind == "text-map":
        return {text: "top"}
    return text


def _send(world, door, ctx, body):
    # JSON with ASCII escapes, as a client would send it: a lone surrogate has no UTF-8 form,
    # but "\\ud800" is valid JSON text.
    data = json.dumps(body, ensure_ascii=True)
    return world.api(door.persona).generic(door.method.upper(), door.url(world, ctx), data, "application/json")


def named(response) -> set[str]:
    """The properties a 400 names ("labels.0", an element of a list, names "labels")."""
    try:
        return {name.split(".")[0] for name in response.json().get("fields", {})}
    except ValueError:
        return set()


class ApiWrites:
    """One operation's attempts, and what went wrong in them."""

    def __init__(self, world, operation):
        self.world, self.operation = world, operation
        self.door = API_DOORS[operation]
        self.props = [prop for prop in api_properties() if prop.operation == operation]
        self.stored = [prop for prop in self.props if prop.name in self.door.stored]
        self.refs = [prop for prop in self.props if prop.name not in self.door.stored]
        self.ctx = self.door.setup(world)
        self.failures: list[str] = []

    def fail(self, payload, message: str) -> None:
        self.failures.append(f"{self.operation} ← {payload.name}: {message}")

    def read(self) -> dict:
        return read_all({prop.name: self.door.stored[prop.name] for prop in self.stored}, self.world, self.ctx)

    def send(self, body: dict):
        return _send(self.world, self.door, self.ctx, {**self.door.base(self.world, self.ctx), **body})

    def in_order(self, payloads) -> list:
        fields = [self.door.stored[prop.name] for prop in self.stored]
        limits = [where.column(prop.max_length).limit for where, prop in zip(fields, self.stored, strict=True)]
        return in_order(fields, limits, payloads)

    def write(self, payload) -> None:
        """The payload in every stored property at once; the ones that must refuse it must name
        themselves in the 400, and then the others take it on their own."""
        verdicts = {
            prop.name: expected(self.door.stored[prop.name], payload.text, limit=prop.max_length)
            for prop in self.stored
        }
        refused = {name for name, (reason, _) in verdicts.items() if reason}
        accepted = [prop for prop in self.stored if prop.name not in refused]
        base = self.door.base(self.world, self.ctx)
        if refused:
            before = self.read()
            body = {**base, **{prop.name: value_of(prop, payload.text) for prop in self.stored}}
            response = _send(self.world, self.door, self.ctx, body)
            names = named(response)
            if response.status_code != 400:
                self.fail(payload, f"{response.status_code} where {sorted(refused)} must refuse it")
            elif not names or not names <= refused:
                self.fail(payload, f"the 400 names {sorted(names)}, not (only) {sorted(refused)}")
            elif (after := self.read()) != before:
                changed = sorted(name for name in after if after[name] != before[name])
                self.fail(payload, f"a refused write changed {changed}")
        if not accepted:
            return
        body = {**base, **{prop.name: value_of(prop, payload.text) for prop in accepted}}
        response = _send(self.world, self.door, self.ctx, body)
        if response.status_code not in OK:
            self.fail(
                payload, f"{response.status_code} {shown(response.content, 200)} for {[p.name for p in accepted]}"
            )
            return
        now = self.read()
        for prop in accepted:
            want = verdicts[prop.name][1]
            if now[prop.name] != want:
                self.fail(payload, f"{prop.name} stored {shown(now[prop.name])}, sent {shown(want)}")
        if self.door.used_up:
            self.ctx = self.door.setup(self.world)

    def refuse(self, payload, prop: ApiProperty) -> None:
        """A payload where a reference, a credential or a choice goes: a 400 naming it."""
        base = (self.door.probe_base or self.door.base)(self.world, self.ctx)
        response = _send(self.world, self.door, self.ctx, {**base, prop.name: value_of(prop, payload.text)})
        if response.status_code != 400:
            self.fail(payload, f"{prop.name}: {response.status_code}, not 400")
        elif prop.name not in named(response) and prop.name not in self.door.credentials:
            self.fail(payload, f"{prop.name}: the 400 does not name it: {shown(response.content, 200)}")


def _bound_forms(response, form_name: str) -> list:
    contexts = response.context if isinstance(response.context, list) else [response.context]
    found = []
    for context in contexts:
        if context is None:
            continue
        for value in context.flatten().values():
            # A page with a form per row passes them in a list of (row, form) pairs.
            nested = (
                [v for part in value for v in (part if isinstance(part, tuple) else (part,))]
                if isinstance(value, list)
                else []
            )
            for candidate in (value, *nested):
                if f"{type(candidate).__module__}.{type(candidate).__qualname__}" == form_name and candidate.is_bound:
                    found.append(candidate)
    return found


class FormWrites:
    """One form door's attempts, and what went wrong in them."""

    def __init__(self, world, form_name: str, door):
        self.world, self.form_name, self.door = world, form_name, door
        self.fields = {field.name: field.field for field in form_fields() if field.form == form_name}
        self.stored = [name for name in self.fields if name in door.stored]
        self.ctx = door.setup(world)
        self.failures: list[str] = []

    def fail(self, payload, message: str) -> None:
        self.failures.append(f"{self.form_name.rsplit('.', 1)[-1]} ← {payload.name}: {message}")

    def client(self):
        if self.door.client:
            return self.door.client(self.world, self.ctx)
        return self.world.html(self.door.persona)

    def send(self, data: dict):
        url = self.door.url(self.world, self.ctx)
        headers = self.door.headers
        if self.door.method == "get":
            return self.client().get(url, data, headers=headers)
        return self.client().post(
            url, urlencode(data), content_type="application/x-www-form-urlencoded", headers=headers
        )

    def read(self) -> dict:
        return read_all({name: self.door.stored[name] for name in self.stored}, self.world, self.ctx)

    def in_order(self, payloads) -> list:
        fields = [self.door.stored[name] for name in self.stored]
        limits = [self.fields[name].max_length or self.door.stored[name].column().limit for name in self.stored]
        return in_order(fields, limits, payloads)

    def inert(self, payload, response, *, follow: bool = False) -> None:
        """The rendered page (or, with `follow`, the page a redirect leads to) keeps the payload
        as text."""
        if response.status_code in (301, 302, 303) and follow:
            response = self.client().get(response["Location"])
        if response.status_code >= 500:
            self.fail(payload, f"{response.status_code} on the page shown after it")
        elif "html" in response.get("Content-Type", "") and response.content:
            for problem in live_markup(response.content.decode()):
                self.fail(payload, f"{response.request['PATH_INFO']}: {problem}")

    def refused_fields(self, response) -> set[str]:
        if self.door.errors_of:
            return self.door.errors_of(response)
        return {name for form in _bound_forms(response, self.form_name) for name in form.errors}

    def write(self, payload) -> None:
        """The payload in every stored field at once; the page must show the refusing ones'
        errors beside them (and hold the payload as text), then the others take it alone."""
        verdicts = {
            name: expected(
                self.door.stored[name],
                payload.text,
                limit=self.fields[name].max_length,
                comma_separated=self.door.stored[name].labels,
            )
            for name in self.stored
        }
        refused = {name for name, (reason, _) in verdicts.items() if reason}
        accepted = [name for name in self.stored if name not in refused]
        base = self.door.base(self.world, self.ctx)
        if refused:
            before = self.read()
            response = self.send({**base, **dict.fromkeys(self.stored, payload.text)})
            names = self.refused_fields(response)
            if response.status_code != self.door.refused_status:
                self.fail(payload, f"{response.status_code} where {sorted(refused)} must refuse it")
            elif not names or not names <= refused:
                self.fail(payload, f"the form shows errors for {sorted(names)}, not (only) {sorted(refused)}")
            elif (after := self.read()) != before:
                self.fail(payload, f"a refused post changed {sorted(n for n in after if after[n] != before[n])}")
            self.inert(payload, response)
        if not accepted:
            return
        response = self.send({**base, **dict.fromkeys(accepted, payload.text)})
        if response.status_code not in self.door.ok:
            errors = [dict(form.errors) for form in _bound_forms(response, self.form_name)]
            self.fail(payload, f"{response.status_code} for {accepted}: {shown(errors, 300)}")
            return
        now = self.read()
        for name in accepted:
            if now[name] != verdicts[name][1]:
                self.fail(payload, f"{name} stored {shown(now[name])}, typed {shown(verdicts[name][1])}")
        self.inert(payload, response, follow=payload in PROBES)
        if self.door.used_up:
            self.ctx = self.door.setup(self.world)

    def probe(self, payload, name: str) -> None:
        """A payload where a reference, a credential or a shown-back field goes."""
        base = self.door.probe_base(self.world, self.ctx, name) if self.door.probe_base else None
        base = base if base is not None else self.door.base(self.world, self.ctx)
        response = self.send({**base, name: payload.text})
        if response.status_code >= 500:
            self.fail(payload, f"{name}: {response.status_code}")
        else:
            self.inert(payload, response, follow=True)
