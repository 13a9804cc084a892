"""The retrospective: cards, votes and action items."""

from __future__ import annotations

from rest_framework import serializers

from backlog.api.serializers import AuthorSerializer, stamp
from config.api import InputSerializer, OutputSerializer, SingleLineField

from ...models import ActionItem
from .common import ID_MAX, RETRO_COLUMN_CHOICES, links_of, person


class RetroCardSerializer(OutputSerializer):
    """`votes` and `my_votes` are annotated by the selector."""

    id = serializers.IntegerField()
    column = serializers.ChoiceField(choices=RETRO_COLUMN_CHOICES)
    body = serializers.CharField()
    author = AuthorSerializer(allow_null=True)
    votes = serializers.IntegerField()
    my_votes = serializers.IntegerField(help_text="How many of your votes are on this card.")
    vote_url = serializers.URLField(help_text="POST to add one of your votes, DELETE to take one back.")
    created_at = serializers.DateTimeField()

    def to_representation(self, card):
        return {
            "id": card.pk,
            "column": card.column,
            "body": card.body,
            "author": person(card.author),
            "votes": getattr(card, "vote_count", 0),
            "my_votes": getattr(card, "my_votes", 0),
            "vote_url": links_of(self)("api-retro-vote", card_id=card.pk),
            "created_at": stamp(card.created_at),
        }


class RetroCardCreateSerializer(InputSerializer):
    column = serializers.ChoiceField(choices=RETRO_COLUMN_CHOICES)
    body = serializers.CharField(trim_whitespace=False)


class VotesSerializer(OutputSerializer):
    card = RetroCardSerializer()
    votes_left = serializers.IntegerField(help_text="Your votes left to place in this sprint's retrospective.")


class SprintRefSerializer(OutputSerializer):
    id = serializers.IntegerField()
    number = serializers.IntegerField()


class ActionItemSerializer(OutputSerializer):
    id = serializers.IntegerField()
    url = serializers.URLField(help_text="PATCH `done` here.")
    title = serializers.CharField()
    owner = AuthorSerializer(allow_null=True)
    sprint = SprintRefSerializer(help_text="The retrospective that raised it.")
    target_sprint = SprintRefSerializer(allow_null=True)
    done = serializers.BooleanField()
    done_at = serializers.DateTimeField(allow_null=True)
    created_at = serializers.DateTimeField()

    def to_representation(self, action):
        target = action.target_sprint
        return {
            "id": action.pk,
            "url": links_of(self)("api-action-item-detail", action_id=action.pk),
            "title": action.title,
            "owner": person(action.owner),
            "sprint": {"id": action.sprint_id, "number": action.sprint.number},
            "target_sprint": {"id": target.pk, "number": target.number} if target else None,
            "done": action.done_at is not None,
            "done_at": stamp(action.done_at),
            "created_at": stamp(action.created_at),
        }


class ActionItemCreateSerializer(InputSerializer):
    title = SingleLineField(max_length=ActionItem._meta.get_field("title").max_length)
    owner = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX, help_text="User id of a team member."
    )
    target_sprint = serializers.IntegerField(
        required=False, allow_null=True, min_value=1, max_value=ID_MAX, help_text="Id of a sprint of this product."
    )


class ActionItemUpdateSerializer(InputSerializer):
    done = serializers.BooleanField()
