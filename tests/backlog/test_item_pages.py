"""Item pages: create, detail, edit with optimistic concurrency, notes, archive and restore."""

import zoneinfo
from datetime import datetime

import pytest
from django.urls import reverse

from backlog import selectors, services
from backlog.forms import item_initial
from backlog.models import Item, RefinementNote
from config.errors import InvalidInput
from tests.conftest import make_item, make_items


def form_data(**overrides) -> dict:
    data = {
        "title": "Pay by card",
        "kind": "story",
        "status": "new",
        "estimate": "",
        "labels": "",
        "description": "",
        "why": "",
        "acceptance_criteria": "",
        "hypothesis": "",
    }
    data.update(overrides)
    return data


def create(client, user, product, **fields):
    client.force_login(user)
    return client.post(reverse("backlog:item-create", args=[product.key]), form_data(**fields))


def edit(client, user, item, version, **fields):
    client.force_login(user)
    return client.post(reverse("backlog:item-edit", args=[item.key]), form_data(version=version, **fields))


def test_a_product_owner_creates_an_item_with_every_field(client, po, product):
    response = create(
        client,
        po,
        product,
        title="Pay by card",
        kind="bug",
        status="ready",
        estimate="5",
        labels="checkout, mobile,  checkout",
        description="It *fails*.",
        why="People abandon carts.",
        acceptance_criteria="- Visa works",
        hypothesis="We believe …",
    )
    item = Item.objects.get(product=product)
    assert response.status_code == 302
    assert response.url == reverse("backlog:item-detail", args=[item.key])
    assert (item.kind, item.status, item.estimate, item.why) == ("bug", "ready", 5, "People abandon carts.")
    assert sorted(item.labels.values_list("name", flat=True)) == ["checkout", "mobile"]


def test_a_new_item_lands_at_the_bottom(client, po, product):
    make_items(product, 2)
    create(client, po, product)
    assert selectors.position_of(Item.objects.get(key="SHOP-3")) == 3


def test_a_product_owner_may_put_a_new_item_at_the_top(client, po, product):
    make_items(product, 2)
    create(client, po, product, at_top="on")
    assert selectors.position_of(Item.objects.get(key="SHOP-3")) == 1


def test_a_developer_is_not_offered_ready_discarded_or_the_top(client, developer, product):
    client.force_login(developer)
    html = client.get(reverse("backlog:item-create", args=[product.key])).content.decode()
    assert 'value="refining"' in html
    assert 'value="ready"' not in html
    assert 'value="discarded"' not in html
    assert 'name="at_top"' not in html


def test_a_developer_cannot_create_a_ready_item(client, developer, product):
    response = create(client, developer, product, status="ready")
    assert response.status_code == 400
    assert not Item.objects.exists()


def test_a_stakeholder_cannot_open_the_create_page(client, stakeholder, product):
    client.force_login(stakeholder)
    assert client.get(reverse("backlog:item-create", args=[product.key])).status_code == 403


def test_a_missing_title_is_shown_beside_the_field(client, po, product):
    response = create(client, po, product, title="")
    assert response.status_code == 400
    assert 'class="field-error" id="id_title_error"' in response.content.decode()


def test_the_detail_page_shows_every_field_and_renders_markdown(client, po, product):
    item = make_item(
        product, title="Pay", description="It **fails**", why="Money", hypothesis="We believe", labels=["checkout"]
    )
    client.force_login(po)
    html = client.get(reverse("backlog:item-detail", args=[item.key])).content.decode()
    assert "<strong>fails</strong>" in html
    assert "Money" in html and "We believe" in html and "checkout" in html
    assert "Position</dt><dd>1 of 1" in html


def test_html_in_a_description_shows_as_text(client, po, product):
    item = make_item(product, description="<img src=x onerror=alert(1)> <script>alert(1)</script>")
    client.force_login(po)
    html = client.get(reverse("backlog:item-detail", args=[item.key])).content.decode()
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "<script>alert(1)" not in html
    assert "<img" not in html


def test_an_outsider_gets_404_for_an_item(client, outsider, product):
    item = make_item(product)
    client.force_login(outsider)
    assert client.get(reverse("backlog:item-detail", args=[item.key])).status_code == 404


def test_an_unknown_item_is_404(client, po, product):
    client.force_login(po)
    assert client.get(reverse("backlog:item-detail", args=["SHOP-999"])).status_code == 404


def test_an_edit_saves_and_bumps_the_version(client, po, product):
    item = make_item(product)
    response = edit(client, po, item, 1, title="Renamed", estimate="8")
    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.title, item.estimate, item.version) == ("Renamed", 8, 2)


def test_an_item_with_as_many_labels_as_it_may_have_saves_through_its_form(client, po, product):
    """The form once took 1000 characters of labels: 50 long ones, given through the API, made
    every later edit on the page fail beside a field nobody touched."""
    labels = [f"{n:02d}" + "x" * (services.LABEL_MAX - 2) for n in range(services.LABELS_MAX)]
    item = make_item(product, title="Labelled", labels=labels)
    client.force_login(po)
    data = {**item_initial(item), "title": "Relabelled", "version": item.version}
    response = client.post(reverse("backlog:item-edit", args=[item.key]), data)
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Relabelled"
    assert sorted(item.labels.values_list("name", flat=True)) == labels


def test_an_item_takes_no_more_labels_than_it_may_have(po, product):
    too_many = [f"label {n}" for n in range(services.LABELS_MAX + 1)]
    with pytest.raises(InvalidInput) as refused:
        make_item(product, title="Labelled", labels=too_many)
    assert list(refused.value.fields) == ["labels"]


def test_a_stale_edit_is_refused_and_shows_the_newer_values_and_keeps_mine(client, po, developer, product):
    item = make_item(product, title="Original")
    services.update_item(item=item, by=developer, changes={"title": "Theirs"}, expected_version=1)
    response = edit(client, po, item, 1, title="Mine")
    html = response.content.decode()
    item.refresh_from_db()
    assert response.status_code == 400
    assert item.title == "Theirs"
    assert "Someone changed SHOP-1 while you were editing it" in html
    assert '<td class="pre">Theirs</td>' in html
    assert 'name="title" value="Mine"' in html
    assert 'name="version" value="2"' in html


def test_saving_again_after_a_stale_edit_goes_through(client, po, developer, product):
    item = make_item(product, title="Original")
    services.update_item(item=item, by=developer, changes={"title": "Theirs"}, expected_version=1)
    edit(client, po, item, 1, title="Mine")
    assert edit(client, po, item, 2, title="Mine").status_code == 302
    item.refresh_from_db()
    assert item.title == "Mine"


def test_a_developer_may_edit_a_ready_item_without_touching_its_status(client, po, developer, product):
    item = make_item(product, status="ready")
    response = edit(client, developer, item, 1, title="Clearer", status="ready")
    item.refresh_from_db()
    assert response.status_code == 302
    assert (item.title, item.status) == ("Clearer", "ready")


def test_a_move_does_not_make_an_open_edit_form_stale(client, po, product):
    a, b = make_items(product, 2)
    services.move_item(item=b, by=po, position=1)
    assert edit(client, po, b, 1, title="Still fine").status_code == 302


def test_a_stakeholder_cannot_edit(client, stakeholder, product):
    item = make_item(product)
    assert edit(client, stakeholder, item, 1, title="No").status_code == 403


def test_a_team_member_adds_a_refinement_note(client, developer, product):
    item = make_item(product)
    client.force_login(developer)
    response = client.post(reverse("backlog:item-note", args=[item.key]), {"body": "Ask *legal*."})
    note = RefinementNote.objects.get()
    assert response.url == reverse("backlog:item-detail", args=[item.key]) + f"#note-{note.pk}"
    assert note.author == developer


def test_notes_show_author_and_time_in_the_readers_time_zone_newest_last(client, po, product):
    item = make_item(product)
    services.add_refinement_note(item=item, by=po, body="First")
    second = services.add_refinement_note(item=item, by=po, body="Second")
    RefinementNote.objects.filter(pk=second.pk).update(
        created_at=datetime(2030, 1, 15, 12, 0, tzinfo=zoneinfo.ZoneInfo("UTC"))
    )
    po.time_zone = "Asia/Tokyo"
    po.save()
    client.force_login(po)
    html = client.get(reverse("backlog:item-detail", args=[item.key])).content.decode()
    assert html.index("First") < html.index("Second")
    assert "Paula Owner" in html
    assert "15 Jan 2030, 21:00 JST" in html


def test_an_empty_note_is_refused_on_the_page(client, po, product):
    item = make_item(product)
    client.force_login(po)
    response = client.post(reverse("backlog:item-note", args=[item.key]), {"body": "  "})
    assert response.status_code == 400
    assert not RefinementNote.objects.exists()


def test_a_stakeholder_cannot_add_a_note(client, stakeholder, product):
    item = make_item(product)
    client.force_login(stakeholder)
    assert client.post(reverse("backlog:item-note", args=[item.key]), {"body": "Hi"}).status_code == 403


def test_archive_takes_the_item_out_of_the_backlog(client, po, product):
    a, b = make_items(product, 2)
    client.force_login(po)
    response = client.post(reverse("backlog:item-archive", args=[a.key]))
    assert response.url == reverse("backlog:backlog", args=[product.key])
    assert list(selectors.backlog_items(product).values_list("key", flat=True)) == [b.key]


def test_the_archived_list_shows_archived_items_with_restore(client, po, product):
    a, b = make_items(product, 2)
    services.archive_item(item=a, by=po)
    client.force_login(po)
    html = client.get(reverse("backlog:archived", args=[product.key])).content.decode()
    assert a.key in html and f'aria-label="Restore {a.key}"' in html
    assert b.key not in html


def test_restore_puts_the_item_back_where_it_was(client, po, product):
    a, b, c = make_items(product, 3)
    services.archive_item(item=b, by=po)
    client.force_login(po)
    response = client.post(reverse("backlog:item-restore", args=[b.key]), {"next": "archived"})
    assert response.url == reverse("backlog:archived", args=[product.key])
    assert list(selectors.backlog_items(product).values_list("key", flat=True)) == [a.key, b.key, c.key]


@pytest.mark.parametrize("persona", ["developer", "stakeholder"])
@pytest.mark.parametrize("action", ["item-archive", "item-restore"])
def test_only_the_product_owner_archives_and_restores(client, product, persona, action, request):
    item = make_item(product)
    client.force_login(request.getfixturevalue(persona))
    assert client.post(reverse(f"backlog:{action}", args=[item.key])).status_code == 403


def test_a_stakeholder_sees_the_archived_list_without_restore(client, po, stakeholder, product):
    item = make_item(product)
    services.archive_item(item=item, by=po)
    client.force_login(stakeholder)
    html = client.get(reverse("backlog:archived", args=[product.key])).content.decode()
    assert item.key in html and "Restore</button>" not in html


def test_an_anonymous_visitor_is_sent_to_log_in_from_an_item(client, product):
    item = make_item(product)
    response = client.get(reverse("backlog:item-detail", args=[item.key]))
    assert response.status_code == 302 and "login" in response.url
