"""Every write to products, members, items, ranks and product goals. Keyword-only, atomic, the
acting user passed as `by`; each service asks the policy (backlog.permissions) itself, so no
caller can forget. Split by domain; callers use `backlog.services.<verb>`."""

from .common import (
    ITEM_FIELDS,
    ITEM_TEXT_FIELDS,
    LABEL_MAX,
    LABELS_MAX,
    RANK_LOCK_NAMESPACE,
    TEXT_MAX,
    TITLE_MAX,
    record,
)
from .goals import GOAL_TITLE_MAX, close_product_goal, set_product_goal
from .invitations import (
    INVITATION_SALT,
    InvitationLink,
    accept_invitation,
    decline_invitation,
    invitation_token,
    invite_member,
    read_invitation,
    resend_invitation,
    waiting_invitation_of,
    withdraw_invitation,
)
from .items import add_refinement_note, archive_item, create_item, restore_item, update_item
from .moves import INVALID_TARGET, MAX_POSITION, MoveResult, move_item, move_target, respace_backlog
from .products import add_member, change_role, create_product, remove_member, update_product

__all__ = [
    "GOAL_TITLE_MAX",
    "INVALID_TARGET",
    "INVITATION_SALT",
    "ITEM_FIELDS",
    "ITEM_TEXT_FIELDS",
    "InvitationLink",
    "LABEL_MAX",
    "LABELS_MAX",
    "MAX_POSITION",
    "MoveResult",
    "RANK_LOCK_NAMESPACE",
    "TEXT_MAX",
    "TITLE_MAX",
    "accept_invitation",
    "decline_invitation",
    "invitation_token",
    "add_member",
    "add_refinement_note",
    "archive_item",
    "change_role",
    "close_product_goal",
    "create_item",
    "create_product",
    "invite_member",
    "move_item",
    "move_target",
    "read_invitation",
    "resend_invitation",
    "waiting_invitation_of",
    "record",
    "remove_member",
    "respace_backlog",
    "restore_item",
    "set_product_goal",
    "update_item",
    "update_product",
    "withdraw_invitation",
]
