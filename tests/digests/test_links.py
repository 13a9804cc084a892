"""Links in user Markdown, in the digest email: a mail client has no page to resolve a relative
link against, so the email makes every one absolute against SITE_URL (root-relative and
path-relative alike), in the HTML part and in the Markdown the plain-text part prints; the
sanitising stays as on the pages."""

from html.parser import HTMLParser

import pytest
from django.core import mail

from backlog import services as backlog_services
from digests import links
from sprints import services as sprint_services
from tests.backlog.test_markdown import XSS_PAYLOADS, Tags
from tests.digests.test_content import deliver_new, html_of
from tests.sprints.conftest import close, make_ready_item, make_sprint, plan, start

SITE = "https://ordo.example.com"

NOTES = (
    "See the [board](/sprints/6/review/) and the [spec](docs/spec.html), "
    "[section 2](#two), [the demo](https://demo.example/x) and [mail us](mailto:team@example.com).\n\n"
    "Also [the wiki][wiki], and code: `[not a link](/in/code)`.\n\n"
    "[wiki]: wiki/Home"
)


class Links(HTMLParser):
    def __init__(self, html: str):
        super().__init__()
        self.hrefs: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        if tag == "a" and dict(attrs).get("href"):
            self.hrefs.append(dict(attrs)["href"])


@pytest.fixture
def site(settings):
    settings.SITE_URL = SITE
    return settings


def test_relative_links_become_absolute_against_the_site(site):
    html = str(links.markdown_for_email(NOTES))
    assert Links(html).hrefs == [
        f"{SITE}/sprints/6/review/",
        f"{SITE}/docs/spec.html",
        f"{SITE}/#two",
        "https://demo.example/x",
        "mailto:team@example.com",
        f"{SITE}/wiki/Home",
    ]
    assert 'rel="noopener noreferrer"' in html


def test_a_site_url_with_a_path_keeps_path_relative_links_below_it(settings):
    settings.SITE_URL = "https://example.com/ordo"
    html = str(links.markdown_for_email("[spec](docs/spec.html) [board](/ordo/sprints/6/review/)"))
    assert Links(html).hrefs == [
        "https://example.com/ordo/docs/spec.html",
        "https://example.com/ordo/sprints/6/review/",
    ]


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_the_email_markdown_is_as_sanitised_as_the_pages(site, payload):
    for tag, attrs in Tags(str(links.markdown_for_email(payload))).tags:
        assert tag not in {"script", "img", "svg", "iframe", "div", "style"}
        assert not any(name.startswith("on") or name == "style" for name in attrs), (tag, attrs)
        href = (attrs.get("href") or "").strip().lower()
        assert not href or href.startswith(("http:", "https:", "mailto:")), href


def test_the_markdown_of_the_text_part_keeps_its_words_and_gets_absolute_destinations(site):
    text = links.absolute_markdown(NOTES)
    assert text == (
        f"See the [board]({SITE}/sprints/6/review/) and the [spec]({SITE}/docs/spec.html), "
        f"[section 2]({SITE}/#two), [the demo](https://demo.example/x) and [mail us](mailto:team@example.com).\n\n"
        "Also [the wiki][wiki], and code: `[not a link](/in/code)`.\n\n"
        f"[wiki]: {SITE}/wiki/Home"
    )


def test_the_text_part_rewrites_titled_bracketed_and_parenthesised_destinations(site):
    text = links.absolute_markdown('[a](/x "Title") [b](<my page.html>) [c](wiki/Foo_(bar)) \\[d](/no)')
    assert text == f'[a]({SITE}/x "Title") [b](<{SITE}/my page.html>) [c]({SITE}/wiki/Foo_(bar)) \\[d](/no)'


def test_text_without_links_is_left_as_it_is(site):
    for text in ("", "Plain **words**.", "`[a](/b)` in code", "    [a](/b) indented code"):
        assert links.absolute_markdown(text) == text


def test_the_digest_email_has_no_relative_link_in_either_part(site, product, po, stakeholder):
    backlog_services.set_product_goal(
        product=product, by=po, title="Checkout", description="Why: [the research](research/checkout.html)"
    )
    sprint = make_sprint(product, po)
    plan(sprint, [make_ready_item(product, 3)], po)
    start(sprint, po)
    sprint_services.update_sprint(
        sprint=sprint, by=po, changes={"review_notes": "Demo on the [board](/sprints/6/review/)."}
    )
    close(sprint, po)

    result, _ = deliver_new(stakeholder, product)

    assert result.outcome == "sent"
    message = mail.outbox[-1]
    hrefs = Links(html_of(message)).hrefs
    assert f"{SITE}/research/checkout.html" in hrefs
    assert f"{SITE}/sprints/6/review/" in hrefs
    assert all(href.startswith((f"{SITE}/", "https://", "mailto:")) for href in hrefs), hrefs
    assert f"[the research]({SITE}/research/checkout.html)" in message.body
    assert f"[board]({SITE}/sprints/6/review/)" in message.body
    assert "](/" not in message.body and "](research" not in message.body
