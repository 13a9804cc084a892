"""Whatever bytes a path under /api/v1/ carries, a miss is the API's JSON 404, never the HTML page:
newlines and carriage returns (which `.` in a regex does not match), NUL, encoded slashes,
invalid UTF-8 and look-alike Unicode, next to routes that exist."""

import pytest

from tests.conftest import make_item

pytestmark = pytest.mark.django_db

ODD_PATHS = [
    "/api/v1/%0A",
    "/api/v1/%0A/",
    "/api/v1/%0D%0A",
    "/api/v1/%0A/products/",
    "/api/v1/products/SHOP%0A/",
    "/api/v1/products/SHOP%0A",
    "/api/v1/products/SHOP/%0D%0A",
    "/api/v1/products/SHOP/items/%0A",
    "/api/v1/items/SHOP-1%0A/",
    "/api/v1/items/SHOP-1%0a/notes/",
    "/api/v1/items/SHOP-1/%0A",
    "/api/v1/items/SHOP-1%0D/",
    "/api/v1/items/SHOP-1%00/",
    "/api/v1/items/SHOP-1%2F%0A/",
    "/api/v1/items/SHOP-1%2F..%2F..%2Fproducts/",
    "/api/v1/sprints/1%0A/",
    "/api/v1/schema/%0A",
    "/api/v1/auth/token/%0A",
    "/api/v1/%ff%fe/",
    "/api/v1/products/%EF%BC%B3HOP/",  # a fullwidth S
    "/api/v1/items/SHOP-%EF%BC%91/",  # a fullwidth 1
    "/api/v1/products/%E2%80%8BSHOP/",  # a zero-width space
]
METHODS = ["get", "head", "options", "post", "put", "patch", "delete", "trace", "propfind"]


@pytest.fixture
def item(product):
    return make_item(product, title="Pay by card")  # SHOP-1: the paths above miss it narrowly


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("path", ODD_PATHS)
def test_an_odd_api_path_is_the_json_404(as_user, po, item, path, method):
    response = as_user(po).generic(method.upper(), path)
    assert response.status_code == 404, f"{method.upper()} {path}"
    assert response["Content-Type"] == "application/json"
    if method != "head":
        assert response.json() == {"detail": "No such API endpoint.", "code": "not_found", "fields": {}}


@pytest.mark.parametrize("path", ["/api/v1/%0A", "/api/v1/items/SHOP-1%0A/", "/api/v1/products/SHOP%0D%0A/"])
def test_an_odd_api_path_is_a_json_401_for_anonymous_callers(api, item, path):
    response = api.get(path)
    assert response.status_code == 401
    assert response["Content-Type"] == "application/json"
    assert set(response.json()) == {"detail", "code", "fields"}
