"""Editing items: versions, field rules and slicing lineage."""

import pytest

from backlog import services
from backlog.models import HistoryEntry
from config.errors import InvalidInput, StaleVersion
from tests.conftest import make_item


def test_an_edit_bumps_the_version(product, po):
    item = make_item(product)
    item = services.update_item(item=item, by=po, changes={"title": "Sharper"}, expected_version=1)
    assert (item.title, item.version) == ("Sharper", 2)


def test_a_stale_edit_is_refused_with_the_current_item(product, po):
    item = make_item(product)
    services.update_item(item=item, by=po, changes={"title": "First"}, expected_version=1)
    with pytest.raises(StaleVersion) as excinfo:
        services.update_item(item=item, by=po, changes={"title": "Second"}, expected_version=1)
    assert excinfo.value.current.title == "First"


def test_a_developer_may_save_a_ready_item_without_changing_its_status(product, po, developer):
    item = make_item(product, status="ready")
    item = services.update_item(item=item, by=developer, changes={"title": "Clearer", "status": "ready"})
    assert item.title == "Clearer"


def test_a_developer_may_not_mark_an_item_ready(product, developer):
    item = make_item(product)
    with pytest.raises(InvalidInput) as excinfo:
        services.update_item(item=item, by=developer, changes={"status": "ready"})
    assert "status" in excinfo.value.fields


def test_an_item_cannot_become_the_parent_of_its_own_parent(product, po):
    epic = make_item(product, kind="epic")
    story = make_item(product, parent=epic)
    slice_ = make_item(product, parent=story)
    with pytest.raises(InvalidInput) as excinfo:
        services.update_item(item=epic, by=po, changes={"parent": slice_})
    assert "parent" in excinfo.value.fields


def test_an_item_cannot_be_its_own_parent(product, po):
    item = make_item(product)
    with pytest.raises(InvalidInput):
        services.update_item(item=item, by=po, changes={"parent": item})


def test_the_same_text_with_other_line_breaks_is_no_edit(product, po):
    """A form saved unchanged sends CRLF where the API stored LF: no new version, no history."""
    item = make_item(product, description="One\nTwo", why="Three\rFour")
    changes = {"description": "One\r\nTwo", "why": "Three\r\nFour"}
    item = services.update_item(item=item, by=po, changes=changes, expected_version=1)
    assert item.version == 1
    assert not HistoryEntry.objects.filter(item=item, event="backlog.item.updated").exists()


@pytest.mark.parametrize("labels", [["check,out"], ["ok", "a, b"]])
def test_a_label_with_a_comma_is_refused(product, po, labels):
    """The item form separates labels by commas: saving it would split such a label in two."""
    with pytest.raises(InvalidInput) as refused:
        services.create_item(product=product, by=po, title="Labelled", labels=labels)
    assert list(refused.value.fields) == ["labels"]
