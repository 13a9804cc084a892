"""/api/v1/items/{KEY}/: read with an ETag, edit with an optional If-Match (stale → 412 with the
item as it is now), archive with DELETE, restore."""

import pytest

from backlog import services
from backlog.models import Item
from tests.api.conftest import item_url
from tests.conftest import make_item, make_items

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(product):
    return make_item(product, title="Pay by card")


def test_an_item_is_read_with_its_version_as_a_strong_etag(as_user, stakeholder, item):
    response = as_user(stakeholder).get(item_url(item))
    assert response.status_code == 200
    assert response.headers["ETag"] == '"1"'
    assert response.json()["version"] == 1
    assert response.json()["position"] == 1


def test_the_key_is_matched_in_any_capitalisation(as_user, po, item):
    assert as_user(po).get(item_url("shop-1")).status_code == 200


def test_an_outsider_gets_a_404_for_an_item(as_user, outsider, item):
    assert as_user(outsider).get(item_url(item)).status_code == 404


def test_an_unknown_item_is_a_404(as_user, po, product):
    assert as_user(po).get(item_url("SHOP-999")).status_code == 404


def test_an_edit_without_if_match_is_accepted_and_bumps_the_version(as_user, developer, item):
    response = as_user(developer).patch(item_url(item), {"title": "Pay by card or PayPal"}, format="json")
    assert response.status_code == 200
    assert response.json()["version"] == 2
    assert response.headers["ETag"] == '"2"'


def test_an_edit_with_the_current_etag_is_accepted(as_user, po, item):
    response = as_user(po).patch(item_url(item), {"estimate": 8}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 200
    assert response.json()["estimate"] == 8


def test_an_edit_with_a_stale_etag_is_a_412_with_the_current_item(as_user, po, item):
    services.update_item(item=item, by=po, changes={"title": "Changed meanwhile"})
    response = as_user(po).patch(item_url(item), {"title": "Mine"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412
    body = response.json()
    assert body["code"] == "stale_version"
    assert body["detail"]
    assert (body["title"], body["version"], body["key"]) == ("Changed meanwhile", 2, item.key)
    assert response.headers["ETag"] == '"2"'
    assert Item.objects.get(pk=item.pk).title == "Changed meanwhile"


def test_a_weak_etag_never_matches(as_user, po, item):
    response = as_user(po).patch(item_url(item), {"title": "Mine"}, format="json", HTTP_IF_MATCH='W/"1"')
    assert response.status_code == 412


def test_a_list_of_etags_matches_if_one_does(as_user, po, item):
    response = as_user(po).patch(item_url(item), {"title": "Mine"}, format="json", HTTP_IF_MATCH='"7", "1"')
    assert response.status_code == 200


def test_if_match_star_accepts_any_version(as_user, po, item):
    services.update_item(item=item, by=po, changes={"title": "Changed"})
    assert as_user(po).patch(item_url(item), {"title": "Mine"}, format="json", HTTP_IF_MATCH="*").status_code == 200


@pytest.mark.parametrize("header", ["1", "abc", '"1', "", '"1" junk'])
def test_a_malformed_if_match_is_a_400_naming_it(as_user, po, item, header):
    response = as_user(po).patch(item_url(item), {"title": "Mine"}, format="json", HTTP_IF_MATCH=header)
    assert response.status_code == 400
    assert "If-Match" in response.json()["fields"]


def test_a_stakeholder_with_a_stale_etag_and_bad_fields_gets_a_403(as_user, po, stakeholder, item):
    services.update_item(item=item, by=po, changes={"title": "Changed"})
    response = as_user(stakeholder).patch(item_url(item), {"colour": "red"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 403


def test_a_product_owner_with_a_stale_etag_and_bad_fields_gets_a_412(as_user, po, item):
    services.update_item(item=item, by=po, changes={"title": "Changed"})
    response = as_user(po).patch(item_url(item), {"colour": "red"}, format="json", HTTP_IF_MATCH='"1"')
    assert response.status_code == 412


def test_an_outsider_with_a_stale_etag_gets_a_404(as_user, outsider, item):
    response = as_user(outsider).patch(item_url(item), {"title": "x"}, format="json", HTTP_IF_MATCH='"9"')
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"colour": "red"}, "colour"),
        ({"key": "SHOP-9"}, "key"),
        ({"position": 1}, "position"),
        ({"title": None}, "title"),
        ({"estimate": 1.5}, "estimate"),
        ({"estimate": True}, "estimate"),
        ({"labels": [["nested"]]}, "labels"),
        ({"status": "finished"}, "status"),
    ],
)
def test_bad_fields_in_an_edit_are_a_400_naming_them(as_user, po, item, body, field):
    response = as_user(po).patch(item_url(item), body, format="json")
    assert response.status_code == 400
    # A list element is named with its index: "labels.0".
    assert field in {name.split(".")[0] for name in response.json()["fields"]}


def test_a_developer_may_not_mark_an_item_ready(as_user, developer, item):
    response = as_user(developer).patch(item_url(item), {"status": "ready"}, format="json")
    assert response.status_code == 400
    assert "status" in response.json()["fields"]


def test_an_item_may_not_be_its_own_parent(as_user, po, item):
    response = as_user(po).patch(item_url(item), {"parent": item.key}, format="json")
    assert response.status_code == 400
    assert "parent" in response.json()["fields"]


def test_labels_and_parent_can_be_set_and_cleared(as_user, po, product, item):
    epic = make_item(product, title="Epic", kind="epic")
    client = as_user(po)
    body = client.patch(item_url(item), {"labels": ["web", "pay"], "parent": epic.key}, format="json").json()
    assert (body["labels"], body["parent"]) == (["pay", "web"], epic.key)
    body = client.patch(item_url(item), {"labels": [], "parent": None}, format="json").json()
    assert (body["labels"], body["parent"]) == ([], None)


def test_a_stakeholder_may_not_edit(as_user, stakeholder, item):
    assert as_user(stakeholder).patch(item_url(item), {"title": "x"}, format="json").status_code == 403


def test_delete_archives_and_answers_204(as_user, po, item):
    client = as_user(po)
    assert client.delete(item_url(item)).status_code == 204
    body = client.get(item_url(item)).json()
    assert body["archived_at"] is not None
    assert body["position"] is None


def test_deleting_an_archived_item_again_is_harmless(as_user, po, item):
    client = as_user(po)
    client.delete(item_url(item))
    assert client.delete(item_url(item)).status_code == 204


@pytest.mark.parametrize("persona", ["scrum_master", "developer", "stakeholder"])
def test_only_the_product_owner_archives(request, as_user, item, persona):
    user = request.getfixturevalue(persona)
    assert as_user(user).delete(item_url(item)).status_code == 403
    assert Item.objects.get(pk=item.pk).archived_at is None


def test_an_outsider_deleting_gets_a_404(as_user, outsider, item):
    assert as_user(outsider).delete(item_url(item)).status_code == 404


def test_editing_an_archived_item_is_a_400(as_user, po, item):
    services.archive_item(item=item, by=po)
    response = as_user(po).patch(item_url(item), {"title": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["code"] == "archived"


def test_restore_puts_the_item_back_where_it_was(as_user, po, product):
    a, b, c = make_items(product, 3)
    services.archive_item(item=b, by=po)
    response = as_user(po).post(item_url(b, "restore"))
    assert response.status_code == 200
    assert response.json()["position"] == 2
    assert response.json()["archived_at"] is None
    assert response.headers["ETag"] == '"1"'


def test_a_developer_may_not_restore(as_user, po, developer, item):
    services.archive_item(item=item, by=po)
    assert as_user(developer).post(item_url(item, "restore")).status_code == 403


def test_restore_takes_no_fields(as_user, po, item):
    services.archive_item(item=item, by=po)
    response = as_user(po).post(item_url(item, "restore"), {"title": "x"}, format="json")
    assert response.status_code == 400
    assert response.json()["fields"] == {"title": ["Unknown field."]}
