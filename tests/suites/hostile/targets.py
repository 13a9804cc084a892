"""What the doors write into: the objects a write needs (made through the services, as people
would), where a stored value lives, and how to read it back from the database."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace

from django.db import models
from django.utils import timezone

from accounts.models import ApiToken, User
from backlog import services as backlog_services
from backlog.models import Invitation, Item, Label, Membership, Product, ProductGoal, RefinementNote, Role
from backlog.services import TEXT_MAX
from backlog.services.invitations import invitation_token
from sprints import services as sprint_services
from sprints.models import ActionItem, Feedback, HypothesisOutcome, RetroCard, Sprint, SprintItem
from tests.conftest import make_item, make_user

from .expect import Column

Ctx = SimpleNamespace


@dataclass(frozen=True)
class Stored:
    """A text field that a door stores: the model field it lands in (its line rule and length
    come from there) and where the row is (`locate`, from the world and the door's context).
    `labels`: the field is the row's label names."""

    model: type[models.Model]
    field: str
    locate: Callable[[object, Ctx], models.Model | None]
    labels: bool = False

    def column(self, door_limit: int | None = None) -> Column:
        model_field = self.model._meta.get_field(self.field)
        single_line = not isinstance(model_field, models.TextField)
        limits = [limit for limit in (model_field.max_length, door_limit) if limit]
        # Multi-line text has no column limit; the services' documented one holds for it.
        return Column(single_line=single_line, limit=min(limits) if limits else TEXT_MAX)

    def value(self, row):
        if row is None:
            return None
        if self.labels:
            return sorted(row.labels.values_list("name", flat=True))
        return getattr(row, self.field)


def read_all(stored: dict[str, Stored], w, c) -> dict:
    """The stored values now, each row read once."""
    rows: dict = {}
    values = {}
    for name, where in stored.items():
        if where.locate not in rows:
            rows[where.locate] = where.locate(w, c)
        values[name] = where.value(rows[where.locate])
    return values


def _newest(model, **filters):
    return lambda w, c: model.objects.filter(**{k: v(w) for k, v in filters.items()}).order_by("-pk").first()


def _fresh(name):
    def locate(w, c):
        obj = getattr(c, name)
        return type(obj).objects.filter(pk=obj.pk).first()

    return locate


_newest_item = _newest(Item, product=lambda w: w.product)
_target_item = _fresh("item")


def _product(w, c):
    return Product.objects.get(pk=w.product.pk)


_sprint = _fresh("sprint")


def newest_item(attribute):
    return Stored(Item, attribute, _newest_item)


def target_item(attribute):
    return Stored(Item, attribute, _target_item)


NEWEST_ITEM_LABELS = Stored(Label, "name", _newest_item, labels=True)
TARGET_ITEM_LABELS = Stored(Label, "name", _target_item, labels=True)


def product_attr(attribute):
    return Stored(Product, attribute, _product)


def sprint_attr(attribute):
    return Stored(Sprint, attribute, _sprint)


_newest_product = _newest(Product)
_newest_goal = _newest(ProductGoal)
NEWEST_PRODUCT = {name: Stored(Product, name, _newest_product) for name in ("name", "vision")}
NEWEST_GOAL = {name: Stored(ProductGoal, name, _newest_goal) for name in ("title", "description")}
NEWEST_SPRINT_GOAL = Stored(Sprint, "goal", _newest(Sprint))
NEWEST_NOTE = Stored(RefinementNote, "body", _newest(RefinementNote))
NEWEST_FEEDBACK = Stored(Feedback, "body", _newest(Feedback))
NEWEST_CARD = Stored(RetroCard, "body", _newest(RetroCard))
NEWEST_ACTION = Stored(ActionItem, "title", _newest(ActionItem))
NEWEST_TOKEN = Stored(ApiToken, "name", _newest(ApiToken))
OUTCOME_EVIDENCE = Stored(
    HypothesisOutcome, "evidence", lambda w, c: HypothesisOutcome.objects.filter(sprint=c.sprint, item=c.item).first()
)
BECAME_TITLE = Stored(
    Item, "title", lambda w, c: Feedback.objects.select_related("became").get(pk=c.feedback.pk).became
)
PO_DISPLAY_NAME = Stored(User, "display_name", lambda w, c: User.objects.get(pk=w.po.pk))
INVITEE_DISPLAY_NAME = Stored(User, "display_name", lambda w, c: User.objects.filter(email=c.invitation.email).first())


# --- Setups: what one write needs ---------------------------------------------------------------------


def nothing(w) -> Ctx:
    return Ctx()


def an_item(w) -> Ctx:
    return Ctx(item=make_item(w.product, by=w.po, title="The target"))


def two_items(w) -> Ctx:
    return Ctx(item=make_item(w.product, by=w.po, title="Moved"), other=make_item(w.product, by=w.po, title="Still"))


def _dates() -> tuple[datetime.date, datetime.date]:
    start = timezone.localdate()
    return start, start + datetime.timedelta(days=13)


def a_planned_sprint(w) -> Ctx:
    start, end = _dates()
    sprint = sprint_services.create_sprint(product=w.product, by=w.po, start_date=start, end_date=end, goal="Ship")
    return Ctx(sprint=sprint, item=make_item(w.product, by=w.po, title="Plannable", status="ready", estimate=3))


def an_active_sprint(w) -> Ctx:
    """A started sprint holding one item; any sprint left active is closed first."""
    for sprint in Sprint.objects.filter(product=w.product, status=Sprint.Status.ACTIVE):
        sprint_services.close_sprint(sprint=sprint, by=w.po, goal_outcome="met")
    start, end = _dates()
    sprint = sprint_services.create_sprint(product=w.product, by=w.po, start_date=start, end_date=end, goal="Ship")
    item = make_item(w.product, by=w.po, title="Committed", status="ready", estimate=3)
    sprint_services.add_to_sprint(sprint=sprint, item=item, by=w.po)
    sprint = sprint_services.start_sprint(sprint=sprint, by=w.po)
    return Ctx(sprint=sprint, item=item)


def a_done_hypothesis(w) -> Ctx:
    """A done item of the active sprint whose hypothesis nobody judged yet (once judged, the
    review page offers no form for it)."""
    sprint = Sprint.objects.filter(product=w.product, status=Sprint.Status.ACTIVE).first()
    ctx = Ctx(sprint=sprint) if sprint else an_active_sprint(w)
    ctx.item = make_item(w.product, by=w.po, title="Judged", hypothesis="We believe it sells.", estimate=2)
    sprint_services.add_to_sprint(sprint=ctx.sprint, item=ctx.item, by=w.po)
    sprint_services.set_column(sprint=ctx.sprint, item=ctx.item, by=w.po, column=SprintItem.Column.DONE)
    ctx.item.refresh_from_db()
    return ctx


def feedback_given(w) -> Ctx:
    """Feedback on the active sprint (one per write: it becomes an item once)."""
    sprint = Sprint.objects.filter(product=w.product, status=Sprint.Status.ACTIVE).first()
    ctx = Ctx(sprint=sprint) if sprint else an_active_sprint(w)
    ctx.feedback = sprint_services.add_feedback(sprint=ctx.sprint, by=w.users["stakeholder"], body="Make it faster")
    return ctx


def no_active_goal(w) -> Ctx:
    """Room for a new product goal: the active one, if any, is marked achieved."""
    for goal in ProductGoal.objects.filter(product=w.product, status=ProductGoal.Status.ACTIVE):
        backlog_services.close_product_goal(goal=goal, by=w.po, status="achieved")
    return Ctx()


def an_active_goal(w) -> Ctx:
    no_active_goal(w)
    return Ctx(goal=backlog_services.set_product_goal(product=w.product, by=w.po, title="Grow"))


def a_leaving_member(w) -> Ctx:
    user = make_user(f"leaver{w.next_number()}@example.com")
    Membership.objects.create(product=w.product, user=user, role=Role.DEVELOPER)
    return Ctx(member=user)


def an_invitation(w) -> Ctx:
    """An invitation to a newcomer, as its link carries it. Made as a row: the service's limit on
    invitations per sender would stop a hundred of them, and the limit is not under test."""
    invitation = Invitation.objects.create(
        product=w.product, email=f"newcomer{w.next_number()}@example.com", role=Role.DEVELOPER, invited_by=w.po
    )
    return Ctx(invitation=invitation, token=invitation_token(invitation))
