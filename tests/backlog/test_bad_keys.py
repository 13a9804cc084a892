"""Keys from URLs and forms are checked before they reach the database: a NUL byte or a
malformed key is a 404 (or a form error), never a 500 (PostgreSQL refuses NUL bytes)."""

import pytest
from django.test import Client

from tests.conftest import make_items


@pytest.fixture
def po_client(po, product):
    client = Client(raise_request_exception=False)
    client.force_login(po)
    return client


@pytest.mark.parametrize("url", ["/items/SHOP-1%00/", "/items/SHOP-x/", "/p/SH%00OP/", "/p/S/", "/p/SHOP-1/"])
def test_a_malformed_key_in_a_url_is_not_found(po_client, url):
    assert po_client.get(url).status_code == 404


def test_a_move_next_to_a_malformed_key_is_refused_with_a_message(po_client, product):
    first, second = make_items(product, 2)
    response = po_client.post(f"/items/{second.key}/move/", {"after": "SHOP-1\x00"})
    assert response.status_code in (302, 400)
    assert list(product.items.order_by("rank").values_list("key", flat=True)) == [first.key, second.key]
