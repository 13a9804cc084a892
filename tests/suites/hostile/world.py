"""A product whose every stored text holds the corpus, written through the services (the doors
tests show the doors store what the services store): one visit to each page then meets every
payload that page can show, and the stakeholder's digest carries them too.

Multi-line text holds all the payloads it can store, a blank line apart. A single-line field
holds one value, so there is one row per payload where the page lists rows: products, members,
tokens, product goals, items, labels, action items."""

from __future__ import annotations

import datetime
import functools
from types import SimpleNamespace

from django.utils import timezone

from accounts.services import create_api_token
from backlog import services as backlog_services
from backlog.models import Item, Membership, Role
from backlog.services import LABEL_MAX, LABELS_MAX, TEXT_MAX
from backlog.services.invitations import invitation_token
from digests.selectors import unsubscribe_token
from sprints import services as sprint_services
from sprints.models import Sprint, SprintItem
from tests.conftest import make_user

from .expect import Column, refusal
from .payloads import BY_NAME, MARKER, PAYLOADS

MULTI_LINE = Column(single_line=False, limit=TEXT_MAX)


@functools.cache
def single_line(limit: int) -> tuple[str, ...]:
    """Every payload a single-line field of that length stores, as it stores it."""
    column = Column(single_line=True, limit=limit)
    return tuple(payload.text.strip() for payload in PAYLOADS if refusal(payload.text, column) is None)


@functools.cache
def storable() -> tuple:
    """The payloads a multi-line field stores (all but NUL, lone surrogates, the over-long)."""
    return tuple(payload for payload in PAYLOADS if refusal(payload.text, MULTI_LINE) is None)


def all_text(limit: int = TEXT_MAX) -> str:
    """As many storable payloads as fit in `limit`, a blank line apart."""
    parts, size = [], 0
    for payload in storable():
        if size + len(payload.text) + 2 > limit:
            break
        parts.append(payload.text.strip())
        size += len(payload.text) + 2
    return "\n\n".join(parts)


def _titles(limit: int = 200) -> list[str]:
    return list(single_line(limit))


def _labels() -> list[str]:
    """The payloads a label takes (a comma would separate two labels in the item form)."""
    return [name for name in single_line(50) if "," not in name]


def hostile_world(*, pages: bool = True) -> SimpleNamespace:
    """Everything the pages and the digest show, hostile. Returns the people, the product, its
    showcase item and sprints, and the signed links. Without `pages`, only what the digest shows
    (it leaves out the rows only pages list: other products, members, tokens, notes, the archive,
    the retrospective)."""
    text = all_text()
    names = single_line(100) if pages else ()
    po = make_user("po@example.com", display_name=BY_NAME["img-onerror"].text)
    product = backlog_services.create_product(by=po, key="HOST", name=BY_NAME["script-after-bdi"].text, vision=text)
    for n, name in enumerate(_titles() if pages else [], start=1):
        backlog_services.create_product(by=po, key=f"P{n}", name=name, vision=name)

    stakeholder = make_user("stakeholder@example.com", display_name=BY_NAME["break-double-quote"].text)
    developer = make_user("dev@example.com", display_name=BY_NAME["rtl-override"].text)
    Membership.objects.create(product=product, user=stakeholder, role=Role.STAKEHOLDER)
    Membership.objects.create(product=product, user=developer, role=Role.DEVELOPER)
    members = []
    for n, name in enumerate(names, start=1):
        member = make_user(f"member{n}@example.com", display_name=name)
        Membership.objects.create(product=product, user=member, role=Role.DEVELOPER)
        members.append(member)
    for name in names:
        create_api_token(by=po, name=name)

    for n, title in enumerate(_titles()):
        goal = backlog_services.set_product_goal(product=product, by=po, title=title, description=title)
        backlog_services.close_product_goal(goal=goal, by=po, status="achieved" if n % 2 else "abandoned")
    backlog_services.set_product_goal(product=product, by=po, title=BY_NAME["svg-style-img"].text, description=text)

    labels = _labels()
    showcase = backlog_services.create_item(
        product=product,
        by=po,
        title=BY_NAME["hx-break-out"].text,
        description=text,
        why=text,
        acceptance_criteria=text,
        hypothesis=text,
        labels=labels[:LABELS_MAX],
        estimate=5,
        status="ready",
    )
    items = [
        backlog_services.create_item(
            product=product, by=po, title=title, labels=[labels[n % len(labels)]], status="ready", estimate=3
        )
        for n, title in enumerate(_titles() if pages else _titles()[:20])
    ]
    for item in items[6:9]:
        backlog_services.update_item(item=item, by=po, changes={"parent": showcase})
    for title in _titles() if pages else []:
        archived = backlog_services.create_item(product=product, by=po, title=title)
        backlog_services.archive_item(item=archived, by=po)
    for payload in storable() if pages else []:
        backlog_services.add_refinement_note(item=showcase, by=developer, body=payload.text)

    today = timezone.localdate()
    closed = _closed_sprint(product, po, developer, stakeholder, items[:3], text, today, pages=pages)
    # The board, the burndown and the close form list the active sprint's items: all the others.
    active = _active_sprint(
        product, po, developer, stakeholder, [showcase, *items[6:]], members, text, today, pages=pages
    )
    planned = sprint_services.create_sprint(
        product=product,
        by=po,
        start_date=active.end_date + datetime.timedelta(days=1),
        end_date=active.end_date + datetime.timedelta(days=14),
        goal=text,
    )
    for item in items[3:6]:
        sprint_services.add_to_sprint(sprint=planned, item=item, by=po)

    invitation = backlog_services.invite_member(product=product, by=po, email="newcomer@example.com", role="developer")
    return SimpleNamespace(
        po=po,
        stakeholder=stakeholder,
        developer=developer,
        product=product,
        showcase=showcase,
        closed=closed,
        active=active,
        planned=planned,
        invitation_token=invitation_token(invitation),
        unsubscribe_token=unsubscribe_token(stakeholder.pk, product.pk),
    )


def _review(sprint, po, stakeholder, done_item, text, titles, *, pages):
    # The digest tells only the feedback that became items.
    for payload in storable() if pages else storable()[: len(titles)]:
        feedback = sprint_services.add_feedback(sprint=sprint, by=stakeholder, body=payload.text, about=done_item)
        if titles:
            sprint_services.feedback_to_item(feedback=feedback, by=po, position=1, title=titles.pop())
    sprint_services.record_hypothesis_outcome(
        sprint=sprint, item=done_item, by=po, verdict="inconclusive", evidence=text
    )
    sprint_services.update_sprint(sprint=sprint, by=po, changes={"review_notes": text})


def _closed_sprint(product, po, developer, stakeholder, items, text, today, *, pages):
    start = today - datetime.timedelta(days=28)
    sprint = sprint_services.create_sprint(
        product=product, by=po, start_date=start, end_date=start + datetime.timedelta(days=13), goal=text
    )
    for item in items:
        sprint_services.add_to_sprint(sprint=sprint, item=item, by=po)
    sprint = sprint_services.start_sprint(sprint=sprint, by=po)
    backlog_services.update_item(item=items[0], by=po, changes={"hypothesis": text})
    sprint_services.set_column(sprint=sprint, item=items[0], by=po, column=SprintItem.Column.DONE)
    _review(sprint, po, stakeholder, Item.objects.get(pk=items[0].pk), text, _titles()[:10], pages=pages)
    for payload in storable()[:10] if pages else []:
        sprint_services.add_retro_card(sprint=sprint, by=developer, column="to_improve", body=payload.text)
    sprint_services.add_action_item(sprint=sprint, by=po, title=BY_NAME["math-mglyph"].text.strip())
    return sprint_services.close_sprint(sprint=sprint, by=po, goal_outcome="partly", goal_note=text)


def _active_sprint(product, po, developer, stakeholder, items, members, text, today, *, pages):
    start = today - datetime.timedelta(days=7)
    sprint = sprint_services.create_sprint(
        product=product, by=po, start_date=start, end_date=start + datetime.timedelta(days=13), goal=text
    )
    for item in items:
        sprint_services.add_to_sprint(sprint=sprint, item=item, by=po)
    sprint = sprint_services.start_sprint(sprint=sprint, by=po)
    done = items[1]
    backlog_services.update_item(item=done, by=po, changes={"hypothesis": text})
    sprint_services.set_column(sprint=sprint, item=done, by=po, column=SprintItem.Column.DONE)
    sprint_services.set_column(sprint=sprint, item=items[2], by=po, column=SprintItem.Column.IN_PROGRESS)
    _review(sprint, po, stakeholder, Item.objects.get(pk=done.pk), text, _titles()[10:20], pages=pages)
    columns = ("went_well", "to_improve", "ideas")
    for n, payload in enumerate(storable() if pages else []):
        sprint_services.add_retro_card(sprint=sprint, by=developer, column=columns[n % 3], body=payload.text)
    for n, title in enumerate(_titles() if pages else []):
        owner = members[n % len(members)] if members else None
        sprint_services.add_action_item(sprint=sprint, by=po, title=title, owner=owner)
    return Sprint.objects.get(pk=sprint.pk)


def editable_world() -> SimpleNamespace:
    """What the edit forms open with, hostile: a profile, a product, an item, a planned sprint's
    goal and an active sprint's review notes."""
    text = all_text()
    po = make_user("po@example.com", display_name=BY_NAME["break-double-quote"].text)
    product = backlog_services.create_product(by=po, key="EDIT", name=BY_NAME["script-after-bdi"].text, vision=text)
    item = backlog_services.create_item(
        product=product,
        by=po,
        title=BY_NAME["hx-break-out"].text,
        description=text,
        why=text,
        acceptance_criteria=text,
        hypothesis=text,
        labels=_labels()[:LABELS_MAX],
        estimate=3,
        status="ready",
    )
    # As many labels as an item takes, each as long as a label may be.
    longest = [f"{n:02d}" + "\u202e<b>" + "x" * (LABEL_MAX - 6) for n in range(LABELS_MAX)]
    labelled = backlog_services.create_item(product=product, by=po, title="Labelled to the limit", labels=longest)
    today = timezone.localdate()
    active = sprint_services.create_sprint(
        product=product, by=po, start_date=today, end_date=today + datetime.timedelta(days=13), goal=text
    )
    sprint_services.add_to_sprint(sprint=active, item=item, by=po)
    active = sprint_services.start_sprint(sprint=active, by=po)
    active = sprint_services.update_sprint(sprint=active, by=po, changes={"review_notes": text})
    planned = sprint_services.create_sprint(
        product=product,
        by=po,
        start_date=active.end_date + datetime.timedelta(days=1),
        end_date=active.end_date + datetime.timedelta(days=14),
        goal=text,
    )
    return SimpleNamespace(po=po, product=product, item=item, labelled=labelled, active=active, planned=planned)


def fields_without_payloads() -> list[str]:
    """Stored fields of the doors (tests/suites/hostile/api_doors.py, form_doors.py) that no row
    of the world fills with a payload: a field a door writes must be on the pages too."""
    from .api_doors import API_DOORS
    from .form_doors import FORM_DOORS

    stored = [where for door in API_DOORS.values() for where in door.stored.values()]
    stored += [where for doors in FORM_DOORS.values() for door in doors for where in door.stored.values()]
    columns = {(where.model, where.field) for where in stored}
    return sorted(
        f"{model.__name__}.{name}"
        for model, name in columns
        if not model.objects.filter(**{f"{name}__contains": MARKER}).exists()
    )
