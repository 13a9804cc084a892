"""Every write to products, members and items. Keyword-only, atomic, the acting user passed as
`by`; each service asks the policy itself, so no caller can forget."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import connection, transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from config.errors import InvalidInput, NotFound, StaleVersion

from . import ranking
from .models import (
    ESTIMATE_SCALE,
    PRODUCT_KEY_PATTERN,
    HistoryEntry,
    Item,
    Label,
    Membership,
    Product,
    ProductGoal,
    RefinementNote,
    Role,
)
from .permissions import Action, may_create_at_top, may_set_status, move_action, require

# Namespace of the PostgreSQL advisory locks that serialise the ranking of one product.
RANK_LOCK_NAMESPACE = 4_2001

ITEM_TEXT_FIELDS = ("title", "description", "why", "acceptance_criteria", "hypothesis")
ITEM_FIELDS = (*ITEM_TEXT_FIELDS, "kind", "status", "estimate", "labels", "parent")
TITLE_MAX = Item._meta.get_field("title").max_length
LABEL_MAX = Label._meta.get_field("name").max_length
TEXT_MAX = 20_000


def record(*, product: Product, by, event: str, item: Item | None = None, **data) -> None:
    """Append one history entry."""
    HistoryEntry.objects.create(product=product, item=item, actor=by, event=event, data=data)


# --- Products ------------------------------------------------------------------------------------


@transaction.atomic
def create_product(*, by, key: str, name: str, vision: str = "") -> Product:
    """Create a product; its creator becomes its product owner. The key can never change."""
    key = (key or "").strip().upper()
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    if not re.fullmatch(PRODUCT_KEY_PATTERN, key):
        errors["key"] = ["A product key is 2–10 uppercase letters or digits, like SHOP."]
    elif Product.objects.filter(key=key).exists():
        errors["key"] = [f"The key {key} is taken; choose another."]
    if not name:
        errors["name"] = ["A product needs a name."]
    elif len(name) > 200:
        errors["name"] = ["A name has at most 200 characters."]
    if len(vision or "") > TEXT_MAX:
        errors["vision"] = [f"The vision has at most {TEXT_MAX} characters."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    product = Product.objects.create(key=key, name=name, vision=vision or "")
    Membership.objects.create(product=product, user=by, role=Role.PRODUCT_OWNER)
    record(product=product, by=by, event="backlog.product.created")
    return product


@transaction.atomic
def update_product(*, product: Product, by, name: str | None = None, vision: str | None = None) -> Product:
    """Change a product's name or vision (the key stays)."""
    require(by, product, Action.MANAGE_PRODUCT)
    fields = []
    if name is not None:
        name = name.strip()
        if not name or len(name) > 200:
            raise InvalidInput(
                "A product needs a name of at most 200 characters.",
                fields={"name": ["Required, at most 200 characters."]},
            )
        product.name = name
        fields.append("name")
    if vision is not None:
        if len(vision) > TEXT_MAX:
            raise InvalidInput("The vision is too long.", fields={"vision": [f"At most {TEXT_MAX} characters."]})
        product.vision = vision
        fields.append("vision")
    if fields:
        product.save(update_fields=fields)
        record(product=product, by=by, event="backlog.product.updated", fields=fields)
    return product


# --- Members -------------------------------------------------------------------------------------


def _locked_product(product: Product) -> Product:
    # "At least one product owner" is checked and changed under the product's row lock, or two
    # concurrent demotions could each see the other owner and leave none.
    return Product.objects.select_for_update().get(pk=product.pk)


def _locked_membership(membership: Membership) -> Membership:
    # Someone may have removed the member meanwhile: that is a 404, not a crash.
    locked = Membership.objects.select_for_update().select_related("user").filter(pk=membership.pk).first()
    if locked is None:
        raise NotFound("No such member.")
    return locked


def _check_role(role: str) -> None:
    if role not in Role.values:
        raise InvalidInput(f"Unknown role {role!r}.", fields={"role": [f"Choose one of: {', '.join(Role.values)}."]})


@transaction.atomic
def add_member(*, product: Product, by, user, role: str) -> Membership:
    """Add an existing user to the product with a role."""
    require(by, product, Action.MANAGE_PRODUCT)
    _check_role(role)
    membership, created = Membership.objects.get_or_create(product=product, user=user, defaults={"role": role})
    if not created:
        raise InvalidInput(f"{user.email} is already a member.", fields={"email": ["Already a member."]})
    record(product=product, by=by, event="backlog.member.added", user=user.pk, role=role)
    return membership


def _assert_keeps_an_owner(product: Product, membership: Membership) -> None:
    if membership.role != Role.PRODUCT_OWNER:
        return
    others = Membership.objects.filter(product=product, role=Role.PRODUCT_OWNER).exclude(pk=membership.pk)
    if not others.exists():
        raise InvalidInput(
            "A product always keeps at least one product owner: make someone else product owner first.",
            code="last_product_owner",
            fields={"role": ["This is the last product owner."]},
        )


@transaction.atomic
def change_role(*, membership: Membership, by, role: str) -> Membership:
    """Give a member another role; the last product owner cannot be demoted."""
    require(by, membership.product, Action.MANAGE_PRODUCT)
    _check_role(role)
    product = _locked_product(membership.product)
    # Asked again under the lock: a concurrent change may have demoted the actor meanwhile.
    require(by, product, Action.MANAGE_PRODUCT)
    membership = _locked_membership(membership)
    if role != Role.PRODUCT_OWNER:
        _assert_keeps_an_owner(product, membership)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    record(product=product, by=by, event="backlog.member.role_changed", user=membership.user_id, old=old, new=role)
    return membership


@transaction.atomic
def remove_member(*, membership: Membership, by) -> None:
    """Remove a member (members may also leave); the last product owner cannot go."""
    if membership.user_id != by.pk:
        require(by, membership.product, Action.MANAGE_PRODUCT)
    product = _locked_product(membership.product)
    if membership.user_id != by.pk:
        # Asked again under the lock: a concurrent change may have demoted the actor meanwhile.
        require(by, product, Action.MANAGE_PRODUCT)
    membership = _locked_membership(membership)
    _assert_keeps_an_owner(product, membership)
    membership.delete()
    record(product=product, by=by, event="backlog.member.removed", user=membership.user_id)


# --- Items ---------------------------------------------------------------------------------------


def _lock_ranking(product: Product) -> None:
    """Serialise rank changes of one product until the transaction ends. PostgreSQL: an
    advisory transaction lock. SQLite: the IMMEDIATE transaction already holds the write lock."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [RANK_LOCK_NAMESPACE, product.pk])


def _clean_item_fields(
    product: Product, role: str, changes: dict, current: Item | None = None, *, via_board: bool = False
) -> dict:
    """Validate a set of item field changes, naming the field in every error."""
    unknown = set(changes) - set(ITEM_FIELDS)
    if unknown:
        raise InvalidInput(
            f"Unknown field: {', '.join(sorted(unknown))}.",
            fields={name: ["Unknown field."] for name in sorted(unknown)},
        )
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    for name in ITEM_TEXT_FIELDS:
        if name in changes:
            value = changes[name]
            value = "" if value is None else str(value)
            if name == "title":
                value = value.strip()
                if not value:
                    errors[name] = ["A title is required."]
                elif len(value) > TITLE_MAX:
                    errors[name] = [f"A title has at most {TITLE_MAX} characters."]
            elif len(value) > TEXT_MAX:
                errors[name] = [f"At most {TEXT_MAX} characters."]
            clean[name] = value
    if "kind" in changes:
        if changes["kind"] not in Item.Kind.values:
            errors["kind"] = [f"Choose one of: {', '.join(Item.Kind.values)}."]
        clean["kind"] = changes["kind"]
    if "status" in changes:
        status = changes["status"]
        if status not in Item.Status.values:
            errors["status"] = [f"Choose one of: {', '.join(Item.Status.values)}."]
        elif not may_set_status(role, status, via_board=via_board) and (current is None or current.status != status):
            # Saving an already-ready item unchanged is fine for a developer; setting it is not.
            errors["status"] = [f"Only the product owner may mark an item {status}."]
        clean["status"] = status
    if "estimate" in changes:
        estimate = changes["estimate"]
        if estimate in ("", None):
            estimate = None
        elif (
            isinstance(estimate, bool)
            or not isinstance(estimate, (int, str))
            or str(estimate) not in {str(p) for p in ESTIMATE_SCALE}
        ):
            errors["estimate"] = [f"Estimates are points on the scale {', '.join(map(str, ESTIMATE_SCALE))}, or none."]
        else:
            estimate = int(estimate)
        clean["estimate"] = estimate
    if "labels" in changes:
        labels = changes["labels"] or []
        if isinstance(labels, str) or not all(isinstance(label, str) for label in labels):
            errors["labels"] = ["Labels are a list of names."]
        else:
            names = sorted({label.strip() for label in labels if label.strip()})
            if any(len(name) > LABEL_MAX for name in names):
                errors["labels"] = [f"A label has at most {LABEL_MAX} characters."]
            clean["labels"] = names
    if "parent" in changes:
        parent = changes["parent"]
        if parent is not None and (not isinstance(parent, Item) or parent.product_id != product.pk):
            errors["parent"] = ["The parent must be an item of the same product."]
        elif parent is not None and current is not None and _descends_from(parent, current):
            errors["parent"] = [f"{parent.key} is {current.key} itself or one of its slices; it cannot be its parent."]
        clean["parent"] = parent
    if errors:
        field, messages = next(iter(errors.items()))
        raise InvalidInput(f"{field}: {messages[0]}", fields=errors)
    return clean


def _descends_from(item: Item, ancestor: Item) -> bool:
    """Whether `item` is `ancestor` or lies below it in the slicing lineage."""
    seen: set[int] = set()
    node_id: int | None = item.pk
    while node_id is not None and node_id not in seen:
        if node_id == ancestor.pk:
            return True
        seen.add(node_id)
        node_id = Item.objects.filter(pk=node_id).values_list("parent_id", flat=True).first()
    return False


def _set_labels(item: Item, names: Iterable[str]) -> None:
    labels = []
    for name in names:
        label, _ = Label.objects.get_or_create(product_id=item.product_id, name=name)
        labels.append(label)
    item.labels.set(labels)


@transaction.atomic
def create_item(*, product: Product, by, title: str, at_top: bool = False, **fields) -> Item:
    """Create an item with the next key (SHOP-43), at the bottom of the backlog, or at the top
    when a product owner asks. Developers may not create ready or discarded items."""
    role = require(by, product, Action.EDIT_ITEMS)
    if at_top and not may_create_at_top(role):
        raise InvalidInput(
            "Only the product owner may put a new item at the top.", fields={"at_top": ["Not allowed for your role."]}
        )
    clean = _clean_item_fields(product, role, {"title": title, **fields})
    labels = clean.pop("labels", [])
    # The row lock of this UPDATE serialises concurrent creations: keys never repeat.
    Product.objects.filter(pk=product.pk).update(last_item_number=F("last_item_number") + 1)
    number = Product.objects.filter(pk=product.pk).values_list("last_item_number", flat=True).get()
    _lock_ranking(product)
    edge = (
        Item.objects.filter(product=product)
        .order_by("rank" if at_top else "-rank")
        .values_list("rank", flat=True)
        .first()
    )
    rank = ranking.rank_between(None, edge) if at_top else ranking.rank_between(edge, None)
    now = timezone.now()
    item = Item.objects.create(
        product=product,
        number=number,
        key=f"{product.key}-{number}",
        rank=rank,
        created_by=by,
        created_at=now,
        updated_at=now,
        **clean,
    )
    if labels:
        _set_labels(item, labels)
    record(product=product, by=by, event="backlog.item.created", item=item, at_top=at_top)
    return item


@transaction.atomic
def update_item(*, item: Item, by, changes: dict, expected_version: int | None = None, via_board: bool = False) -> Item:
    """Edit an item's fields. With `expected_version`, a stale edit is refused (StaleVersion
    carries the item as it is now); every accepted edit bumps the version. `via_board`: the
    change is the status that follows a move on the sprint board (sprints.services.set_column),
    which lets any editor set done or ready."""
    role = require(by, item.product, Action.EDIT_ITEMS, not_found=f"No item {item.key}.")
    current = Item.objects.select_for_update().select_related("product").get(pk=item.pk)
    if expected_version is not None and expected_version != current.version:
        raise StaleVersion(
            f"Someone changed {current.key} since you opened it (now version {current.version}).",
            current=current,
        )
    if current.archived_at is not None:
        raise InvalidInput(f"{current.key} is archived; restore it before editing.", code="archived")
    clean = _clean_item_fields(current.product, role, changes, current, via_board=via_board)
    labels = clean.pop("labels", None)
    changed = [name for name, value in clean.items() if getattr(current, name) != value]
    for name in changed:
        setattr(current, name, clean[name])
    if labels is not None and sorted(current.labels.values_list("name", flat=True)) != labels:
        _set_labels(current, labels)
        changed.append("labels")
    if not changed:
        return current
    current.version += 1
    current.updated_at = timezone.now()
    current.save(update_fields=[f for f in changed if f != "labels"] + ["version", "updated_at"])
    record(product=current.product, by=by, event="backlog.item.updated", item=current, fields=changed)
    return current


@transaction.atomic
def archive_item(*, item: Item, by) -> Item:
    """Archive (the interface's delete): the item leaves the backlog but keeps its rank."""
    require(by, item.product, Action.RANK, not_found=f"No item {item.key}.")
    current = Item.objects.select_for_update().get(pk=item.pk)
    if current.archived_at is None:
        current.archived_at = timezone.now()
        current.save(update_fields=["archived_at"])
        record(product=item.product, by=by, event="backlog.item.archived", item=current)
    return current


@transaction.atomic
def restore_item(*, item: Item, by) -> Item:
    """Bring an archived item back where it was: it kept its rank."""
    require(by, item.product, Action.RANK, not_found=f"No item {item.key}.")
    current = Item.objects.select_for_update().get(pk=item.pk)
    if current.archived_at is not None:
        current.archived_at = None
        current.save(update_fields=["archived_at"])
        record(product=item.product, by=by, event="backlog.item.restored", item=current)
    return current


@transaction.atomic
def add_refinement_note(*, item: Item, by, body: str) -> RefinementNote:
    """Add a refinement note (Markdown) to an item."""
    require(by, item.product, Action.EDIT_ITEMS, not_found=f"No item {item.key}.")
    body = (body or "").strip()
    if not body:
        raise InvalidInput("A note needs some text.", fields={"body": ["Required."]})
    if len(body) > TEXT_MAX:
        raise InvalidInput("The note is too long.", fields={"body": [f"At most {TEXT_MAX} characters."]})
    note = RefinementNote.objects.create(item=item, author=by, body=body)
    record(product=item.product, by=by, event="backlog.item.noted", item=item, note=note.pk)
    return note


# --- Ranking -------------------------------------------------------------------------------------

INVALID_TARGET = "Move it next to another live item of the same backlog."
MAX_POSITION = 2**31


@dataclass(frozen=True)
class MoveResult:
    item: Item
    moved: bool


def _live(product: Product):
    return Item.objects.filter(product=product, archived_at__isnull=True)


def _ranks(
    product: Product, item: Item, *, below: str | None = None, above: str | None = None, inclusive: bool, limit: int
) -> list[str]:
    """Ranks of any items (archived too: they hold their ranks) next to a point, the moving
    item left out. `below`: ranks before it, nearest first; `above`: ranks after it."""
    rows = Item.objects.filter(product=product).exclude(pk=item.pk)
    if below is not None:
        rows = rows.filter(**{"rank__lte" if inclusive else "rank__lt": below}).order_by("-rank")
    else:
        rows = rows.filter(**{"rank__gte" if inclusive else "rank__gt": above}).order_by("rank")
    return list(rows.values_list("rank", flat=True)[:limit])


def move_target(*, product: Product, key: str, field: str) -> Item:
    """The live item of the product with this key, as a move target; one error for every miss."""
    item = Item.objects.filter(product=product, key=str(key).upper(), archived_at__isnull=True).first()
    if item is None:
        raise InvalidInput(INVALID_TARGET, code="invalid_target", fields={field: [INVALID_TARGET]})
    return item


def _live_rank_at(product: Product, item: Item, index: int) -> str | None:
    """The rank at 0-based `index` of the live order without `item` (past the end: the last).

    Reads the live order *with* the item, two rows at the offset, and steps over the item in
    Python: excluding it in SQL would cost a table visit per skipped row, where this stays an
    index-only scan of the partial live-rank index.
    """
    live = _live(product).order_by("rank").values_list("rank", flat=True)
    pair = list(live[index : index + 2])
    if pair and pair[0] < item.rank:
        return pair[0]
    if len(pair) == 2:
        return pair[1]
    last_two = list(live.order_by("-rank")[:2])
    return next((rank for rank in last_two if rank != item.rank), None)


def _target_item(product: Product, item: Item, target: Item | None, field: str) -> Item:
    # Unknown, archived, of another product, or the item itself: one message for all, so
    # nothing about other products leaks.
    if target is None or target.product_id != product.pk or target.pk == item.pk or target.archived_at is not None:
        raise InvalidInput(INVALID_TARGET, code="invalid_target", fields={field: [INVALID_TARGET]})
    # The caller's copy may be stale: read the rank as it is under the lock.
    fresh = Item.objects.filter(pk=target.pk, archived_at__isnull=True).values_list("rank", flat=True).first()
    if fresh is None:
        raise InvalidInput(INVALID_TARGET, code="invalid_target", fields={field: [INVALID_TARGET]})
    target.rank = fresh
    return target


@transaction.atomic
def move_item(
    *,
    item: Item,
    by,
    after: Item | None = None,
    before: Item | None = None,
    position: int | None = None,
    for_sprint_close: bool = False,
) -> MoveResult:
    """Move an item directly below `after`, directly above `before`, or to a 1-based
    `position` among live items (past the end means the bottom). Exactly one is given.

    Under the product's ranking lock, reads the two neighbours and writes one row: the moved
    item's rank. Only when the key between them would pass the length bound are a few
    neighbours respaced too. The item's version does not change: reordering must not
    invalidate anyone's open edit form.

    `for_sprint_close`: the move places an unfinished item of a closing sprint
    (sprints.services.close_sprint), which whoever may close the sprint may do.
    """
    product = item.product
    require(by, product, move_action(for_sprint_close), not_found=f"No item {item.key}.")
    given = [
        name for name, value in (("after", after), ("before", before), ("position", position)) if value is not None
    ]
    if len(given) != 1:
        raise InvalidInput(
            "Give exactly one of after, before or position.",
            fields={"target": ["Give exactly one of after, before or position."]},
        )
    if position is not None and (isinstance(position, bool) or not isinstance(position, int) or position < 1):
        raise InvalidInput("Positions start at 1.", fields={"position": ["A whole number, 1 or more."]})

    _lock_ranking(product)
    current = Item.objects.filter(pk=item.pk).values("rank", "archived_at").get()
    if current["archived_at"] is not None:
        raise InvalidInput(f"{item.key} is archived; restore it to move it.", code="archived")
    item.rank = current["rank"]

    if position is not None:
        # Express a position as a neighbour: the live item that will be directly above
        # (position N) or the first live item (position 1).
        if position == 1:
            first = _live(product).exclude(pk=item.pk).order_by("rank").values_list("rank", flat=True).first()
            before_rank = first
            after_rank = None
            if first is not None:
                below = _ranks(product, item, below=first, inclusive=False, limit=1)
                after_rank = below[0] if below else None
        else:
            after_rank = _live_rank_at(product, item, min(position, MAX_POSITION) - 2)
            nxt = _ranks(product, item, above=after_rank, inclusive=False, limit=1) if after_rank is not None else []
            before_rank = nxt[0] if nxt else None
    elif after is not None:
        after_rank = _target_item(product, item, after, "after").rank
        nxt = _ranks(product, item, above=after_rank, inclusive=False, limit=1)
        before_rank = nxt[0] if nxt else None
    else:
        before_rank = _target_item(product, item, before, "before").rank
        prev = _ranks(product, item, below=before_rank, inclusive=False, limit=1)
        after_rank = prev[0] if prev else None

    # Already there: nothing to write.
    if (after_rank is None or after_rank < item.rank) and (before_rank is None or item.rank < before_rank):
        return MoveResult(item=item, moved=False)

    plan = ranking.plan_insert(
        [after_rank] if after_rank is not None else [],
        [before_rank] if before_rank is not None else [],
        left_is_start=after_rank is None,
        right_is_end=before_rank is None,
    )
    limit = ranking.WINDOW_LIMIT
    while plan is None:
        # The key would pass the length bound: read more neighbours and respace a window.
        left = (
            list(reversed(_ranks(product, item, below=after_rank, inclusive=True, limit=limit)))
            if after_rank is not None
            else []
        )
        right = _ranks(product, item, above=before_rank, inclusive=True, limit=limit) if before_rank is not None else []
        plan = ranking.plan_insert(
            left,
            right,
            left_is_start=after_rank is None or len(left) < limit,
            right_is_end=before_rank is None or len(right) < limit,
        )
        limit *= 8
    writes = ranking.safe_write_order([*plan.rewrites, (item.rank, plan.rank)])
    for old, new in writes:
        Item.objects.filter(product=product, rank=old).update(rank=new)
    record(
        product=product,
        by=by,
        event="backlog.item.moved",
        item=item,
        rank_from=item.rank,
        rank_to=plan.rank,
        respaced=len(plan.rewrites),
    )
    item.rank = plan.rank
    return MoveResult(item=item, moved=True)


@transaction.atomic
def respace_backlog(*, product: Product) -> int:
    """Rewrite every rank of the product evenly (a maintenance task; moves never need it)."""
    _lock_ranking(product)
    items = list(Item.objects.filter(product=product).order_by("rank").values_list("rank", flat=True))
    fresh = ranking.initial_ranks(len(items))
    writes = ranking.safe_write_order(list(zip(items, fresh, strict=True)))
    for old, new in writes:
        Item.objects.filter(product=product, rank=old).update(rank=new)
    return len(writes)


# --- Invitations ---------------------------------------------------------------------------------

INVITATION_SALT = "ordo.invitation"


def _invitation_token(*, product: Product, email: str, role: str, by) -> str:
    return signing.dumps({"p": product.pk, "e": email, "r": role, "by": by.pk}, salt=INVITATION_SALT)


def _send_invitation(*, product: Product, email: str, role: str, by) -> None:
    token = _invitation_token(product=product, email=email, role=role, by=by)
    link = f"{settings.SITE_URL}{reverse('backlog:invitation-accept', args=[token])}"
    days = settings.INVITATION_MAX_AGE.days
    body = (
        f"{by.name} invites you to {product.name} ({product.key}) on Ordo as {Role(role).label.lower()}.\n\n"
        f"Set your password and join here (the link works for {days} days):\n{link}\n\n"
        "If you did not expect this, ignore this email."
    )
    send_mail(f"Join {product.name} on Ordo", body, None, [email])


@transaction.atomic
def invite_member(*, product: Product, by, email: str, role: str) -> Membership | None:
    """Add the person with this email at once if they have an account (returns the
    membership); otherwise email a signed link, valid for INVITATION_MAX_AGE, that lets them set
    a password and join with the role (returns None)."""
    require(by, product, Action.MANAGE_PRODUCT)
    _check_role(role)
    email = User.objects.normalize_email(email)
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInput("Enter a valid email address.", fields={"email": ["Enter a valid email address."]}) from exc
    user = User.objects.filter(email=email).first()
    if user is not None:
        return add_member(product=product, by=by, user=user, role=role)
    # Sent after the commit: a rolled-back invitation must not reach anyone.
    transaction.on_commit(lambda: _send_invitation(product=product, email=email, role=role, by=by))
    record(product=product, by=by, event="backlog.member.invited", email=email, role=role)
    return None


@dataclass(frozen=True)
class Invitation:
    product: Product
    email: str
    role: str
    existing_user: object | None


def read_invitation(token: str) -> Invitation:
    """Decode an invitation link; an expired, tampered or stale one is InvalidInput."""
    try:
        data = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired as exc:
        raise InvalidInput("This invitation has expired; ask the product owner for a new one.", code="expired") from exc
    except signing.BadSignature as exc:
        raise InvalidInput("This invitation link is not valid.", code="bad_invitation") from exc
    product = Product.objects.filter(pk=data.get("p")).first()
    if product is None or data.get("r") not in Role.values:
        raise InvalidInput("This invitation link is not valid.", code="bad_invitation")
    return Invitation(
        product=product,
        email=data["e"],
        role=data["r"],
        existing_user=User.objects.filter(email=data["e"]).first(),
    )


@transaction.atomic
def accept_invitation(*, token: str, password: str | None = None, display_name: str = "", by=None) -> Membership:
    """Join the product of an invitation. A newcomer sets a password (validated like any
    other); someone who has an account by now must be signed in as that account. Accepting
    twice keeps the first membership."""
    invitation = read_invitation(token)
    user = invitation.existing_user
    if user is None:
        try:
            validate_password(password or "", User(email=invitation.email))
        except ValidationError as exc:
            raise InvalidInput(" ".join(exc.messages), fields={"password": list(exc.messages)}) from exc
        user = User.objects.create_user(
            email=invitation.email, password=password, display_name=display_name.strip()[:100]
        )
    elif by is None or by.pk != user.pk:
        raise InvalidInput(f"Sign in as {invitation.email} to accept this invitation.", code="sign_in_required")
    membership, created = Membership.objects.get_or_create(
        product=invitation.product, user=user, defaults={"role": invitation.role}
    )
    if created:
        record(product=invitation.product, by=user, event="backlog.member.joined", user=user.pk, role=invitation.role)
    return membership


# --- Product goal --------------------------------------------------------------------------------

GOAL_TITLE_MAX = ProductGoal._meta.get_field("title").max_length


@transaction.atomic
def set_product_goal(*, product: Product, by, title: str, description: str = "") -> ProductGoal:
    """Set the product's active goal. Refused while another goal is active: it has to be marked
    achieved or abandoned first, so that past goals keep an honest ending."""
    require(by, product, Action.MANAGE_PRODUCT)
    title = (title or "").strip()
    description = (description or "").strip()
    errors: dict[str, list[str]] = {}
    if not title:
        errors["title"] = ["A product goal needs a title."]
    elif len(title) > GOAL_TITLE_MAX:
        errors["title"] = [f"A title has at most {GOAL_TITLE_MAX} characters."]
    if len(description) > TEXT_MAX:
        errors["description"] = [f"At most {TEXT_MAX} characters."]
    if errors:
        raise InvalidInput(next(iter(errors.values()))[0], fields=errors)
    # Under the product's row lock: two owners setting a goal at once cannot make two active.
    product = _locked_product(product)
    current = ProductGoal.objects.filter(product=product, status=ProductGoal.Status.ACTIVE).first()
    if current is not None:
        message = f"“{current.title}” is the active goal: mark the current goal achieved or abandoned first."
        raise InvalidInput(message, code="goal_active", fields={"title": [message]})
    goal = ProductGoal.objects.create(product=product, title=title, description=description, created_by=by)
    record(product=product, by=by, event="backlog.goal.set", goal=goal.pk, title=title)
    return goal


@transaction.atomic
def close_product_goal(*, goal: ProductGoal, by, status: str) -> ProductGoal:
    """Mark the active product goal achieved or abandoned; it stays visible as a past goal."""
    require(by, goal.product, Action.MANAGE_PRODUCT)
    closing = {ProductGoal.Status.ACHIEVED, ProductGoal.Status.ABANDONED}
    if status not in closing:
        raise InvalidInput(
            "A goal ends achieved or abandoned.", fields={"status": ["Choose one of: achieved, abandoned."]}
        )
    current = ProductGoal.objects.select_for_update().filter(pk=goal.pk).first()
    if current is None:
        raise NotFound("No such product goal.")
    if current.status != ProductGoal.Status.ACTIVE:
        message = f"This goal is already {current.get_status_display().lower()}."
        raise InvalidInput(message, code="goal_closed", fields={"status": [message]})
    current.status = status
    current.closed_at = timezone.now()
    current.save(update_fields=["status", "closed_at"])
    record(product=goal.product, by=by, event="backlog.goal.closed", goal=current.pk, status=status)
    return current
