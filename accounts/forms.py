"""HTML forms of the accounts app. They parse and label input; services decide what is valid."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm, BaseUserCreationForm, PasswordResetForm, UserChangeForm

from config.errors import OrdoError

from .models import ApiToken, User, time_zone_choices


def add_service_errors(form: forms.Form, error: OrdoError) -> None:
    """Show a service's error (InvalidInput, TooManyRequests) beside the field it names, or at the top."""
    placed = False
    for name, messages in error.fields.items():
        target = name if name in form.fields else None
        for message in messages:
            form.add_error(target, message)
        placed = True
    if not placed:
        form.add_error(None, error.message)


class EmailAuthenticationForm(AuthenticationForm):
    """Django's login form with the username field shown as what it is: an email address."""

    username = forms.CharField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )
    error_messages = {
        **AuthenticationForm.error_messages,
        # Django's default says both fields may be case-sensitive; the email is not.
        "invalid_login": "That email and password do not match an account. Passwords are case-sensitive.",
    }


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's reset form, but the request only hands the typed address on (accounts.tasks):
    whether it has an account is found out, and the email sent, after the response. The reply
    and its timing are the same for every address."""

    def save(self, **kwargs) -> None:
        from .tasks import request_password_reset

        request_password_reset(self.cleaned_data["email"])


class ProfileForm(forms.Form):
    display_name = forms.CharField(
        label="Display name",
        required=False,
        max_length=100,
        help_text="How others see you; your email is shown when this is empty.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    time_zone = forms.ChoiceField(label="Time zone", help_text="Times are shown in this zone.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        label="Token name",
        required=False,
        max_length=ApiToken._meta.get_field("name").max_length,
        help_text="What the token is for, e.g. “release script”. Leave empty for a dated name.",
    )


# --- Admin ---------------------------------------------------------------------------------------
# Django's stock user forms name the `username` field of auth.User; ours logs in by email.


class _NormalisedEmail:
    def clean_email(self) -> str:
        # One person, one account: the address is stored lower-cased, as the manager does.
        email = User.objects.normalize_email(self.cleaned_data.get("email", ""))
        if User.objects.filter(email=email).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("A user with this email address exists already.")
        return email


class AdminUserCreationForm(_NormalisedEmail, BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "display_name")


class AdminUserChangeForm(_NormalisedEmail, UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"
        field_classes: dict = {}
