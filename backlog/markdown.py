"""Markdown for descriptions, notes and visions: rendered with raw HTML off, links limited to
http, https and mailto, headings moved below the page's own, and the output passed through nh3
as a second, independent layer."""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore

LINK_SCHEMES = frozenset({"http", "https", "mailto"})

# The page owns h1 (its title) and h2 (its sections); user text sits inside a section, so its
# `#` becomes h3 and the deepest levels share h6 (HTML has no h7).
HEADING_LEVELS = {"h1": "h3", "h2": "h4", "h3": "h5", "h4": "h6", "h5": "h6", "h6": "h6"}

# What Markdown produces, and nothing else. No `style` attribute: table alignment would emit
# one, and the site's CSP (style-src 'self') refuses inline styles. No images: img-src is 'self'
# only, and a remote image in a description is a tracking pixel. No h1 or h2: see above.
ALLOWED_TAGS = frozenset(
    {
        *("p", "br", "hr", "blockquote", "pre", "code", "strong", "em", "del", "s", "a"),
        *HEADING_LEVELS.values(),
        *("ul", "ol", "li"),
        *("table", "thead", "tbody", "tr", "th", "td"),
    }
)
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}

_SCHEME = re.compile(r"^([^/?#]*?):")


def link_is_allowed(url: str) -> bool:
    """http, https and mailto links, and relative ones. Anything with another scheme (in any
    capitalisation, or disguised by encoded characters before the colon) is refused."""
    match = _SCHEME.match(url.strip())
    if match is None:
        return True
    return match.group(1).lower() in LINK_SCHEMES


def _shift_headings(state: StateCore) -> None:
    for token in state.tokens:
        if token.type in {"heading_open", "heading_close"}:
            token.tag = HEADING_LEVELS[token.tag]


def _parser() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "typographer": False}).enable(["table", "strikethrough"])
    md.disable("image")
    md.core.ruler.push("shift_headings", _shift_headings)
    # markdown-it calls this for every link destination (after normalising it); a refused
    # destination leaves the text as it was typed, not a link.
    md.validateLink = link_is_allowed
    return md


_md = _parser()


def parser() -> MarkdownIt:
    """The parser of the pages' dialect, for callers that read Markdown's structure (which
    destinations are links) rather than render it."""
    return _md


def render_markdown(text: str | None, *, base_url: str | None = None) -> SafeString:
    """Render Markdown to HTML that is safe to put in a page. `base_url`: make relative links
    absolute against it (an email has no page for them to be relative to)."""
    if not text:
        return mark_safe("")  # noqa: S308 - the empty string
    html = _md.render(str(text))
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        url_relative=("rewrite_with_base", base_url) if base_url else "pass_through",
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - raw HTML off, then sanitised by nh3
