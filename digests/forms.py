"""The digest preferences form: one per product on the preferences page."""

from __future__ import annotations

from django import forms

from .models import Frequency, Weekday

HOURS = [(hour, f"{hour:02d}:00") for hour in range(24)]


class PreferenceForm(forms.Form):
    frequency = forms.ChoiceField(choices=Frequency.choices, widget=forms.RadioSelect, label="Send me the digest")
    weekday = forms.TypedChoiceField(choices=Weekday.choices, coerce=int, label="On")
    hour = forms.TypedChoiceField(choices=HOURS, coerce=int, label="At", help_text="In your time zone.")
    send_when_quiet = forms.BooleanField(required=False, label="Send it even when nothing changed")
