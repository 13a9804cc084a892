"""The stakeholder's digest of the hostile world (goals, sprint goals and notes, review notes,
feedback, item titles, all payloads): its HTML part holds no markup that would run or load and
only what Markdown makes, sanitised; its text part shows user text exactly as typed (no HTML
escaping leaks into it); its headers are single lines."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings
from django.db import transaction
from django.test import override_settings

from digests import email as digest_email
from digests.models import DigestDelivery

from .expect import BAD_SCHEME, live_markup
from .payloads import MARKER
from .world import hostile_world

# The mark also makes pytest-django create the test database, which the module's fixture needs.
pytestmark = pytest.mark.django_db
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # as tests/conftest.py does per test

# What the email's template writes, and what the Markdown renderer may add (backlog.markdown).
EMAIL_TAGS = frozenset(
    {"html", "head", "meta", "title", "body", "div", "table", "tr", "td", "span", "bdi", "hr"}
    | {"p", "br", "blockquote", "pre", "code", "strong", "em", "del", "s", "a", "ul", "ol", "li"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "thead", "tbody", "th"}
)
ENTITIES = re.compile(r"&(?:lt|gt|amp|quot|apos|#x?[0-9a-fA-F]+);")


@pytest.fixture(scope="module")
def digest(django_db_setup, django_db_blocker):
    """The digest and its email of each kind, built once for the module (the world takes seconds)
    in a transaction rolled back at once: the tests read the composed messages only."""
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        world = hostile_world(pages=False)
        data = digest_email.digest_data(world.stakeholder, world.product)
        messages = {
            kind: digest_email.compose(
                data, DigestDelivery(user=world.stakeholder, product=world.product, period="p", kind=kind)
            )
            for kind in DigestDelivery.Kind.values
        }
        transaction.set_rollback(True)
    return data, messages


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))

    handle_startendtag = handle_starttag


def _user_texts(data: dict) -> tuple[list[str], list[str]]:
    """(one-line texts, Markdown texts) of the digest, as stored."""
    lines = [data["product"]["name"]]
    markdown = []
    if goal := data["product_goal"]:
        lines.append(goal["title"])
        markdown.append(goal["description"])
    lines += [goal["title"] for goal in data["ended_product_goals"]]
    if sprint := data["active_sprint"]:
        markdown.append(sprint["goal"])
    for sprint in data["closed_sprints"]:
        markdown += [sprint["goal"], sprint["goal_note"], sprint["review_notes"]]
        lines += [entry["title"] for part in ("done", "not_done", "removed") for entry in sprint[part]]
        lines += [entry["item_title"] for entry in sprint["feedback_items"]]
    lines += [entry["title"] for entry in data["top"]]
    return [line for line in lines if line], [text for text in markdown if text]


def _feedback(data: dict) -> list[str]:
    """The feedback quoted beside the items it became (shortened in the text part)."""
    return [entry["feedback"] for sprint in data["closed_sprints"] for entry in sprint["feedback_items"]]


def test_the_digest_carries_the_payloads(digest):
    data, messages = digest
    lines, markdown = _user_texts(data)
    assert data["closed_sprints"] and data["active_sprint"] and data["top"] and markdown
    for message in messages.values():
        assert MARKER in message.body and MARKER in message.alternatives[0][0]


def test_the_html_part_holds_only_sanitised_markup_that_neither_runs_nor_loads(digest):
    _, messages = digest
    for kind, message in messages.items():
        html, mimetype = message.alternatives[0]
        assert mimetype == "text/html"
        assert not live_markup(html), (kind, live_markup(html)[:5])
        parser = _Tags()
        parser.feed(html)
        problems = []
        for tag, attrs in parser.tags:
            if tag not in EMAIL_TAGS:
                problems.append(f"<{tag}>")
            problems += [f"<{tag} {name}>" for name in attrs if name.startswith("on") or name in {"src", "srcset"}]
            if "url(" in (attrs.get("style") or ""):
                problems.append(f"<{tag} style={attrs['style']!r}>")
            href = attrs.get("href")
            if href is not None and (
                BAD_SCHEME.match(href.strip())
                or not href.startswith((settings.SITE_URL + "/", "https://", "http://", "mailto:"))
            ):
                problems.append(f"<{tag} href={href!r}>")
        assert not problems, (kind, sorted(set(problems)))


def test_the_text_part_shows_user_text_exactly_as_typed(digest):
    """Each one-line text and each paragraph of Markdown without a link appears verbatim; with
    them all taken out, no HTML entity is left: nothing was escaped on the way."""
    data, messages = digest
    lines, markdown = _user_texts(data)
    paragraphs = [part for text in markdown for part in text.split("\n\n") if "](" not in part and "]:" not in part]
    for kind, message in messages.items():
        text = message.body
        missing = [value for value in lines + paragraphs if value not in text]
        assert not missing, (kind, missing[:3])
        rest = text
        for value in sorted(lines + paragraphs + markdown + _feedback(data), key=len, reverse=True):
            rest = rest.replace(value, "")
        leaked = sorted(set(ENTITIES.findall(rest)))
        assert not leaked, (kind, leaked, [line for line in rest.splitlines() if ENTITIES.search(line)][:3])


def test_every_header_ordo_builds_is_one_line(digest):
    _, messages = digest
    for kind, message in messages.items():
        values = {"Subject": message.subject, **message.extra_headers}
        broken = {
            name: value for name, value in values.items() if any(ord(char) < 32 or ord(char) == 127 for char in value)
        }
        assert not broken, (kind, broken)
        message.message()  # Django refuses a header with a line break in it (BadHeaderError)
