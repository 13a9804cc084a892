"""The backlog in the Django admin: browsable, read-only. Domain writes go through
backlog.services, which check permissions, keep ranks and keys right and record history."""

from django.contrib import admin

from accounts.admin import ReadOnlyAdmin

from .models import HistoryEntry, Invitation, Item, Label, Membership, Product, ProductGoal, RefinementNote


class MembershipInline(admin.TabularInline):
    model = Membership
    fields = ("user", "role", "created_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Product)
class ProductAdmin(ReadOnlyAdmin):
    list_display = ("key", "name", "last_item_number", "created_at")
    search_fields = ("key", "name")
    inlines = [MembershipInline]


@admin.register(Membership)
class MembershipAdmin(ReadOnlyAdmin):
    list_display = ("product", "user", "role", "created_at", "accepted_at")
    list_filter = ("role", "product")
    list_select_related = ("product", "user")
    search_fields = ("user__email", "user__display_name", "product__key")


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    list_display = ("email", "product", "role", "state", "invited_by", "created_at", "answered_at")
    list_filter = ("state", "role", "product")
    list_select_related = ("product", "invited_by")
    search_fields = ("email", "product__key")
    raw_id_fields = ("invited_by", "message")


@admin.register(Label)
class LabelAdmin(ReadOnlyAdmin):
    list_display = ("name", "product")
    list_filter = ("product",)
    list_select_related = ("product",)
    search_fields = ("name",)


@admin.register(Item)
class ItemAdmin(ReadOnlyAdmin):
    list_display = ("key", "title", "kind", "status", "estimate", "rank", "version", "archived_at")
    list_filter = ("product", "kind", "status", ("archived_at", admin.EmptyFieldListFilter))
    list_select_related = ("product",)
    search_fields = ("key", "title")
    ordering = ("product", "rank")
    raw_id_fields = ("parent", "created_by")


@admin.register(RefinementNote)
class RefinementNoteAdmin(ReadOnlyAdmin):
    list_display = ("item", "author", "created_at")
    list_select_related = ("item", "author")
    search_fields = ("item__key", "body")
    raw_id_fields = ("item", "author")


@admin.register(HistoryEntry)
class HistoryEntryAdmin(ReadOnlyAdmin):
    list_display = ("created_at", "event", "product", "item", "actor")
    list_filter = ("event", "product")
    list_select_related = ("product", "item", "actor")
    search_fields = ("event", "item__key")
    raw_id_fields = ("item", "actor")
    date_hierarchy = "created_at"


@admin.register(ProductGoal)
class ProductGoalAdmin(ReadOnlyAdmin):
    list_display = ("product", "title", "status", "created_at", "closed_at")
    list_filter = ("status", "product")
    list_select_related = ("product",)
    search_fields = ("title", "description")
