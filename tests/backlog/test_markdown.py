"""Markdown: raw HTML off, links limited to http, https and mailto, nh3 as a second layer."""

from html.parser import HTMLParser

import pytest
from django.template import Context, Template

from backlog.markdown import ALLOWED_TAGS, render_markdown

XSS_PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    '<a href="javascript:alert(1)">x</a>',
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "[click](java\tscript:alert(1))",
    "[click](&#106;avascript:alert(1))",
    "[click](javascript&colon;alert(1))",
    "[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "[click](vbscript:msgbox(1))",
    "<javascript:alert(1)>",
    '[x](https://example.com "a" onmouseover="alert(1)")',
    "<svg onload=alert(1)>",
    "<iframe src=https://example.com></iframe>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    "![x](javascript:alert(1))",
    "<!-- <script>alert(1)</script> -->",
]


class Tags(HTMLParser):
    """The elements and attributes a browser would build from the output."""

    def __init__(self, html: str):
        super().__init__()
        self.tags: list[tuple[str, dict]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


class Headings(HTMLParser):
    """The headings of the output, with their text."""

    def __init__(self, html: str):
        super().__init__()
        self.headings: list[tuple[str, str]] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            self.headings.append((tag, ""))

    def handle_data(self, data):
        if self.headings and self.lasttag in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            tag, text = self.headings[-1]
            self.headings[-1] = (tag, text + data.strip())


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_an_xss_payload_comes_out_inert(payload):
    for tag, attrs in Tags(str(render_markdown(payload))).tags:
        assert tag not in {"script", "img", "svg", "iframe", "div", "style"}
        assert not any(name.startswith("on") or name == "style" for name in attrs), (tag, attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http:", "https:", "mailto:", "/")), href


def test_html_typed_into_a_description_shows_as_the_text_it_is():
    assert str(render_markdown("<b>bold?</b>")) == "<p>&lt;b&gt;bold?&lt;/b&gt;</p>\n"


@pytest.mark.parametrize(
    "url", ["https://example.com/a", "http://example.com", "mailto:po@example.com", "/items/SHOP-1/"]
)
def test_http_https_mailto_and_relative_links_are_kept_with_a_safe_rel(url):
    html = str(render_markdown(f"[link]({url})"))
    assert f'href="{url}"' in html
    assert 'rel="noopener noreferrer"' in html


@pytest.mark.parametrize("url", ["ftp://example.com/file", "file:///etc/passwd", "tel:+123"])
def test_links_with_other_schemes_stay_plain_text(url):
    assert "<a" not in str(render_markdown(f"[link]({url})"))


def test_markdown_basics_render():
    html = str(
        render_markdown("# Title\n\n*em* **strong** ~~gone~~ `code`\n\n- one\n- two\n\n| a | b |\n|---|--:|\n| 1 | 2 |")
    )
    for fragment in (
        "<h3>Title</h3>",
        "<em>em</em>",
        "<strong>strong</strong>",
        "<s>gone</s>",
        "<code>code</code>",
        "<li>one</li>",
        "<td>2</td>",
    ):
        assert fragment in html


def test_headings_in_user_text_never_compete_with_the_pages_own():
    """The page has its h1 and section h2s: a user's `#` starts at h3, and deep ones stop at h6."""
    text = "# One\n\n## Two\n\n### Three\n\n#### Four\n\n##### Five\n\n###### Six\n\nSetext\n===\n"
    assert Headings(str(render_markdown(text))).headings == [
        ("h3", "One"),
        ("h4", "Two"),
        ("h5", "Three"),
        ("h6", "Four"),
        ("h6", "Five"),
        ("h6", "Six"),
        ("h3", "Setext"),
    ]
    assert {"h1", "h2"}.isdisjoint(ALLOWED_TAGS)


def test_empty_text_renders_nothing():
    assert render_markdown("") == "" and render_markdown(None) == ""


def test_the_template_filter_renders_markdown_safely():
    html = Template("{% load ordo %}{{ text|markdown }}").render(Context({"text": "**hi** <script>x</script>"}))
    assert html == "<p><strong>hi</strong> &lt;script&gt;x&lt;/script&gt;</p>\n"
