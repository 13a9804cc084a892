"""The sprint review: feedback, hypothesis outcomes and the increment."""

from __future__ import annotations

from rest_framework import serializers

from backlog.api.serializers import AuthorSerializer, stamp
from backlog.models import Item
from config.api import InputSerializer, OutputSerializer, SingleLineField

from ...models import HypothesisOutcome
from .common import ITEM_KEY_MAX, POSITION_MAX, links_of, person


class FeedbackSerializer(OutputSerializer):
    id = serializers.IntegerField()
    body = serializers.CharField()
    author = AuthorSerializer(allow_null=True)
    about = serializers.CharField(allow_null=True, help_text="The key of the item it is about, if any.")
    became = serializers.CharField(allow_null=True, help_text="The key of the backlog item made of it, if any.")
    became_url = serializers.URLField(allow_null=True)
    to_item_url = serializers.URLField(help_text="POST here to turn the feedback into a backlog item.")
    created_at = serializers.DateTimeField()

    def to_representation(self, feedback):
        link = links_of(self)
        about, became = feedback.about, feedback.became
        return {
            "id": feedback.pk,
            "body": feedback.body,
            "author": person(feedback.author),
            "about": about.key if about else None,
            "became": became.key if became else None,
            "became_url": link("api-item-detail", key=became.key) if became else None,
            "to_item_url": link("api-feedback-item", feedback_id=feedback.pk),
            "created_at": stamp(feedback.created_at),
        }


class FeedbackCreateSerializer(InputSerializer):
    body = serializers.CharField(trim_whitespace=False)
    about = serializers.CharField(
        required=False, allow_null=True, max_length=ITEM_KEY_MAX, help_text="Key of an item of this product."
    )


class FeedbackToItemSerializer(InputSerializer):
    position = serializers.IntegerField(
        min_value=1,
        max_value=POSITION_MAX,
        help_text="Where the new item goes: 1 is the top; past the end, the bottom.",
    )
    title = SingleLineField(required=False, max_length=200, help_text="Defaults to the feedback's first line.")
    kind = serializers.ChoiceField(choices=Item.Kind.choices, required=False, default=Item.Kind.STORY)


class HypothesisOutcomeSerializer(OutputSerializer):
    item = serializers.CharField(help_text="The item's key.")
    title = serializers.CharField()
    hypothesis = serializers.CharField(help_text="The hypothesis as it read when judged.")
    verdict = serializers.ChoiceField(choices=HypothesisOutcome.Verdict.choices)
    evidence = serializers.CharField()
    recorded_by = AuthorSerializer(allow_null=True)
    recorded_at = serializers.DateTimeField()

    def to_representation(self, outcome):
        return {
            "item": outcome.item.key,
            "title": outcome.item.title,
            "hypothesis": outcome.hypothesis,
            "verdict": outcome.verdict,
            "evidence": outcome.evidence,
            "recorded_by": person(outcome.recorded_by),
            "recorded_at": stamp(outcome.recorded_at),
        }


class HypothesisOutcomeCreateSerializer(InputSerializer):
    item = serializers.CharField(max_length=ITEM_KEY_MAX, help_text="Key of a done item of the sprint.")
    verdict = serializers.ChoiceField(choices=HypothesisOutcome.Verdict.choices)
    evidence = serializers.CharField(required=False, allow_blank=True, trim_whitespace=False)


class DoneItemSerializer(OutputSerializer):
    key = serializers.CharField()
    title = serializers.CharField(help_text="As it read when done (frozen at close).")
    estimate = serializers.IntegerField(allow_null=True)
    hypothesis = serializers.CharField(help_text="The item's hypothesis now; empty when it carries none.")
    hypothesis_judged = serializers.BooleanField(help_text="Whether its hypothesis outcome is recorded.")


class ReviewSerializer(OutputSerializer):
    """The sprint review from selectors.review, with the sprint in `context["sprint"]`."""

    sprint = serializers.IntegerField(help_text="The sprint's id.")
    notes = serializers.CharField(help_text="Summary notes (Markdown).")
    version = serializers.IntegerField(help_text="The sprint's version (review notes are the sprint's); the ETag.")
    done_items = DoneItemSerializer(many=True, help_text="The increment.")
    feedback = FeedbackSerializer(many=True)
    hypothesis_outcomes = HypothesisOutcomeSerializer(many=True)

    def to_representation(self, review):
        sprint = self.context["sprint"]
        judged = {outcome.item.key for outcome in review.outcomes}
        return {
            "sprint": sprint.pk,
            "notes": sprint.review_notes,
            "version": sprint.version,
            "done_items": [
                {
                    "key": entry.key,
                    "title": entry.title,
                    "estimate": entry.estimate,
                    "hypothesis": entry.item.hypothesis if entry.item is not None else "",
                    "hypothesis_judged": entry.key in judged,
                }
                for entry in review.done
            ],
            "feedback": FeedbackSerializer(review.feedback, many=True, context=self.context).data,
            "hypothesis_outcomes": HypothesisOutcomeSerializer(review.outcomes, many=True).data,
        }


class StaleReviewSerializer(ReviewSerializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    fields = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


class ReviewUpdateSerializer(InputSerializer):
    notes = serializers.CharField(allow_blank=True, trim_whitespace=False, help_text="Markdown.")
