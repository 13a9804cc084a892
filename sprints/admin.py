"""Sprints in the Django admin: browsable, read-only. Writes go through sprints.services, which
check permissions, record the events a sprint's numbers come from, and keep history."""

from django.contrib import admin

from backlog.admin import ReadOnlyAdmin

from .models import ActionItem, Feedback, HypothesisOutcome, RetroCard, RetroVote, Sprint, SprintEvent, SprintItem


class SprintItemInline(admin.TabularInline):
    model = SprintItem
    fields = ("item", "column", "committed", "added_at", "added_by", "removed_at", "removed_by")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Sprint)
class SprintAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "status", "start_date", "end_date", "goal_outcome", "completed_points")
    list_filter = ("product", "status", "goal_outcome")
    list_select_related = ("product",)
    search_fields = ("goal", "product__key")
    inlines = [SprintItemInline]


@admin.register(SprintItem)
class SprintItemAdmin(ReadOnlyAdmin):
    list_display = ("item", "sprint", "column", "committed", "added_at", "removed_at")
    list_filter = ("column", "committed")
    list_select_related = ("item", "sprint", "sprint__product")
    search_fields = ("item__key", "item__title")


@admin.register(SprintEvent)
class SprintEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "sprint", "kind", "item", "points", "by")
    list_filter = ("kind",)
    list_select_related = ("sprint", "sprint__product", "item", "by")
    search_fields = ("item__key",)


@admin.register(Feedback)
class FeedbackAdmin(ReadOnlyAdmin):
    list_display = ("sprint", "author", "about", "became", "created_at")
    list_select_related = ("sprint", "sprint__product", "author", "about", "became")
    search_fields = ("body",)


@admin.register(HypothesisOutcome)
class HypothesisOutcomeAdmin(ReadOnlyAdmin):
    list_display = ("item", "sprint", "verdict", "recorded_by", "recorded_at")
    list_filter = ("verdict",)
    list_select_related = ("item", "sprint", "sprint__product", "recorded_by")


@admin.register(RetroCard)
class RetroCardAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "sprint", "column", "author", "created_at")
    list_filter = ("column",)
    list_select_related = ("sprint", "sprint__product", "author")


@admin.register(RetroVote)
class RetroVoteAdmin(ReadOnlyAdmin):
    list_display = ("card", "voter", "created_at")
    list_select_related = ("card", "voter")


@admin.register(ActionItem)
class ActionItemAdmin(ReadOnlyAdmin):
    list_display = ("title", "sprint", "owner", "target_sprint", "done_at")
    list_filter = (("done_at", admin.EmptyFieldListFilter),)
    list_select_related = ("sprint", "sprint__product", "owner", "target_sprint", "target_sprint__product")
    search_fields = ("title",)
