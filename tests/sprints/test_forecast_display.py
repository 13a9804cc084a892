"""The forecast on the backlog and item pages, through the backlog's extension points."""

import datetime
import re
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from backlog import ranking, services
from backlog.models import Item
from sprints.forecast_display import forecast_item, forecast_position
from sprints.models import Sprint
from tests.conftest import make_item

HTMX = {"HTTP_HX_REQUEST": "true"}
LAST_END = datetime.date(2025, 2, 9)  # Sprint 3; sprints are two weeks long


def closed_sprint(product, number: int, completed: int, *, end: datetime.date) -> Sprint:
    """A closed sprint made directly, with only the frozen numbers the forecast reads."""
    return Sprint.objects.create(
        product=product,
        number=number,
        start_date=end - datetime.timedelta(days=13),
        end_date=end,
        goal=f"Goal {number}",
        status=Sprint.Status.CLOSED,
        closed_at=timezone.now(),
        outcome={"committed_points": completed, "completed_points": completed, "done": [], "not_done": []},
    )


def history(product, velocities=(20, 20, 20)) -> None:
    """Closed sprints 1…n completing these points, the last one ending LAST_END."""
    count = len(velocities)
    for number, completed in enumerate(velocities, start=1):
        closed_sprint(product, number, completed, end=LAST_END - datetime.timedelta(days=14 * (count - number)))


def bulk_items(product, count: int, estimate: int | None = 5) -> list[Item]:
    """Many items quickly, at the bottom of the backlog, all of the same size."""
    start = product.items.count()
    last = product.items.order_by("-rank").values_list("rank", flat=True).first()
    items = []
    for n in range(start + 1, start + count + 1):
        last = ranking.rank_between(last, None)
        items.append(
            Item(product=product, number=n, key=f"{product.key}-{n}", title=f"Item {n}", rank=last, estimate=estimate)
        )
    Item.objects.bulk_create(items)
    product.last_item_number = start + count
    product.save(update_fields=["last_item_number"])
    return list(Item.objects.filter(product=product).order_by("rank"))


def backlog_page(client, user, product, **params):
    client.force_login(user)
    return client.get(reverse("backlog:backlog", args=[product.key]), params)


def item_page(client, user, item):
    client.force_login(user)
    return client.get(reverse("backlog:item-detail", args=[item.key]))


def markers_in(html: str) -> dict[str, str]:
    """Item key → the marker text shown in its row."""
    found = {}
    for key, body in re.findall(r'<tr id="item-[^"]+" data-key="([^"]+)"(.*?)</tr>', html, flags=re.S):
        marker = re.search(r'class="row-marker forecast-marker[^"]*"[^>]*>([^<]+)</span>', body)
        if marker:
            found[key] = marker.group(1)
    return found


def test_the_backlog_marks_each_row_where_the_85_percent_sprint_changes(client, po, product):
    """20 points a sprint and 5-point items: 4 items a sprint, Sprint 4 ends 23 Feb."""
    history(product)
    bulk_items(product, 10)
    html = backlog_page(client, po, product).content.decode()
    assert markers_in(html) == {
        "SHOP-1": "85% likely done by Sprint 4, 23 Feb",
        "SHOP-5": "85% likely done by Sprint 5, 9 Mar",
        "SHOP-9": "85% likely done by Sprint 6, 23 Mar",
    }


def test_a_marker_names_all_three_likelihoods_in_its_title(client, po, product):
    history(product)
    bulk_items(product, 2)
    html = backlog_page(client, po, product).content.decode()
    assert 'title="50% by Sprint 4 (23 Feb) · 85% by Sprint 4 (23 Feb) · 95% by Sprint 4 (23 Feb)"' in html


def test_the_backlog_panel_says_how_much_history_the_forecast_rests_on(client, po, product):
    history(product, (18, 22, 20, 21))
    bulk_items(product, 3)
    html = backlog_page(client, po, product).content.decode()
    assert "Rests on the completed points of the last 4 closed sprints" in html
    assert "a short history, so the forecast is wide on purpose" in html
    assert "a sensible date to plan around" in html


FALLING = (24, 23, 23, 22, 21, 20, 19, 20, 18, 17)  # about −0.75 points a sprint, clearly


def test_the_pages_say_when_the_velocity_has_clearly_been_falling(client, po, product):
    history(product, FALLING)
    items = bulk_items(product, 3)
    said = "Velocity has been falling by about 0.7 points a sprint, so the forecast leans later"
    advice = "If it keeps falling at this rate, plan by the 95% line."
    for html in (backlog_page(client, po, product).content.decode(), item_page(client, po, items[2]).content.decode()):
        assert said in html
        assert advice in html


def test_a_rising_velocity_is_named_without_the_advice_for_a_fall(client, po, product):
    history(product, tuple(reversed(FALLING)))
    items = bulk_items(product, 3)
    html = item_page(client, po, items[2]).content.decode()
    assert "Velocity has been rising by about 0.7 points a sprint, so the forecast leans earlier" in html
    assert "plan by the 95% line" not in html


def test_the_pages_say_nothing_of_a_trend_the_history_does_not_show(client, po, product):
    history(product, (20, 23, 18, 22, 17, 24, 19, 21, 23, 20))  # the same values, in no order
    items = bulk_items(product, 3)
    assert "Velocity has been" not in backlog_page(client, po, product).content.decode()
    assert "Velocity has been" not in item_page(client, po, items[2]).content.decode()


def test_with_fewer_than_three_closed_sprints_the_backlog_says_there_is_not_enough_history(client, po, product):
    history(product, (20, 20))
    bulk_items(product, 5)
    html = backlog_page(client, po, product).content.decode()
    assert "Not enough history yet: forecasts start after 3 closed sprints (2 so far)." in html
    assert markers_in(html) == {}


def test_a_product_without_sprints_says_there_is_not_enough_history(client, po, product):
    bulk_items(product, 2)
    html = backlog_page(client, po, product).content.decode()
    assert "Not enough history yet: forecasts start after 3 closed sprints." in html


def test_done_and_discarded_items_add_no_work_and_get_no_marker(client, po, product):
    history(product)
    items = bulk_items(product, 6)
    Item.objects.filter(pk__in=[items[0].pk, items[1].pk]).update(status=Item.Status.DONE)
    Item.objects.filter(pk=items[2].pk).update(status=Item.Status.DISCARDED)
    html = backlog_page(client, po, product).content.decode()
    # Items 4–6 are the first 15 points of remaining work: all in Sprint 4.
    assert markers_in(html) == {"SHOP-4": "85% likely done by Sprint 4, 23 Feb"}


def test_unestimated_items_count_at_the_median_and_their_marker_is_flagged(client, po, product):
    history(product)
    bulk_items(product, 3)  # 5 points each: the median is 5
    bulk_items(product, 2, estimate=None)  # items 4–5 count 5 points each
    html = backlog_page(client, po, product).content.decode()
    assert markers_in(html) == {
        "SHOP-1": "85% likely done by Sprint 4, 23 Feb",
        "SHOP-5": "85% likely done by Sprint 5, 9 Mar (incl. 2 unestimated)",
    }
    assert 'class="row-marker forecast-marker has-unestimated"' in html
    # Not only in a tooltip: the other lines and the count, as text a screen reader reads.
    hidden = re.search(r'data-key="SHOP-5".*?<span class="visually-hidden">([^<]+)</span>', html, flags=re.S)
    assert hidden and "50% by Sprint" in hidden.group(1) and "95% by Sprint" in hidden.group(1)
    assert "Counts 2 unestimated items at the median estimate, 5 points each." in hidden.group(1)


def test_a_filtered_backlog_marks_rows_by_the_whole_backlog_above_them(client, po, product):
    history(product)
    items = bulk_items(product, 10)
    Item.objects.filter(pk__in=[items[2].pk, items[5].pk]).update(kind=Item.Kind.BUG)
    html = backlog_page(client, po, product, kind="bug").content.decode()
    # SHOP-3 (15 points down) and SHOP-6 (30 points down) fall in Sprints 4 and 5.
    assert markers_in(html) == {
        "SHOP-3": "85% likely done by Sprint 4, 23 Feb",
        "SHOP-6": "85% likely done by Sprint 5, 9 Mar",
    }


def test_show_more_continues_the_markers_from_the_rows_above(client, po, product):
    """Rows 103–120 (5 points each, 4 a sprint): row 103 is mid-sprint, 105 starts Sprint 30."""
    history(product)
    bulk_items(product, 120)
    client.force_login(po)
    response = client.get(reverse("backlog:backlog", args=[product.key]), {"offset": 102}, **HTMX)
    markers = markers_in(response.content.decode())
    assert "SHOP-103" not in markers
    assert markers["SHOP-105"].startswith("85% likely done by Sprint 30,")


def test_the_item_page_shows_the_three_likelihoods(client, po, product):
    history(product)
    items = bulk_items(product, 6)
    html = item_page(client, po, items[5]).content.decode()
    assert "50% by Sprint 5 (9 Mar) · 85% by Sprint 5 (9 Mar) · 95% by Sprint 5 (9 Mar)" in re.sub(r"<[^>]+>", "", html)
    assert "30 points of remaining work. Rests on 3 closed sprints." in html


def test_the_item_page_flags_unestimated_items_above(client, po, product):
    history(product)
    bulk_items(product, 3, estimate=8)
    items = bulk_items(product, 1, estimate=None)
    html = item_page(client, po, items[3]).content.decode()
    assert "Counts 1 unestimated item at the median estimate, 8 points each." in html


def test_the_item_page_says_there_is_not_enough_history(client, po, product):
    history(product, (20, 20))
    item = make_item(product, estimate=3)
    html = item_page(client, po, item).content.decode()
    assert "Not enough history yet: forecasts start after 3 closed sprints (2 so far)." in html


def test_a_done_item_gets_no_forecast(client, po, product):
    history(product)
    item = make_item(product, estimate=3, status="done")
    html = item_page(client, po, item).content.decode()
    assert "Done: nothing left to forecast." in html
    assert "85% by" not in html


def test_an_archived_item_gets_no_forecast(client, po, product):
    history(product)
    item = make_item(product, estimate=3)
    services.archive_item(item=item, by=po)
    html = item_page(client, po, Item.objects.get(pk=item.pk)).content.decode()
    assert 'id="forecast-heading"' not in html
    assert forecast_item(Item.objects.get(pk=item.pk)).state == "archived"


def test_forecast_by_position_answers_for_the_item_there(product):
    history(product)
    bulk_items(product, 6)
    result = forecast_position(product, 6)
    assert result.state == "forecast"
    assert [line.sprint_number for line in result.forecast.lines] == [5, 5, 5]
    assert forecast_position(product, 7) is None


@pytest.mark.parametrize("pages", ["backlog", "item"])
def test_the_pages_stay_within_a_constant_number_of_queries_with_the_forecast_on(client, po, product, pages):
    history(product, (18, 25, 20, 14))
    items = bulk_items(product, 10)
    client.force_login(po)

    def queries(url) -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        return len(captured)

    def url(item):
        return (
            reverse("backlog:backlog", args=[product.key])
            if pages == "backlog"
            else reverse("backlog:item-detail", args=[item.key])
        )

    small = queries(url(items[-1]))
    items = bulk_items(product, 190)
    assert queries(url(items[-1])) == small


def test_with_history_the_forecast_adds_one_query_for_the_work_above_the_first_row(client, po, product):
    """Without history the velocity read is all; with it, one more reads the estimates."""
    bulk_items(product, 10)
    client.force_login(po)
    url = reverse("backlog:backlog", args=[product.key])
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    history(product)
    with CaptureQueriesContext(connection) as with_forecast:
        assert "85% likely done" in client.get(url).content.decode()
    assert len(with_forecast) == len(without) + 1


BACKLOG_TEMPLATES = Path(__file__).resolve().parents[2] / "backlog" / "templates" / "backlog"
EXTENDED_PAGES = (
    "backlog.html",
    "_backlog_table.html",
    "_backlog_rows.html",
    "_item_row.html",
    "_move_response.html",
    "item_detail.html",
)


def test_the_pages_with_extension_points_do_not_mention_sprints_or_forecasts():
    """The extension points are generic: the backlog and item pages never name what fills them."""
    for name in EXTENDED_PAGES:
        source = (BACKLOG_TEMPLATES / name).read_text().lower()
        assert "sprint" not in source, name
        assert "forecast" not in source, name


def test_no_backlog_template_links_to_or_includes_a_sprints_template():
    for template in BACKLOG_TEMPLATES.glob("*.html"):
        source = template.read_text()
        assert not re.search(r"""\{%\s*(url\s+['"]sprints:|include\s+['"]sprints/)""", source), template.name
