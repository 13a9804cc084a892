"""A refused edit keeps what the user typed: when the item was archived meanwhile, and when
someone else saved first. After a stale save the form holds the user's own changes and, for
every field they left alone, the newer saved value, so saving again reverts nobody's work."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from backlog import services
from backlog.models import HistoryEntry, Item
from config.errors import InvalidInput
from tests.conftest import make_item


class ItemFormValues(HTMLParser):
    """What a browser would submit from the page's item form (`form.item-form`)."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.values: dict[str, str] = {}
        self._in_form = False
        self._select: str | None = None
        self._first_option: str | None = None
        self._textarea: str | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and "item-form" in (attrs.get("class") or ""):
            self._in_form = True
        if not self._in_form:
            return
        if tag == "input" and attrs.get("name") and attrs.get("type") not in ("submit", "checkbox"):
            self.values[attrs["name"]] = attrs.get("value") or ""
        elif tag == "select":
            self._select, self._first_option = attrs["name"], None
        elif tag == "option" and self._select:
            if self._first_option is None:
                self._first_option = attrs.get("value") or ""
                self.values.setdefault(self._select, self._first_option)
            if "selected" in attrs:
                self.values[self._select] = attrs.get("value") or ""
        elif tag == "textarea":
            self._textarea = attrs["name"]
            self.values[self._textarea] = ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._in_form = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            # The HTML parser drops the newline right after <textarea>, as a browser does.
            self.values[self._textarea] += data.removeprefix("\n") if not self.values[self._textarea] else data


def open_form(client, user, item) -> dict[str, str]:
    client.force_login(user)
    response = client.get(reverse("backlog:item-edit", args=[item.key]))
    assert response.status_code == 200
    return ItemFormValues(response.content.decode()).values


def save(client, user, item, values: dict[str, str]):
    client.force_login(user)
    return client.post(reverse("backlog:item-edit", args=[item.key]), values)


def updates(item) -> int:
    return HistoryEntry.objects.filter(item=item, event="backlog.item.updated").count()


# --- Archived while the form was open -------------------------------------------------------


def test_a_save_to_an_item_archived_meanwhile_keeps_what_was_typed(client, po, developer, product):
    """The form comes back (400) with the typed values and the refusal as a form error."""
    item = make_item(product, title="Original")
    form = open_form(client, developer, item)
    services.archive_item(item=item, by=po)
    response = save(client, developer, item, {**form, "title": "Typed title", "why": "Because customers ask"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="title" value="Typed title"' in html
    assert "Because customers ask</textarea>" in html
    assert 'class="form-errors" role="alert"' in html
    assert "SHOP-1 is archived; restore it before editing." in html
    item.refresh_from_db()
    assert (item.title, item.version, updates(item)) == ("Original", 1, 0)


def test_a_developer_is_told_a_product_owner_can_restore_it(client, po, developer, product):
    """The way forward for someone who may not restore: ask a product owner."""
    item = make_item(product)
    form = open_form(client, developer, item)
    services.archive_item(item=item, by=po)
    html = save(client, developer, item, {**form, "title": "Typed"}).content.decode()
    assert "A product owner can restore it from the archived items" in html
    assert "Restore SHOP-1 from the archived items" not in html


def test_a_product_owner_gets_a_link_to_restore_it(client, po, product):
    """The way forward for a product owner: the archived list, in a new tab, then save again."""
    item = make_item(product)
    form = open_form(client, po, item)
    services.archive_item(item=item, by=po)
    html = save(client, po, item, {**form, "title": "Typed"}).content.decode()
    archived_url = reverse("backlog:archived", args=[product.key])
    assert f'<a href="{archived_url}" target="_blank" rel="noopener">Restore SHOP-1 from the archived items' in html


def test_after_a_restore_the_kept_form_saves(client, po, developer, product):
    """Archiving and restoring do not change the version: the same form then goes through."""
    item = make_item(product)
    form = open_form(client, developer, item)
    services.archive_item(item=item, by=po)
    refused = save(client, developer, item, {**form, "title": "Typed"})
    services.restore_item(item=item, by=po)
    assert save(client, developer, item, ItemFormValues(refused.content.decode()).values).status_code == 302
    item.refresh_from_db()
    assert item.title == "Typed"


def test_an_archive_between_the_page_and_the_service_is_refused_the_same_way(client, po, product, monkeypatch):
    """The service's own refusal (archived after the view read the item) keeps the form too."""
    item = make_item(product)
    form = open_form(client, po, item)

    def archived_meanwhile(**kwargs):
        raise InvalidInput(f"{item.key} is archived; restore it before editing.", code="archived")

    monkeypatch.setattr(services, "update_item", archived_meanwhile)
    response = save(client, po, item, {**form, "title": "Typed"})
    html = response.content.decode()
    assert response.status_code == 400
    assert 'name="title" value="Typed"' in html
    assert "SHOP-1 was archived while you were editing" in html


def test_opening_the_form_of_an_archived_item_still_leads_to_the_item(client, po, product):
    """GET is unchanged: nothing was typed yet, so the item page says why it cannot be edited."""
    item = make_item(product)
    services.archive_item(item=item, by=po)
    client.force_login(po)
    response = client.get(reverse("backlog:item-edit", args=[item.key]))
    assert response.url == reverse("backlog:item-detail", args=[item.key])


# --- Someone else saved first ------------------------------------------------------------------


@pytest.fixture
def shared_item(product):
    return make_item(product, title="Pay by card", kind="story", why="Fewer abandoned carts")


def test_a_stale_form_keeps_only_the_fields_i_changed(client, po, developer, product, shared_item):
    """I change the title while the product owner changes kind and estimate: the refreshed form
    has my title and their kind and estimate, not my stale copies of them."""
    mine = open_form(client, developer, shared_item)
    theirs = open_form(client, po, shared_item)
    assert save(client, po, shared_item, {**theirs, "kind": "bug", "estimate": "5"}).status_code == 302

    response = save(client, developer, shared_item, {**mine, "title": "Pay by card or wallet"})
    assert response.status_code == 400
    refreshed = ItemFormValues(response.content.decode()).values
    assert refreshed["title"] == "Pay by card or wallet"
    assert (refreshed["kind"], refreshed["estimate"], refreshed["version"]) == ("bug", "5", "2")
    assert refreshed["why"] == "Fewer abandoned carts"


def test_saving_the_refreshed_form_keeps_both_peoples_changes(client, po, developer, product, shared_item):
    """Saving again after a stale refusal applies my change and reverts none of theirs."""
    mine = open_form(client, developer, shared_item)
    theirs = open_form(client, po, shared_item)
    save(client, po, shared_item, {**theirs, "kind": "bug", "estimate": "5"})
    refused = save(client, developer, shared_item, {**mine, "title": "Pay by card or wallet"})

    assert save(client, developer, shared_item, ItemFormValues(refused.content.decode()).values).status_code == 302
    shared_item.refresh_from_db()
    assert (shared_item.title, shared_item.kind, shared_item.estimate) == ("Pay by card or wallet", "bug", 5)


def test_the_comparison_shows_labels_and_which_fields_i_had_not_changed(client, po, developer, product, shared_item):
    """Kinds and statuses read as their labels; a field only they changed says the form has theirs."""
    mine = open_form(client, developer, shared_item)
    theirs = open_form(client, po, shared_item)
    save(client, po, shared_item, {**theirs, "kind": "bug", "status": "refining", "title": "Card payments"})

    html = save(client, developer, shared_item, {**mine, "kind": "spike", "title": "Pay by card"}).content.decode()
    table = html.split('id="newer-heading"', 1)[1].split("</table>", 1)[0]
    assert '<th scope="row">Kind</th><td class="pre">Bug</td><td class="pre">Spike</td>' in table
    assert '<th scope="row">Status</th><td class="pre">Refining</td><td class="muted">You had not changed it' in table
    assert '<th scope="row">Title</th><td class="pre">Card payments</td><td class="muted">' in table
    assert ">bug<" not in table and ">spike<" not in table
    refreshed = ItemFormValues(html).values
    assert (refreshed["kind"], refreshed["status"], refreshed["title"]) == ("spike", "refining", "Card payments")


def test_line_breaks_sent_as_crlf_do_not_count_as_a_change(client, po, developer, product):
    """Browsers send textareas with CRLF: an untouched multi-line field takes the newer value."""
    item = make_item(product, description="One\nTwo")
    mine = open_form(client, developer, item)
    theirs = open_form(client, po, item)
    save(client, po, item, {**theirs, "description": "One\nTwo\nThree"})
    stale = {**mine, "title": "Mine", "description": mine["description"].replace("\n", "\r\n")}
    refreshed = ItemFormValues(save(client, developer, item, stale).content.decode()).values
    assert refreshed["description"].replace("\r\n", "\n") == "One\nTwo\nThree"
    assert Item.objects.get(pk=item.pk).title == "Item 1"
