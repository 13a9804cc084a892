"""Links in the digest email, made absolute against SITE_URL.

On the site a relative link in user Markdown (`[board](/sprints/6/review/)`, `[spec](docs/spec.html)`)
resolves against the page it is on; an email has no page, so a mail client leaves it broken. The
email resolves it as the site's root page would: root-relative links against the site's origin,
path-relative ones below SITE_URL. The HTML part is rendered by the same sanitising Markdown
renderer as the pages, then cleaned once more with the same rules while nh3 rewrites the relative
links; the plain-text part prints the Markdown as written, with the destinations of its links
rewritten the same way.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

import nh3
from django.conf import settings
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt
from markdown_it.common.utils import unescapeAll

from backlog.markdown import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, LINK_SCHEMES, link_is_allowed, render_markdown

# A destination with a scheme (`https:`, `mailto:`) is absolute already; anything else, `//host`
# included, is resolved against the site.
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# An inline link's destination, `](dest` or `](<dest with spaces>` (one level of balanced
# parentheses, as people write them), and a reference definition's, `[label]: dest`.
_INLINE = re.compile(r"(\]\([ \t]*(?:\n[ \t]*)?)(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)")
_DEFINITION = re.compile(r"^( {0,3}\[(?:[^\]\\\n]|\\.)+\]:[ \t]*(?:\n[ \t]*)?)(<[^<>\n]*>|\S+)", re.MULTILINE)

# The pages' dialect (backlog.markdown), used here only to tell which destinations are links.
_parser = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
_parser.validateLink = link_is_allowed


def _base() -> str:
    # SITE_URL is stored without its trailing slash; with it, `docs/spec.html` stays below it.
    return settings.SITE_URL.rstrip("/") + "/"


def absolute_html(html: str) -> SafeString:
    """Sanitised HTML (backlog.markdown's output) with every relative link made absolute."""
    clean = nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(LINK_SCHEMES),
        url_relative=("rewrite_with_base", _base()),
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return mark_safe(clean)  # noqa: S308 - backlog.markdown's sanitised output, sanitised again


def markdown_for_email(text: str | None) -> SafeString:
    """User Markdown rendered as the pages render it, its links absolute."""
    html = render_markdown(text)
    return absolute_html(html) if html else html


def _link_targets(text: str) -> set[str]:
    """The destinations, as markdown-it normalises them, of the links the text really has (not
    look-alikes in code spans, code blocks or escaped brackets)."""
    targets = set()
    for token in _parser.parse(text, {}):
        for child in token.children or ():
            if child.type == "link_open":
                targets.add(child.attrGet("href"))
    return targets


def absolute_markdown(text: str | None) -> str:
    """The Markdown as written, the destinations of its relative links made absolute: for the
    plain-text part, which prints Markdown as it is."""
    if not text:
        return text or ""
    text = str(text)
    targets = _link_targets(text)
    if not targets:
        return text

    def rewrite(match: re.Match) -> str:
        lead, destination = match.group(1), match.group(2)
        bracketed = destination.startswith("<")
        raw = destination[1:-1] if bracketed else destination
        if not raw or _HAS_SCHEME.match(raw) or _parser.normalizeLink(unescapeAll(raw)) not in targets:
            return match.group(0)
        absolute = urljoin(_base(), raw)
        return f"{lead}<{absolute}>" if bracketed else f"{lead}{absolute}"

    return _DEFINITION.sub(rewrite, _INLINE.sub(rewrite, text))
