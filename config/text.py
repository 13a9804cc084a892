"""The rules for user-written text, shared by every app: what a single-line field (a title, a
name, a label) may hold, what no text field may hold, and how a value is made safe for an email
header.

Single-line fields refuse control characters (Unicode category Cc: C0, DEL, C1 including U+0085
NEXT LINE) except the tab, and the line and paragraph separators (Zl U+2028, Zp U+2029): a name
with a line break in it breaks every email subject built from it (Django refuses the header),
and an escape character in a title is never what anyone meant to type.

Format characters (Cf) are allowed on purpose, U+202E RIGHT-TO-LEFT OVERRIDE included: the same
category holds the zero-width joiner of emoji sequences and of Indic scripts, the zero-width
non-joiner Persian needs, and the LRM/RLM marks right-to-left writers use to place punctuation.
Refusing them would refuse real names; the pages isolate user text instead (`<bdi>`), so an
override inside a title cannot reorder the key beside it.

Every text field, multi-line ones included, refuses U+0000 (PostgreSQL cannot store it in text)
and unpaired surrogates (Cs: they cannot be encoded as UTF-8, so the database driver fails).
Tabs, newlines and other control characters stay allowed in multi-line text (descriptions,
Markdown bodies).

Line breaks are kept as they were sent, but CRLF, CR and LF count as the same text: browsers send
a textarea's lines with CRLF, API clients mostly with LF, and saving a form unchanged must not
be an edit (`same_text`).

The messages name the field and the character, so the person can find what to remove:
"A title cannot contain control characters or line breaks (found U+000A)."
"""

from __future__ import annotations

import re
import unicodedata

from config.errors import InvalidInput

SINGLE_LINE_CATEGORIES = frozenset({"Cc", "Zl", "Zp", "Cs"})
SINGLE_LINE_ALLOWED = frozenset({"\t"})
# The single-line rule as a JSON Schema character class (ECMA 262), for the API schema: Cc but
# the tab, Zl and Zp. Lone surrogates, refused as well, are left out: validators whose regexes
# work on Unicode scalar values (jsonschema-rs, which Schemathesis uses) refuse a class naming them.
SINGLE_LINE_REFUSED = "\\x00-\\x08\\x0a-\\x1f\\x7f-\\x9f\\u2028\\u2029"
SINGLE_LINE_PATTERN = f"^[^{SINGLE_LINE_REFUSED}]*$"
# Not storable in any text column: NUL (PostgreSQL) and lone surrogates (no UTF-8 form).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_WHITESPACE_RUN = re.compile(r"\s+")
_LINE_BREAK = re.compile(r"\r\n?")


def control_characters(value: str) -> list[str]:
    """The distinct characters of `value` that a single-line field refuses, in order of
    appearance (empty when the value is fine)."""
    return list(dict.fromkeys(char for char in value if _refused(char)))


def unstorable_characters(value: str) -> list[str]:
    """The distinct characters of `value` that no text field can store (NUL, lone surrogates)."""
    return list(dict.fromkeys(_UNSTORABLE.findall(value)))


def code_points(chars: list[str], *, limit: int = 3) -> str:
    """How a message names characters that cannot be shown as themselves: "U+000A, U+000D"."""
    shown = ", ".join(f"U+{ord(char):04X}" for char in chars[:limit])
    return f"{shown}, …" if len(chars) > limit else shown


def single_line_error(value: str, *, label: str) -> str | None:
    """Why `value` cannot be a single-line field's value, as a sentence that starts with
    `label` ("A title"), or None when it can."""
    found = control_characters(value)
    if found:
        return f"{label} cannot contain control characters or line breaks (found {code_points(found)})."
    return None


def text_error(value: str, *, label: str) -> str | None:
    """Why `value` cannot be stored in a (multi-line) text field, starting with `label`
    ("The description"), or None when it can."""
    found = unstorable_characters(value)
    if found:
        return f"{label} cannot contain NUL or unpaired surrogate characters (found {code_points(found)})."
    return None


def require_single_line(value: str, *, field: str, label: str) -> str:
    """`value` if it is fit for a single-line field; otherwise InvalidInput naming `field`."""
    message = single_line_error(value, label=label)
    if message:
        raise InvalidInput(message, fields={field: [message]})
    return value


def require_storable(value: str, *, field: str, label: str) -> str:
    """`value` if a text field can store it; otherwise InvalidInput naming `field`."""
    message = text_error(value, label=label)
    if message:
        raise InvalidInput(message, fields={field: [message]})
    return value


def same_text(old, new) -> bool:
    """Whether an edit leaves a value as it was: for text, whatever its line breaks are made of
    (CRLF, CR or LF); anything else, equal."""
    if isinstance(old, str) and isinstance(new, str):
        return _LINE_BREAK.sub("\n", old) == _LINE_BREAK.sub("\n", new)
    return old == new


def one_line(value: str) -> str:
    """`value` on one line: every character a single-line field refuses (and the tab) becomes a
    space, and runs of whitespace one space. For text shown or sent where a line break would
    do harm, including text stored before single-line fields refused line breaks."""
    spaced = "".join(" " if char == "\t" or _refused(char) else char for char in str(value))
    return _WHITESPACE_RUN.sub(" ", spaced).strip()


def header_safe(value: str) -> str:
    """`value` fit for an email header (a subject, a List-Id phrase): one line, no control
    characters. Email code passes user text through this even though the fields refuse line
    breaks now: a product name stored before, with a CR LF in it, must not make Django refuse
    the whole message (BadHeaderError)."""
    return one_line(value)


def _refused(char: str) -> bool:
    return char not in SINGLE_LINE_ALLOWED and unicodedata.category(char) in SINGLE_LINE_CATEGORIES
