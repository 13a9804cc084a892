"""Digests in the Django admin: browsable, read-only (writes go through services)."""

from django.contrib import admin

from backlog.admin import ReadOnlyAdmin

from .models import DigestDelivery, DigestSubscription


@admin.register(DigestSubscription)
class DigestSubscriptionAdmin(ReadOnlyAdmin):
    list_display = ("user", "product", "frequency", "weekday", "hour", "send_when_quiet", "since")
    list_filter = ("frequency",)
    search_fields = ("user__email", "product__key")


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("user", "product", "period", "kind", "state", "attempts", "sent_at")
    list_filter = ("state", "kind")
    search_fields = ("user__email", "product__key", "period")
