"""Filters for the digest email, which renders the serialized digest (ISO strings for dates)."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils.formats import date_format
from django.utils.safestring import SafeString

from .. import links

register = template.Library()


@register.filter
def day(value: str | None) -> str:
    """An ISO date or date-time as "Fri 11 Dec"; empty for nothing."""
    if not value:
        return ""
    parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    return date_format(parsed.date(), "D j M")


@register.filter
def points(value) -> str:
    """ "3 pts", or "unestimated"."""
    return "unestimated" if value is None else f"{value} pt{'s' if value != 1 else ''}"


@register.filter
def email_markdown(text: str | None) -> SafeString:
    """User Markdown for the HTML part: sanitised as on the pages, its links absolute."""
    return links.markdown_for_email(text)


@register.filter
def absolute_links(text: str | None) -> str:
    """User Markdown for the plain-text part: as written, its links' destinations absolute."""
    return links.absolute_markdown(text)
