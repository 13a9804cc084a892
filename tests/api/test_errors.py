"""Errors are JSON {"detail", "code", "fields"} everywhere, and no input is a 500: odd bodies,
odd paths, missing trailing slashes."""

import json

import pytest

from tests.api.conftest import item_url, items_url, member_url, product_url
from tests.conftest import make_item

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(product):
    return make_item(product, title="Pay by card")


def test_an_error_body_has_detail_code_and_fields(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": "", "kind": "saga"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert body["code"] == "invalid"
    assert set(body["fields"]) == {"title", "kind"}


def test_deeply_nested_json_is_a_400(as_user, po, product):
    body = "[" * 100_000 + "]" * 100_000
    response = as_user(po).post(items_url(), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


def test_deeply_nested_json_inside_an_object_is_a_400(as_user, po, item):
    body = '{"title": ' + "[" * 100_000 + "]" * 100_000 + "}"
    response = as_user(po).patch(item_url(item), body, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.parametrize("body", ["{", "{'title': 'x'}", '{"title": NaN}', "\xff\xfe", '{"title": "x"} trailing'])
def test_malformed_json_is_a_400(as_user, po, product, body):
    response = as_user(po).post(items_url(), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"


@pytest.mark.parametrize("body", ["[]", '[{"title": "x"}]', "42", '"title"', "null", "true"])
def test_a_json_body_that_is_not_an_object_is_a_400(as_user, po, product, body):
    response = as_user(po).post(items_url(), body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["code"] in {"invalid", "parse_error"}


@pytest.mark.parametrize("body", ["null", "[]", "[1]", "7"])
def test_a_patch_whose_body_is_not_an_object_is_a_400(as_user, po, item, body):
    response = as_user(po).patch(item_url(item), body, content_type="application/json")
    assert response.status_code == 400


def test_a_form_encoded_body_is_a_415(as_user, po, product):
    response = as_user(po).post(items_url(), "title=x", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


def test_a_text_body_is_a_415(as_user, po, product):
    response = as_user(po).post(items_url(), "hello", content_type="text/plain")
    assert response.status_code == 415


def test_a_nul_byte_in_a_string_is_a_400(as_user, po, product):
    response = as_user(po).post(items_url(), {"title": "a\x00b"}, format="json")
    assert response.status_code == 400
    assert "title" in response.json()["fields"]


@pytest.mark.parametrize(
    "body",
    ['{"title": "x", "kind": "half \\ud800 a pair"}', '{"title": "x", "half \\udc00 a pair": 1}'],
    ids=["quoted-in-a-message", "an-unknown-field-name"],
)
def test_a_lone_surrogate_quoted_back_in_an_error_is_a_400_not_a_500(as_user, po, product, body):
    """JSON can carry an unpaired surrogate; the 400 that quotes it must still render as UTF-8."""
    response = as_user(po).post(items_url(), body, content_type="application/json")
    assert response.status_code == 400
    assert "\ufffd" in json.dumps(response.json(), ensure_ascii=False)


def test_a_post_without_the_trailing_slash_works(as_user, po, product):
    response = as_user(po).post(items_url().rstrip("/"), {"title": "No slash"}, format="json")
    assert response.status_code == 201


def test_a_patch_without_the_trailing_slash_works(as_user, po, item):
    response = as_user(po).patch(item_url(item).rstrip("/"), {"title": "No slash"}, format="json")
    assert response.status_code == 200


def test_a_delete_without_the_trailing_slash_works(as_user, po, item):
    assert as_user(po).delete(item_url(item).rstrip("/")).status_code == 204


def test_a_move_without_the_trailing_slash_works(as_user, po, product, item):
    make_item(product)
    response = as_user(po).post(item_url(item, "move").rstrip("/"), {"position": 2}, format="json")
    assert response.status_code == 200


def test_a_get_without_the_trailing_slash_is_answered_not_redirected(as_user, po, product):
    assert as_user(po).get(product_url().rstrip("/")).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/nothing-here/",
        "/api/v1/items/SHOP/",
        "/api/v1/items/%00/",
        "/api/v1/items/SHOP-99999999999999999999/",
        "/api/v1/products/SHOP/members/99999999999999999999999/",
        "/api/v1/products/WAY-TOO-LONG-A-KEY/",
        "/api/v1/products/SHOP//",
    ],
)
def test_an_unknown_api_path_is_a_json_404(as_user, po, product, path):
    response = as_user(po).get(path)
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_an_unknown_api_path_is_a_401_for_anonymous_callers(api, db):
    assert api.get("/api/v1/nothing-here/").status_code == 401


def test_a_method_that_is_not_allowed_is_a_json_405(as_user, po, product):
    response = as_user(po).put(product_url(), {"name": "x"}, format="json")
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"


def test_a_member_id_that_is_not_a_number_is_a_404(as_user, po, product):
    assert as_user(po).get(member_url(po).replace(str(po.pk), "abc")).status_code == 404


def test_an_enormous_body_string_is_refused_by_the_service_not_the_database(as_user, po, item):
    response = as_user(po).patch(item_url(item), {"description": "x" * 30_000}, format="json")
    assert response.status_code == 400
    assert "description" in response.json()["fields"]


def test_a_body_with_unicode_is_fine(as_user, po, product):
    body = json.dumps({"title": "Zahlung per Karte 💳", "labels": ["zahlung"]})
    response = as_user(po).post(items_url(), body, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["title"] == "Zahlung per Karte 💳"


@pytest.mark.parametrize("accept", ["text/html,application/xhtml+xml", "application/xml"])
def test_an_anonymous_call_is_a_401_in_json_whatever_it_accepts(client, product, accept):
    """DRF negotiates before it authenticates: a browser's Accept header got 406, not 401."""
    response = client.get("/api/v1/products/", HTTP_ACCEPT=accept)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["code"] == "not_authenticated"


def test_a_member_asking_for_xml_gets_json(as_user, po, product):
    response = as_user(po).get(product_url(product.key), HTTP_ACCEPT="application/xml")
    assert response.status_code == 200 and response.json()["key"] == product.key
