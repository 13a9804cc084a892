"""Permission-matrix entries for the digests HTML pages and API (merged into
tests/test_permission_matrix.py's MATRIX). "Own digest subscription": every member, whatever the
role; non-members get 404; anonymous people are sent to the login page (HTML) or get 401 (API).

The unsubscribe link (`digests:unsubscribe`) is authorised by its signed token, not by a role:
it is in the matrix's NOT_IN_MATRIX, and tests/digests/test_unsubscribe.py covers it."""

# Statuses in the matrix's persona order: anonymous, outsider, stakeholder, developer, scrum
# master, product owner.
OWN_PAGE = (302, 200, 200, 200, 200, 200)  # one's own preferences: every product one is in, or none
SUBSCRIBE_HTML = (302, 404, 200, 200, 200, 200)
SUBSCRIBE_POST = (302, 404, 302, 302, 302, 302)
SUBSCRIBE_API = (401, 404, 200, 200, 200, 200)


def key(w):
    return {"key": w.product.key}


def preference_form(w):
    prefix = w.product.key.lower()
    return {f"{prefix}-frequency": "weekly", f"{prefix}-weekday": "4", f"{prefix}-hour": "8"}


ENTRIES = {
    # HTML
    "digests:preferences": [("get", None, {}, OWN_PAGE)],
    "digests:preference-update": [("post", key, preference_form, SUBSCRIBE_POST)],
    "digests:preview": [("get", key, {}, SUBSCRIBE_HTML)],
    "digests:send-preview": [("post", key, {}, SUBSCRIBE_POST)],
    # API
    "api-digest": [("get", key, {}, SUBSCRIBE_API)],
    "api-digest-subscription": [
        ("get", key, {}, SUBSCRIBE_API),
        ("put", key, {"frequency": "sprint", "hour": 7}, SUBSCRIBE_API),
    ],
}
