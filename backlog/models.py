import re

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

PRODUCT_KEY_PATTERN = r"^[A-Z0-9]{2,10}$"
ITEM_KEY_PATTERN = r"^[A-Z0-9]{2,10}-[0-9]{1,10}$"
product_key_validator = RegexValidator(
    PRODUCT_KEY_PATTERN, "A product key is 2–10 uppercase letters or digits, like SHOP."
)


def normal_key(text, pattern: str) -> str | None:
    """`text` upper-cased if it is a well-formed key, else None: a key from a URL or a form is
    checked before it reaches the database (PostgreSQL refuses NUL bytes with an error)."""
    key = str(text).upper()
    return key if re.fullmatch(pattern, key) else None


ESTIMATE_SCALE = (0, 1, 2, 3, 5, 8, 13, 20, 40, 100)


class RankField(models.CharField):
    """A fractional-index rank. Ranks must compare byte by byte: PostgreSQL gets the "C"
    collation (under en_US or ICU, 'Zz' < 'a0' is false and the order breaks); SQLite compares
    bytes already and has no collation named "C". Chosen here, per vendor, so that the migration
    is the same on both databases."""

    def db_parameters(self, connection):
        params = super().db_parameters(connection)
        if connection.vendor == "postgresql":
            params["collation"] = "C"
        return params


class Role(models.TextChoices):
    PRODUCT_OWNER = "product_owner", "Product owner"
    SCRUM_MASTER = "scrum_master", "Scrum master"
    DEVELOPER = "developer", "Developer"
    STAKEHOLDER = "stakeholder", "Stakeholder"


class Product(models.Model):
    key = models.CharField(max_length=10, unique=True, validators=[product_key_validator])
    name = models.CharField(max_length=200)
    vision = models.TextField(blank=True)
    # The last item number handed out; item keys are never reused, even after archiving.
    last_item_number = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key} — {self.name}"


class Membership(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now)
    # When the person agreed to be here: they accepted an invitation, or created the product.
    # None only for people an owner added directly before invitations needed an answer; they
    # count as having agreed once they sign in after being added (see `agreed`), and get no
    # digest until then.
    accepted_at = models.DateTimeField(null=True, blank=True, default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "user"], name="membership_unique")]
        ordering = ["product", "role", "user__email"]

    def __str__(self) -> str:
        return f"{self.user} is {self.get_role_display()} of {self.product.key}"

    @property
    def has_agreed(self) -> bool:
        """`agreed_memberships()` for one membership whose user is loaded."""
        last_login = self.user.last_login
        return self.accepted_at is not None or (last_login is not None and last_login >= self.created_at)


def agreed_memberships() -> Q:
    """Memberships whose person agreed to them: accepted, or signed in since being added."""
    return Q(accepted_at__isnull=False) | Q(user__last_login__gte=models.F("created_at"))


class Invitation(models.Model):
    """A product owner asked someone, by email, to join with a role. It waits for that person's
    answer; its link works while it waits, for INVITATION_MAX_AGE, and while its sender still
    manages the product. At most one waits per product and address: a newer one replaces it."""

    class State(models.TextChoices):
        WAITING = "waiting", "Waiting"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"
        WITHDRAWN = "withdrawn", "Withdrawn"
        REPLACED = "replaced", "Replaced by a newer invitation"
        REVOKED = "revoked", "Void: the person was removed after it was sent"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField()
    role = models.CharField(max_length=20, choices=Role.choices)
    invited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    state = models.CharField(max_length=10, choices=State.choices, default=State.WAITING)
    answered_at = models.DateTimeField(null=True, blank=True)
    # The latest email that carries it (a resend queues a new one); None for invitations sent
    # before emails went through the outbox.
    message = models.ForeignKey(
        "accounts.OutboxMessage", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "email"], condition=Q(state="waiting"), name="one_waiting_invitation"
            ),
        ]
        # The invited person's waiting list.
        indexes = [models.Index(fields=["email", "created_at"], name="invitation_email_time_idx")]

    def __str__(self) -> str:
        return f"{self.email} to {self.product.key} as {self.get_role_display()} ({self.state})"

    @property
    def expires_at(self):
        return self.created_at + settings.INVITATION_MAX_AGE

    @property
    def is_expired(self) -> bool:
        return timezone.now() >= self.expires_at


class Label(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="labels")
    name = models.CharField(max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="label_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Item(models.Model):
    class Kind(models.TextChoices):
        STORY = "story", "Story"
        BUG = "bug", "Bug"
        SPIKE = "spike", "Spike"
        CHORE = "chore", "Chore"
        EPIC = "epic", "Epic"

    class Status(models.TextChoices):
        NEW = "new", "New"
        REFINING = "refining", "Refining"
        READY = "ready", "Ready"
        DONE = "done", "Done"
        DISCARDED = "discarded", "Discarded"

    ESTIMATE_CHOICES = [(points, str(points)) for points in ESTIMATE_SCALE]

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="items")
    number = models.PositiveIntegerField()
    # Denormalised "SHOP-42": product keys never change, and lookups by key are the API's door.
    key = models.CharField(max_length=21, unique=True)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.STORY)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    why = models.TextField(blank=True, help_text="The value: why this matters, and to whom.")
    acceptance_criteria = models.TextField(blank=True)
    hypothesis = models.TextField(blank=True, help_text="We believe … We will know when …")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    estimate = models.PositiveSmallIntegerField(null=True, blank=True, choices=ESTIMATE_CHOICES)
    labels = models.ManyToManyField(Label, blank=True, related_name="items")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="children")
    rank = RankField(max_length=64)
    # Optimistic concurrency: bumped by every edit, never by a move.
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["product", "rank"]
        constraints = [
            models.UniqueConstraint(fields=["product", "rank"], name="item_rank_unique"),
            models.UniqueConstraint(fields=["product", "number"], name="item_number_unique"),
        ]
        indexes = [
            # Positions and the backlog page read live items of one product in rank order.
            models.Index(
                fields=["product", "rank"],
                name="item_live_rank_idx",
                condition=Q(archived_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.key} {self.title}"

    @property
    def is_archived(self) -> bool:
        return self.archived_at is not None


class RefinementNote(models.Model):
    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="refinement_notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note on {self.item.key} by {self.author}"


class ProductGoal(models.Model):
    """The product's long-term objective. At most one is active at a time; past goals stay."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        ACHIEVED = "achieved", "Achieved"
        ABANDONED = "abandoned", "Abandoned"

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="goals")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["product"], condition=Q(status="active"), name="one_active_product_goal"),
        ]

    def __str__(self) -> str:
        return f"{self.product.key} goal: {self.title}"


class HistoryEntry(models.Model):
    """What happened to a product, by whom: `event` is dotted (`backlog.item.moved`)."""

    # Events of members and invitations (a record only: invitations have their own model).
    INVITED = "backlog.member.invited"  # data: email, role
    INVITATION_WITHDRAWN = "backlog.member.invitation_withdrawn"  # data: email
    INVITATION_DECLINED = "backlog.member.invitation_declined"  # data: email
    MEMBER_REMOVED = "backlog.member.removed"  # data: user
    MEMBER_JOINED = "backlog.member.joined"  # data: user, role

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="history")
    item = models.ForeignKey(Item, null=True, blank=True, on_delete=models.CASCADE, related_name="history")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    event = models.CharField(max_length=64)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "history entries"
        indexes = [models.Index(fields=["product", "created_at"], name="history_product_time_idx")]

    def __str__(self) -> str:
        return f"{self.event} at {self.created_at:%Y-%m-%d %H:%M}"
