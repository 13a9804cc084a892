"""Moving items: one row written, exact order, version untouched."""

import pytest

from backlog import selectors, services
from backlog.models import Item
from config.errors import Forbidden, InvalidInput
from tests.conftest import make_items


def keys(product):
    return list(selectors.backlog_items(product).values_list("key", flat=True))


def test_it_moves_an_item_below_another(product, po):
    a, b, c = make_items(product, 3)
    services.move_item(item=c, by=po, after=a)
    assert keys(product) == [a.key, c.key, b.key]


def test_it_moves_an_item_above_another(product, po):
    a, b, c = make_items(product, 3)
    services.move_item(item=c, by=po, before=a)
    assert keys(product) == [c.key, a.key, b.key]


@pytest.mark.parametrize(("position", "expected"), [(1, [2, 0, 1]), (2, [0, 2, 1]), (3, [0, 1, 2]), (99, [0, 1, 2])])
def test_it_moves_an_item_to_a_position(product, po, position, expected):
    items = make_items(product, 3)
    services.move_item(item=items[2], by=po, position=position)
    assert keys(product) == [items[i].key for i in expected]


def test_a_move_keeps_the_version(product, po):
    a, b = make_items(product, 2)
    services.move_item(item=b, by=po, position=1)
    b.refresh_from_db()
    assert b.version == 1


def test_a_position_below_one_is_refused(product, po):
    a, b = make_items(product, 2)
    with pytest.raises(InvalidInput) as excinfo:
        services.move_item(item=b, by=po, position=0)
    assert "position" in excinfo.value.fields


def test_a_move_next_to_itself_or_an_archived_item_is_refused_alike(product, po):
    a, b, c = make_items(product, 3)
    services.archive_item(item=c, by=po)
    c.refresh_from_db()
    with pytest.raises(InvalidInput) as itself:
        services.move_item(item=b, by=po, after=b)
    with pytest.raises(InvalidInput) as archived:
        services.move_item(item=b, by=po, after=c)
    assert itself.value.message == archived.value.message


def test_a_developer_cannot_move(product, developer):
    a, b = make_items(product, 2)
    with pytest.raises(Forbidden):
        services.move_item(item=b, by=developer, position=1)


def test_restore_puts_an_archived_item_back_where_it_was(product, po):
    a, b, c = make_items(product, 3)
    services.archive_item(item=b, by=po)
    services.move_item(item=c, by=po, position=1)
    services.restore_item(item=b, by=po)
    assert keys(product) == [c.key, a.key, b.key]


def test_moves_into_the_same_gap_respace_and_keep_the_order(product, po):
    items = make_items(product, 30)
    model = [item.key for item in items]
    for n in range(400):
        item = items[(n * 7) % 28 + 2]
        services.move_item(item=item, by=po, position=2)
        model.remove(item.key)
        model.insert(1, item.key)
    assert keys(product) == model
    ranks = list(Item.objects.filter(product=product).values_list("rank", flat=True))
    assert max(map(len, ranks)) <= 48
