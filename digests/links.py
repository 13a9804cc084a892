"""Links in the digest email, made absolute against SITE_URL.

On the site a relative link in user Markdown (`[board](/sprints/6/review/)`, `[spec](docs/spec.html)`)
resolves against the page it is on; an email has no page, so a mail client leaves it broken. The
email resolves it as the site's root page would: root-relative links against the site's origin,
path-relative ones below SITE_URL. The HTML part is rendered by the pages' sanitising renderer,
told the base (nh3 rewrites the relative links in its one cleaning pass); the plain-text part
prints the Markdown as written, with the destinations of its links rewritten the same way.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin

from django.conf import settings
from django.utils.safestring import SafeString
from markdown_it.common.utils import unescapeAll

from backlog.markdown import parser, render_markdown

# A destination with a scheme (`https:`, `mailto:`) is absolute already; anything else, `//host`
# included, is resolved against the site.
_HAS_SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
# An inline link's destination, `](dest` or `](<dest with spaces>` (one level of balanced
# parentheses, as people write them), and a reference definition's, `[label]: dest`.
_INLINE = re.compile(r"(\]\([ \t]*(?:\n[ \t]*)?)(<[^<>\n]*>|[^\s()<>]*(?:\([^\s()<>]*\)[^\s()<>]*)*)")
_DEFINITION = re.compile(r"^( {0,3}\[(?:[^\]\\\n]|\\.)+\]:[ \t]*(?:\n[ \t]*)?)(<[^<>\n]*>|\S+)", re.MULTILINE)


def _base() -> str:
    # SITE_URL is stored without its trailing slash; with it, `docs/spec.html` stays below it.
    return settings.SITE_URL.rstrip("/") + "/"


def markdown_for_email(text: str | None) -> SafeString:
    """User Markdown rendered as the pages render it, its links absolute."""
    return render_markdown(text, base_url=_base())


def _link_targets(text: str) -> set[str]:
    """The destinations, as markdown-it normalises them, of the links the text really has (not
    look-alikes in code spans, code blocks or escaped brackets)."""
    targets = set()
    for token in parser().parse(text, {}):
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
        if not raw or _HAS_SCHEME.match(raw) or parser().normalizeLink(unescapeAll(raw)) not in targets:
            return match.group(0)
        absolute = urljoin(_base(), raw)
        return f"{lead}<{absolute}>" if bracketed else f"{lead}{absolute}"

    return _DEFINITION.sub(rewrite, _INLINE.sub(rewrite, text))
