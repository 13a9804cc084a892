"""Who gets which product's digest and when (DigestSubscription), and every digest planned for
someone (DigestDelivery): the ledger that makes "never twice" a database constraint."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from backlog.models import Product


class Frequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    SPRINT = "sprint", "After each sprint closes"
    OFF = "off", "Off"


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


DEFAULT_WEEKDAY = Weekday.MONDAY
DEFAULT_HOUR = 9


class DigestSubscription(models.Model):
    """A member's own choice for one product. Without a row the member's role decides (see
    `selectors.role_default`), so nobody has to create rows when someone joins a product."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_subscriptions")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="digest_subscriptions")
    frequency = models.CharField(max_length=10, choices=Frequency.choices)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=DEFAULT_WEEKDAY)
    hour = models.PositiveSmallIntegerField(default=DEFAULT_HOUR, help_text="0–23, in the member's time zone.")
    send_when_quiet = models.BooleanField(
        default=False, help_text="Send the digest even when nothing changed since the last one."
    )
    # Slots and sprints before this moment are never due: a new schedule starts from now.
    since = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "product"], name="digest_subscription_unique"),
            models.CheckConstraint(condition=models.Q(hour__lte=23), name="digest_subscription_hour"),
            models.CheckConstraint(condition=models.Q(weekday__lte=6), name="digest_subscription_weekday"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.product.key}: {self.get_frequency_display()}"


class DigestDelivery(models.Model):
    """One digest for one member of one product in one period. `(user, product, period)` is
    unique, so an overlapping tick, a second beat or a task run twice cannot plan or send a
    second digest for the same period.

    Periods: `week:2026-W49` (weekly, the ISO week of the slot in the member's time zone),
    `sprint:12` (after sprint 12 closed), `preview:<minute>` (asked for by the member; never the
    baseline of the next digest)."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        SKIPPED = "skipped", "Skipped (nothing changed)"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        WEEKLY = "weekly", "Weekly"
        SPRINT = "sprint", "After a sprint"
        PREVIEW = "preview", "Preview"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="digest_deliveries")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="digest_deliveries")
    period = models.CharField(max_length=40)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # What the member was shown (the top of the backlog, the sprints reported): the baseline of
    # their next digest.
    shown = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "product", "period"], name="digest_delivery_unique"),
        ]
        indexes = [
            models.Index(fields=["state", "claimed_at"], name="digest_delivery_state"),
            models.Index(fields=["user", "product", "state", "sent_at"], name="digest_delivery_last"),
            # The tick looks up which of the periods due now already have rows.
            models.Index(fields=["period"], name="digest_delivery_period"),
        ]
        verbose_name_plural = "digest deliveries"

    def __str__(self) -> str:
        return f"{self.user} · {self.product.key} · {self.period}: {self.state}"

    @property
    def message_id(self) -> str:
        """The same for every attempt at this delivery, so a resend after a crash between the
        SMTP server's answer and our commit is recognisably the same message."""
        return f"<digest.{self.pk}.{self.period.replace(':', '.')}@{settings.DIGEST_MESSAGE_ID_DOMAIN}>"
