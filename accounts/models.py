import functools
import zoneinfo

from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

# In tzdata but no place's zone: "localtime" is whatever the server machine runs on, "Factory"
# and the posixrules link are tzdata's own plumbing. A user's days must not depend on the server.
NOT_PLACES = frozenset({"localtime", "Factory", "posixrules"})


@functools.cache
def time_zone_names() -> frozenset[str]:
    # Read once per process: available_timezones() opens every file of the tzdata tree (about
    # 600), which cost every profile page, and every save of it, some 25 ms.
    return frozenset(name for name in zoneinfo.available_timezones() if name not in NOT_PLACES)


def validate_time_zone(value: str) -> None:
    # Not `choices`: the list comes from the machine's tzdata and would leak into migrations.
    if value not in time_zone_names():
        raise ValidationError(f"{value!r} is not a time zone name like Europe/Berlin.")


def zone_named(name: str) -> zoneinfo.ZoneInfo:
    """The time zone of that name; UTC for an empty or unknown one (names are validated on the
    way in, but a machine's tzdata can lose a zone)."""
    try:
        return zoneinfo.ZoneInfo(name or "UTC")
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo("UTC")


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name.replace("_", " ")) for name in sorted(time_zone_names())]


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email: str) -> str:
        # Whole address lower-cased: people type their address in every capitalisation, and
        # one person must be one account.
        return (email or "").strip().lower()

    def create_user(self, email: str, password: str | None = None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)

    def get_by_natural_key(self, username: str):
        return self.get(email=self.normalize_email(username))


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(unique=True)
    display_name = models.CharField(max_length=100, blank=True)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False)
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.display_name or self.email

    def get_full_name(self) -> str:
        return self.name

    def get_short_name(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only the SHA-256 digest of the secret is stored: the secret is
    random and long, so a slow password hash would add cost to every request and no safety."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8, help_text="The first characters, to tell tokens apart.")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class OutboxMessage(models.Model):
    """One email on its way out (invitations, password resets; digests keep their own ledger).
    Written in the transaction that decides to send it, sent afterwards by the worker (or, with
    none, after the response has gone): a mail server that is down delays the email, it never
    fails the request, and the row says what became of it. A row is claimed by one conditional
    UPDATE (pending → sending), so two workers never send it twice."""

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to be sent"
        SENDING = "sending", "Being sent"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    class Kind(models.TextChoices):
        INVITATION = "invitation", "Invitation"
        PASSWORD_RESET = "password_reset", "Password reset"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    to = models.EmailField()
    subject = models.TextField()
    # The text and headers are kept only until the message is sent or has failed for good: they
    # carry links (a reset link is as good as a password for a day) that no one needs afterwards.
    body = models.TextField(blank=True)
    headers = models.JSONField(default=dict, blank=True)
    # Who caused it (the inviter); None for a message someone asked for about themselves.
    sender = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # Not before: a retry waits for its backoff.
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a message about it went to the broker (None: none did, or none exists).
    enqueued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True, help_text="Why the last try failed, as the mail server said it.")

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["state", "next_attempt_at"], name="outbox_due_idx"),
            # The limits on invitations: per address, and per sender.
            models.Index(fields=["to", "created_at"], name="outbox_to_time_idx"),
            models.Index(fields=["sender", "created_at"], name="outbox_sender_time_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} to {self.to} ({self.state})"
