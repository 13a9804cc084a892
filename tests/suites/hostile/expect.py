"""What a door must do with a payload, and how a response shows that markup stayed text.

The rules are written here from the documented behaviour (config/text.py's docstring, DESIGN.md),
not imported from the code under test: a single-line field refuses control characters (Unicode
Cc, the tab aside), line and paragraph separators and lone surrogates; every field refuses NUL
and lone surrogates; a value longer than the field's limit is refused; what is accepted is
stored exactly as sent, less the whitespace around it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass
from html.parser import HTMLParser

from .payloads import MARKER

SINGLE_LINE_REFUSED = frozenset({"Cc", "Zl", "Zp", "Cs"})


@dataclass(frozen=True)
class Column:
    """Where a text field is stored, as far as input goes: one line or many, and how long."""

    single_line: bool
    limit: int


@functools.lru_cache(maxsize=4096)
def refusal(value: str, column: Column) -> str | None:
    """Why `value` must be refused by a field stored in `column` (None: it must be stored)."""
    value = value.strip()
    if any(char == "\x00" or unicodedata.category(char) == "Cs" for char in value):
        return "unstorable"
    if column.single_line and any(char != "\t" and unicodedata.category(char) in SINGLE_LINE_REFUSED for char in value):
        return "line break or control character"
    if len(value) > column.limit:
        return "too long"
    if not value:
        return "blank"
    return None


def label_parts(value: str) -> list[str]:
    """A labels field of the HTML form: names separated by commas."""
    return sorted({part.strip() for part in value.split(",") if part.strip()})


# --- Markup that must not be there -------------------------------------------------------------------

# Attributes that may hold user text as a value: it is data there, whatever it says.
TEXT_ATTRIBUTES = frozenset({"value", "title", "aria-label", "alt", "placeholder", "label"})
# Attributes whose value is a URL the page fetches or submits to by itself or on a click.
URL_ATTRIBUTES = frozenset(
    {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background", "cite"}
    | {f"{prefix}hx-{verb}" for prefix in ("", "data-") for verb in ("get", "post", "put", "patch", "delete")}
)
BAD_SCHEME = re.compile(r"^(javascript|vbscript|data):", re.IGNORECASE)
_INVISIBLE = re.compile(r"[\x00-\x20\x7f]+")


def attribute_problem(tag: str, name: str, value: str) -> str | None:
    """Why an attribute would make a page do something a payload wanted, or None. A link may go
    anywhere on the site (people link to pages), but nothing may load or submit to the marker's
    path by itself, and no URL may run script."""
    shown = f"<{tag} {name}={value[:80]!r}>"
    if name.startswith("on"):
        return f"{shown}: an event handler"
    if name in URL_ATTRIBUTES:
        if BAD_SCHEME.match(_INVISIBLE.sub("", value)):
            return f"{shown}: a script URL"
        if name != "href" and MARKER in value.split("?", 1)[0]:
            return f"{shown}: loads the marker's path"
        return None
    if MARKER in value and name not in TEXT_ATTRIBUTES and not (name.startswith("data-") and "hx-" not in name):
        return f"{shown}: the marker in a live attribute"
    return None


class _Markup(HTMLParser):
    """Collects what, in a page, would do something a payload wanted (see attribute_problem),
    and scripts or styles that hold the marker."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self._raw: str | None = None

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if problem := attribute_problem(tag, name, value or ""):
                self.problems.append(problem)
        if tag in {"script", "style"}:
            self._raw = tag

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == self._raw:
            self._raw = None

    def handle_data(self, data):
        if self._raw and MARKER in data:
            self.problems.append(f"<{self._raw}> holding {data[:60]!r}")


def live_markup(html: str) -> list[str]:
    """What in `html` came from a payload and would run or load: nothing, when text stayed text."""
    parser = _Markup()
    parser.feed(html)
    parser.close()
    return parser.problems
