"""What a stored field must hold after a payload: the shared rule of both doors."""

from __future__ import annotations

from .expect import label_parts, refusal
from .targets import Stored


def expected(stored: Stored, text: str, *, limit: int | None, comma_separated: bool = False):
    """(why the value must be refused, or None; what must be stored when it is not)."""
    column = stored.column(limit if not stored.labels else None)
    if stored.labels:
        names = label_parts(text) if comma_separated else [text.strip()]
        if comma_separated and limit and len(text.strip()) > limit:
            return "too long", names
        if any("," in name for name in names):
            return "a comma inside a label (the item form separates labels with commas)", names
        return next((reason for name in names if (reason := refusal(name, column))), None), names
    return refusal(text, column), text.strip()


def shown(value, width: int = 70) -> str:
    """A value as a failure message shows it: short, every character visible."""
    text = repr(value)
    return text if len(text) <= width else f"{text[: width - 12]}…({len(text)} chars)"
