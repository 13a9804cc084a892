"""Backlog API serializers. Input serializers validate shapes and types only (the services hold
the domain rules and do the writing); output serializers render, reading only what the selectors
already loaded."""

from __future__ import annotations

from datetime import UTC, datetime

from django.urls import reverse
from rest_framework import serializers

from config.api import InputSerializer, OutputSerializer, QuerySerializer, SingleLineField, page_serializer

from ..models import ESTIMATE_SCALE, PRODUCT_KEY_PATTERN, Item, Role
from ..services import LABEL_MAX, LABELS_MAX


class LabelField(SingleLineField):
    """A label's name: one line, and no comma (the item form separates labels with commas)."""

    also_refused = ","


KIND_CHOICES = Item.Kind.choices
STATUS_CHOICES = Item.Status.choices
ESTIMATE_CHOICES = [(points, str(points)) for points in ESTIMATE_SCALE]


def stamp(value: datetime | None) -> str | None:
    """A time as the API writes it: ISO 8601 in UTC ("2025-03-01T09:30:00.123456Z"), whatever
    time zone the request activated for the pages."""
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().removesuffix("+00:00") + "Z"


def absolute(request, name: str, **kwargs) -> str:
    url = reverse(name, kwargs=kwargs)
    return request.build_absolute_uri(url) if request is not None else url


# --- Products ------------------------------------------------------------------------------------


class ProductSerializer(OutputSerializer):
    key = serializers.CharField(help_text="2–10 uppercase letters or digits; item keys start with it. Never changes.")
    name = serializers.CharField()
    vision = serializers.CharField(help_text="Markdown.")
    my_role = serializers.ChoiceField(choices=Role.choices, allow_null=True, help_text="Your role in the product.")
    live_items = serializers.IntegerField(help_text="How many items the backlog holds (archived ones not counted).")
    created_at = serializers.DateTimeField()
    url = serializers.URLField()
    items_url = serializers.URLField()
    members_url = serializers.URLField()

    def to_representation(self, product):
        request = self.context.get("request")
        return {
            "key": product.key,
            "name": product.name,
            "vision": product.vision,
            "my_role": getattr(product, "my_role", None),
            "live_items": getattr(product, "live_items", None),
            "created_at": stamp(product.created_at),
            "url": absolute(request, "api-product-detail", key=product.key),
            "items_url": absolute(request, "api-item-list", key=product.key),
            "members_url": absolute(request, "api-member-list", key=product.key),
        }


ProductPageSerializer = page_serializer("ProductPage", ProductSerializer)


class ProductCreateSerializer(InputSerializer):
    # The pattern is the schema's: a key the API takes is exactly the key the product gets.
    key = serializers.RegexField(
        PRODUCT_KEY_PATTERN,
        help_text="2–10 uppercase letters or digits, like SHOP. It can never change.",
        error_messages={"invalid": "A product key is 2–10 uppercase letters or digits, like SHOP."},
    )
    name = SingleLineField(help_text="At most 200 characters.")
    vision = serializers.CharField(required=False, allow_blank=True, help_text="Markdown.")


class ProductUpdateSerializer(InputSerializer):
    key = serializers.CharField(
        required=False, help_text="Read-only: only the product's own key is accepted; any other is a 400."
    )
    name = SingleLineField(required=False)
    vision = serializers.CharField(required=False, allow_blank=True)

    def validate_key(self, value: str) -> str:
        if value != self.context["product"].key:
            raise serializers.ValidationError("The product key cannot change after creation.")
        return value


# --- Members -------------------------------------------------------------------------------------


class MemberSerializer(OutputSerializer):
    user_id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField(help_text="Display name, or the email address when there is none.")
    role = serializers.ChoiceField(choices=Role.choices)
    created_at = serializers.DateTimeField(help_text="When they joined.")
    url = serializers.URLField()

    def to_representation(self, membership):
        request = self.context.get("request")
        return {
            "user_id": membership.user_id,
            "email": membership.user.email,
            "name": membership.user.name,
            "role": membership.role,
            "created_at": stamp(membership.created_at),
            "url": absolute(request, "api-member-detail", key=self.context["product"].key, user_id=membership.user_id),
        }


class MemberCreateSerializer(InputSerializer):
    email = serializers.EmailField(max_length=254)
    role = serializers.ChoiceField(choices=Role.choices)


class MemberUpdateSerializer(InputSerializer):
    role = serializers.ChoiceField(choices=Role.choices)


class InvitationSentSerializer(OutputSerializer):
    """What the inviter learns: the same for every address (nothing about accounts)."""

    detail = serializers.CharField()
    email = serializers.EmailField()
    expires_at = serializers.DateTimeField(help_text="Until when its link works, unless answered first.")

    def to_representation(self, invitation):
        return {
            "detail": f"Invitation sent to {invitation.email}; they join when they accept it.",
            "email": invitation.email,
            "expires_at": stamp(invitation.expires_at),
        }


class WaitingInvitationSerializer(OutputSerializer):
    """An invitation waiting for the caller's answer."""

    id = serializers.IntegerField()
    product = serializers.CharField(help_text="The product's key.")
    product_name = serializers.CharField()
    role = serializers.ChoiceField(choices=Role.choices)
    invited_by = serializers.CharField(allow_null=True, help_text="The inviter's name; null if they left Ordo.")
    created_at = serializers.DateTimeField(help_text="When it was sent.")
    expires_at = serializers.DateTimeField()
    accept_url = serializers.URLField()
    decline_url = serializers.URLField()

    def to_representation(self, invitation):
        request = self.context.get("request")
        return {
            "id": invitation.pk,
            "product": invitation.product.key,
            "product_name": invitation.product.name,
            "role": invitation.role,
            "invited_by": invitation.invited_by.name if invitation.invited_by else None,
            "created_at": stamp(invitation.created_at),
            "expires_at": stamp(invitation.expires_at),
            "accept_url": absolute(request, "api-invitation-accept", invitation_id=invitation.pk),
            "decline_url": absolute(request, "api-invitation-decline", invitation_id=invitation.pk),
        }


# --- Items ---------------------------------------------------------------------------------------


class ItemSerializer(OutputSerializer):
    """An item as the API shows it. `context["positions"]` maps item ids to positions (computed
    by selectors.positions_for over the whole live backlog), `context["labels"]` item ids to label
    names (selectors.label_names; without it labels are read from the item, so prefetch them),
    and the parent key is annotated (`parent_key`) or the parent selected: no query per row."""

    key = serializers.CharField(help_text="Like SHOP-42; never reused.")
    url = serializers.URLField()
    product = serializers.CharField(help_text="The product's key.")
    kind = serializers.ChoiceField(choices=KIND_CHOICES)
    title = serializers.CharField()
    description = serializers.CharField(help_text="Markdown.")
    why = serializers.CharField(help_text="The value: why this matters, and to whom.")
    acceptance_criteria = serializers.CharField()
    hypothesis = serializers.CharField(help_text="We believe … We will know when …")
    status = serializers.ChoiceField(choices=STATUS_CHOICES)
    estimate = serializers.ChoiceField(choices=ESTIMATE_CHOICES, allow_null=True, help_text="Points, or null.")
    labels = serializers.ListField(child=serializers.CharField(), help_text="Label names, sorted.")
    parent = serializers.CharField(allow_null=True, help_text="The key of the item this was sliced from.")
    position = serializers.IntegerField(
        allow_null=True, help_text="1-based over all live items of the product; null when archived."
    )
    version = serializers.IntegerField(help_text="Bumped by every edit (not by moves); the ETag.")
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()
    archived_at = serializers.DateTimeField(allow_null=True)

    def _url(self, key: str) -> str:
        # One reverse() per list, not per row.
        template = getattr(self, "_url_template", None)
        if template is None:
            template = self._url_template = absolute(self.context.get("request"), "api-item-detail", key="KEY-0")
        return template.replace("KEY-0", key)

    def to_representation(self, item):
        if hasattr(item, "parent_key"):
            parent_key = item.parent_key
        else:
            parent_key = item.parent.key if item.parent_id is not None else None
        positions = self.context.get("positions", {})
        labels = self.context.get("labels")
        return {
            "key": item.key,
            "url": self._url(item.key),
            "product": item.key.rsplit("-", 1)[0],
            "kind": item.kind,
            "title": item.title,
            "description": item.description,
            "why": item.why,
            "acceptance_criteria": item.acceptance_criteria,
            "hypothesis": item.hypothesis,
            "status": item.status,
            "estimate": item.estimate,
            "labels": labels[item.pk] if labels is not None else [label.name for label in item.labels.all()],
            "parent": parent_key,
            "position": positions.get(item.pk),
            "version": item.version,
            "created_at": stamp(item.created_at),
            "updated_at": stamp(item.updated_at),
            "archived_at": stamp(item.archived_at),
        }


ItemPageSerializer = page_serializer("ItemPage", ItemSerializer)


class StaleItemSerializer(ItemSerializer):
    """412: the item as it is now, with the error's detail and code."""

    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ItemFilterSerializer(QuerySerializer):
    """Query parameters of the items list (other parameters, like cursor, are not its business)."""

    status = serializers.ChoiceField(choices=STATUS_CHOICES, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=KIND_CHOICES, required=False, allow_blank=True)
    label = serializers.CharField(required=False, allow_blank=True, max_length=50, help_text="A label name.")
    q = serializers.CharField(required=False, allow_blank=True, max_length=200, help_text="Search title, key, text.")
    archived = serializers.BooleanField(
        required=False, default=False, help_text="true: list archived items instead of the live backlog."
    )


class ItemFieldsSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=KIND_CHOICES, required=False)
    description = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    why = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    acceptance_criteria = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    hypothesis = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)
    status = serializers.ChoiceField(
        choices=STATUS_CHOICES, required=False, help_text="`ready` and `discarded` are the product owner's calls."
    )
    estimate = serializers.ChoiceField(choices=ESTIMATE_CHOICES, required=False, allow_null=True)
    labels = serializers.ListField(
        child=LabelField(max_length=LABEL_MAX),
        required=False,
        max_length=LABELS_MAX,
        help_text="Label names.",
    )
    parent = serializers.CharField(
        required=False, allow_null=True, max_length=21, help_text="Key of an item of the same product, or null."
    )


class ItemCreateSerializer(ItemFieldsSerializer):
    title = SingleLineField(max_length=200)
    at_top = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Put the new item at the top instead of the bottom. Product owner only: "
        "anyone else asking for it gets a 400 naming `at_top`.",
    )


class ItemUpdateSerializer(ItemFieldsSerializer):
    title = SingleLineField(required=False, max_length=200)


class MoveSerializer(InputSerializer):
    # Exactly one of the three (validate() below), as the schema says it.
    schema_keywords = {"minProperties": 1, "maxProperties": 1}

    after = serializers.CharField(required=False, max_length=21, help_text="Put the item directly below this one.")
    before = serializers.CharField(required=False, max_length=21, help_text="Put the item directly above this one.")
    position = serializers.IntegerField(
        required=False, min_value=1, help_text="1 is the top; a number past the end means the bottom."
    )

    def validate(self, attrs):
        if len(attrs) != 1:
            message = "Give exactly one of after, before or position."
            raise serializers.ValidationError({name: [message] for name in attrs} or {"non_field_errors": [message]})
        return attrs


class EmptySerializer(InputSerializer):
    """A write that takes no body: any key is an unknown field."""


# --- Refinement notes ----------------------------------------------------------------------------


class AuthorSerializer(OutputSerializer):
    id = serializers.IntegerField()
    email = serializers.EmailField()
    name = serializers.CharField()


class NoteSerializer(OutputSerializer):
    id = serializers.IntegerField()
    body = serializers.CharField(help_text="Markdown.")
    author = AuthorSerializer(allow_null=True, help_text="Null when the author's account is gone.")
    created_at = serializers.DateTimeField()

    def to_representation(self, note):
        author = note.author
        return {
            "id": note.pk,
            "body": note.body,
            "author": {"id": author.pk, "email": author.email, "name": author.name} if author else None,
            "created_at": stamp(note.created_at),
        }


NotePageSerializer = page_serializer("NotePage", NoteSerializer)


class NoteCreateSerializer(InputSerializer):
    body = serializers.CharField(help_text="Markdown.", trim_whitespace=False)
