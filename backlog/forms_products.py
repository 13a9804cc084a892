"""HTML forms for products, members and invitations. They parse and label input; the services
in backlog.services decide what is valid (key rules, the last product owner, passwords)."""

from __future__ import annotations

from django import forms

from .models import Role


class ProductCreateForm(forms.Form):
    key = forms.CharField(
        label="Key",
        max_length=30,
        help_text="2–10 letters or digits, like SHOP; lower case is turned into upper case. "
        "Item keys start with it (SHOP-42) and it cannot change later.",
        widget=forms.TextInput(attrs={"autocapitalize": "characters", "spellcheck": "false", "autocomplete": "off"}),
    )
    name = forms.CharField(label="Name", max_length=200)
    vision = forms.CharField(
        label="Vision",
        required=False,
        help_text="Markdown. Who is it for, what need does it meet, why will it win?",
        widget=forms.Textarea(attrs={"rows": 6}),
    )


class ProductSettingsForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    vision = forms.CharField(
        label="Vision",
        required=False,
        help_text="Markdown.",
        widget=forms.Textarea(attrs={"rows": 10}),
    )


class MemberAddForm(forms.Form):
    email = forms.EmailField(
        label="Email",
        help_text="They get an email to accept or decline, and join when they accept.",
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
    )
    role = forms.ChoiceField(label="Role", choices=Role.choices, initial=Role.DEVELOPER)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=Role.choices)


class InvitationAcceptForm(forms.Form):
    """A newcomer's account: the email comes from the signed invitation, not from the form."""

    display_name = forms.CharField(
        label="Your name",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    password1 = forms.CharField(
        label="Password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text="At least 8 characters, not all digits, not a common password.",
    )
    password2 = forms.CharField(
        label="Password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and data["password1"] != data["password2"]:
            self.add_error("password2", "The two passwords differ.")
        return data
