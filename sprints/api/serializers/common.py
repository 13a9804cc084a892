"""What the sprints API serializers share: bounds of ids and keys, the named choice sets, how a
person and a date are shown, and absolute links made once per URL name."""

from __future__ import annotations

from rest_framework import serializers

from backlog.api.serializers import absolute
from backlog.models import Item, ProductGoal
from config.api import InputSerializer

from ...models import RetroCard, Sprint, SprintItem

# Ids in paths and bodies are bounded like the routes' (18 digits): a bigger number would
# overflow the database's integer before any lookup could say "no such thing".
ID_MAX = 10**18 - 1
ITEM_KEY_MAX = Item._meta.get_field("key").max_length
POSITION_MAX = 10**9
# Choice sets by name: fields named `status` or `column` carry different sets, so the schema names
# each set (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"] imports them from the package, which
# re-exports them; a nested class such as Sprint.Status cannot be imported by path).
SPRINT_STATUS_CHOICES = Sprint.Status.choices
GOAL_STATUS_CHOICES = ProductGoal.Status.choices
BOARD_COLUMN_CHOICES = SprintItem.Column.choices
RETRO_COLUMN_CHOICES = RetroCard.Column.choices


def person(user) -> dict | None:
    """A user as the API shows an author or owner, or None when the account is gone."""
    if user is None:
        return None
    return {"id": user.pk, "email": user.email, "name": user.name}


def iso_date(value) -> str | None:
    return value.isoformat() if value is not None else None


class LinkMaker:
    """Absolute URLs for many rows with one reverse() per URL name, not per row: each name is
    reversed once with placeholders, which rows then replace with their own values."""

    # Placeholders that the routes accept and that cannot occur inside each other.
    ID, KEY = "8080808080808", "QQQQQQQQQQ-7"

    def __init__(self, request):
        self.request = request
        self.templates: dict[str, str] = {}

    def __call__(self, name: str, **kwargs) -> str:
        if name not in self.templates:
            placeholders = {arg: self.ID if arg.endswith("_id") else self.KEY for arg in kwargs}
            self.templates[name] = absolute(self.request, name, **placeholders)
        url = self.templates[name]
        for arg, value in kwargs.items():
            url = url.replace(self.ID if arg.endswith("_id") else self.KEY, str(value), 1)
        return url


def links_of(serializer: serializers.Serializer) -> LinkMaker:
    maker = serializer.context.get("_links")
    if maker is None:
        maker = serializer.context["_links"] = LinkMaker(serializer.context.get("request"))
    return maker


class EmptySerializer(InputSerializer):
    """A write that takes no body: any key is an unknown field."""
