"""The backlog page: order, positions, filters, "show more", move forms with and without htmx."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from backlog import ranking, selectors, services
from backlog.models import Item, Label
from tests.conftest import make_item, make_items

HTMX = {"HTTP_HX_REQUEST": "true"}


def page(client, user, product, **params):
    client.force_login(user)
    return client.get(reverse("backlog:backlog", args=[product.key]), params)


def keys_in(html: str) -> list[str]:
    return re.findall(r'<tr id="item-[^"]+" data-key="([^"]+)"', html)


def positions_in(html: str) -> list[int]:
    return [int(p) for p in re.findall(r'<td class="num pos">(\d+)</td>', html)]


def running_in(html: str) -> list[int]:
    return [int(p) for p in re.findall(r'<td class="num running">(\d+)</td>', html)]


def order(product) -> list[str]:
    return list(selectors.backlog_items(product).values_list("key", flat=True))


def move(client, user, item, *, htmx=False, **data):
    client.force_login(user)
    return client.post(reverse("backlog:item-move", args=[item.key]), data, **(HTMX if htmx else {}))


def bulk_items(product, count: int) -> None:
    """Many items quickly (the query-count test needs 1,000), labelled like real ones."""
    start = product.items.count()
    last = product.items.order_by("-rank").values_list("rank", flat=True).first()
    ranks = []
    for _ in range(count):
        last = ranking.rank_between(last, None)
        ranks.append(last)
    Item.objects.bulk_create(
        Item(
            product=product,
            number=start + n,
            key=f"{product.key}-{start + n}",
            title=f"Bulk {n}",
            rank=rank,
            estimate=3,
        )
        for n, rank in enumerate(ranks, start=1)
    )
    label, _ = Label.objects.get_or_create(product=product, name="bulk")
    label.items.add(*Item.objects.filter(product=product, number__gt=start))


def test_the_page_lists_items_in_backlog_order_with_positions(client, po, product):
    a, b, c = make_items(product, 3)
    services.move_item(item=c, by=po, position=1)
    html = page(client, po, product).content.decode()
    assert keys_in(html) == [c.key, a.key, b.key]
    assert positions_in(html) == [1, 2, 3]


def test_the_header_shows_item_count_points_and_ready_points(client, po, product):
    make_item(product, estimate=5, status="ready")
    make_item(product, estimate=3)
    make_item(product)
    html = page(client, po, product).content.decode()
    assert re.search(r"<dt>Items</dt><dd>3</dd>", html)
    assert re.search(r"<dt>Points</dt><dd>8</dd>", html)
    assert re.search(r"<dt>Ready</dt><dd>5 ", html)


def test_running_totals_add_up_estimates_and_skip_unestimated_items(client, po, product):
    make_item(product, estimate=5)
    make_item(product)
    make_item(product, estimate=8)
    html = page(client, po, product).content.decode()
    assert running_in(html) == [5, 5, 13]


def test_an_unestimated_item_shows_a_visible_dash(client, po, product):
    make_item(product)
    html = page(client, po, product).content.decode()
    assert '<span aria-hidden="true">–</span><span class="visually-hidden">not estimated</span>' in html


def test_a_status_filter_keeps_backlog_order_and_whole_backlog_positions(client, po, product):
    a = make_item(product, status="ready", estimate=2)
    make_item(product, estimate=3)
    c = make_item(product, status="ready", estimate=5)
    services.move_item(item=c, by=po, position=1)
    html = page(client, po, product, status="ready").content.decode()
    assert keys_in(html) == [c.key, a.key]
    assert positions_in(html) == [1, 2]
    assert running_in(html) == [5, 7]


def test_a_filtered_row_keeps_its_position_in_the_whole_backlog(client, po, product):
    make_item(product, estimate=1)
    make_item(product, estimate=2)
    bug = make_item(product, kind="bug", estimate=3)
    html = page(client, po, product, kind="bug").content.decode()
    assert keys_in(html) == [bug.key]
    assert positions_in(html) == [3]
    assert running_in(html) == [6]


def test_label_and_text_filters_keep_backlog_order(client, po, product):
    a = make_item(product, title="Pay by card", labels=["checkout"])
    make_item(product, title="Pay by card again")
    c = make_item(product, title="Refund by card", labels=["checkout"])
    services.move_item(item=c, by=po, position=1)
    assert keys_in(page(client, po, product, label="checkout").content.decode()) == [c.key, a.key]
    assert keys_in(page(client, po, product, q="refund").content.decode()) == [c.key]


def test_the_page_shows_the_first_100_items_and_a_show_more_link(client, po, product):
    bulk_items(product, 150)
    html = page(client, po, product).content.decode()
    assert len(keys_in(html)) == 100
    assert 'href="?show=200"' in html
    assert "Showing 100 of 150" in html


def test_show_more_with_htmx_returns_only_the_next_rows(client, po, product):
    bulk_items(product, 150)
    client.force_login(po)
    response = client.get(reverse("backlog:backlog", args=[product.key]), {"offset": 100}, **HTMX)
    html = response.content.decode()
    assert "<html" not in html
    assert positions_in(html) == list(range(101, 151))
    assert running_in(html)[0] == 303
    assert "Show more" not in html


def test_show_more_without_javascript_loads_a_longer_page(client, po, product):
    bulk_items(product, 150)
    html = page(client, po, product, show=200).content.decode()
    assert len(keys_in(html)) == 150


def test_a_product_owner_sees_move_controls_named_for_each_item(client, po, product):
    item = make_item(product)
    html = page(client, po, product).content.decode()
    for label in ("up", "down", "to the top", "to the bottom", "to this position"):
        assert f'aria-label="Move {item.key} {label}"' in html
    assert 'draggable="true"' in html


@pytest.mark.parametrize("persona", ["stakeholder", "developer", "scrum_master"])
def test_other_roles_see_the_order_but_no_move_controls(client, product, persona, request):
    item = make_item(product)
    html = page(client, request.getfixturevalue(persona), product).content.decode()
    assert keys_in(html) == [item.key]
    assert "data-move" not in html
    assert 'draggable="true"' not in html


def test_an_outsider_gets_404(client, outsider, product):
    assert page(client, outsider, product).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, product):
    response = client.get(reverse("backlog:backlog", args=[product.key]))
    assert response.status_code == 302
    assert "login" in response.url


def count_queries(client, url, params) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, params).status_code == 200
    return len(queries)


@pytest.mark.parametrize("params", [{}, {"status": "new", "label": "bulk", "q": "Bulk"}], ids=["all", "filtered"])
def test_the_page_runs_the_same_number_of_queries_for_10_and_1000_items(client, po, product, params):
    bulk_items(product, 10)
    client.force_login(po)
    url = reverse("backlog:backlog", args=[product.key])
    few = count_queries(client, url, params)
    bulk_items(product, 990)
    assert count_queries(client, url, params) == few


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"to": "up"}, [0, 2, 1, 3]),
        ({"to": "down"}, [0, 1, 3, 2]),
        ({"to": "top"}, [2, 0, 1, 3]),
        ({"to": "bottom"}, [0, 1, 3, 2]),
        ({"position": "2"}, [0, 2, 1, 3]),
        ({"position": "999999999999999999999"}, [0, 1, 3, 2]),
        ({"after": "SHOP-1"}, [0, 2, 1, 3]),
        ({"before": "SHOP-1"}, [2, 0, 1, 3]),
    ],
)
def test_a_move_form_moves_the_item_where_it_says(client, po, product, data, expected):
    items = make_items(product, 4)
    move(client, po, items[2], **data)
    assert order(product) == [items[i].key for i in expected]


def test_a_move_without_javascript_redirects_to_the_backlog_with_a_message(client, po, product):
    a, b, c = make_items(product, 3)
    response = move(client, po, c, to="top", back="status=new")
    assert response.status_code == 302
    assert response.url == reverse("backlog:backlog", args=[product.key]) + f"?status=new#item-{c.key}"
    html = client.get(response.url).content.decode()
    assert f"{c.key} moved to position 1 of 3." in html
    assert 'aria-label="Undo: move SHOP-3 back to position 3"' in html


def test_the_undo_after_a_no_js_move_shows_only_once(client, po, product):
    a, b = make_items(product, 2)
    move(client, po, b, to="top")
    url = reverse("backlog:backlog", args=[product.key])
    assert "Undo" in client.get(url).content.decode()
    assert "Undo" not in client.get(url).content.decode()


def test_an_htmx_move_returns_every_loaded_row_and_the_announcement(client, po, product):
    items = make_items(product, 5)
    response = move(client, po, items[4], htmx=True, to="top", shown="5")
    html = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in html
    assert keys_in(html) == [items[i].key for i in (4, 0, 1, 2, 3)]
    assert positions_in(html) == [1, 2, 3, 4, 5]
    assert '<div id="move-status" hx-swap-oob="innerHTML">' in html
    assert "SHOP-5 moved to position 1 of 5." in html
    assert 'name="position" value="5"' in html  # the Undo puts it back at 5


def test_an_htmx_move_renders_as_many_rows_as_the_browser_has_loaded(client, po, product):
    bulk_items(product, 250)
    item = Item.objects.get(key="SHOP-250")
    html = move(client, po, item, htmx=True, to="top", shown="200").content.decode()
    assert len(keys_in(html)) == 200
    assert keys_in(html)[0] == "SHOP-250"


def test_undo_moves_the_item_back_and_is_announced(client, po, product):
    items = make_items(product, 4)
    move(client, po, items[3], htmx=True, to="top")
    html = move(client, po, items[3], htmx=True, position="4", undo="1").content.decode()
    assert order(product) == [item.key for item in items]
    assert "SHOP-4 moved back to position 4 of 4." in html


def test_move_up_under_a_filter_passes_the_rows_the_filter_hides(client, po, product):
    make_item(product, kind="bug")
    make_item(product)
    make_item(product)
    d = make_item(product, kind="bug")
    move(client, po, d, to="up", back="kind=bug")
    assert order(product)[0] == d.key


def test_moving_the_first_item_up_changes_nothing_and_says_so(client, po, product):
    a, b = make_items(product, 2)
    html = move(client, po, a, htmx=True, to="up").content.decode()
    assert order(product) == [a.key, b.key]
    assert "SHOP-1 stays at position 1 of 2." in html
    assert "Undo" not in html


def test_a_position_below_one_is_announced_and_not_applied(client, po, product):
    a, b = make_items(product, 2)
    html = move(client, po, b, htmx=True, position="0").content.decode()
    assert order(product) == [a.key, b.key]
    assert "SHOP-2 was not moved: Positions start at 1." in html


def test_a_move_next_to_an_archived_item_is_refused(client, po, product):
    a, b, c = make_items(product, 3)
    services.archive_item(item=a, by=po)
    response = move(client, po, c, before=a.key)
    assert order(product) == [b.key, c.key]
    assert "was not moved" in client.get(response.url).content.decode()


@pytest.mark.parametrize("persona", ["developer", "stakeholder", "scrum_master"])
def test_a_move_by_anyone_but_the_product_owner_is_403(client, product, persona, request):
    a, b = make_items(product, 2)
    response = move(client, request.getfixturevalue(persona), b, to="top")
    assert response.status_code == 403
    assert order(product) == [a.key, b.key]


def test_a_move_by_an_outsider_is_404(client, outsider, product):
    a, b = make_items(product, 2)
    assert move(client, outsider, b, to="top").status_code == 404


def test_a_move_is_post_only(client, po, product):
    item = make_item(product)
    client.force_login(po)
    assert client.get(reverse("backlog:item-move", args=[item.key])).status_code == 405


def test_item_links_made_by_the_filter_are_the_reversed_urls(db):
    """`item_url` caches the reversed pattern; what it gives must be what {% url %} gives,
    under a script prefix too (Ordo mounted below a path)."""
    from django.urls import reverse, set_script_prefix

    from backlog.templatetags.ordo import item_url

    for name in ("detail", "move", "edit", "archive"):
        assert item_url("SHOP-42", name) == reverse(f"backlog:item-{name}", args=["SHOP-42"])
    set_script_prefix("/ordo/")
    try:
        assert item_url("SHOP-7", "detail") == "/ordo/items/SHOP-7/" == reverse("backlog:item-detail", args=["SHOP-7"])
    finally:
        set_script_prefix("/")
