"""What the fuzzing leaves out or never reaches, checked against the same schema with the same
checks, one request at a time: the token endpoint (every failed attempt counts towards the
sign-in lock), a member leaving (the stakeholder's binding is another member, so the fuzzing
never removes the persona it runs as), and the invitation limit (each example is rolled back,
so no example spends it). Their behaviour has its own tests: tests/api/test_auth_token.py,
tests/api/test_members.py and tests/backlog/test_invitation_limits.py."""

import json

import pytest
import schemathesis
from django.conf import settings

from accounts.services import create_api_token
from backlog import services
from backlog.services.invitations import INVITATIONS_PER_SENDER
from config.wsgi import application
from tests.conftest import PASSWORD
from tests.suites.fuzz.schema import EXCLUDED, RAW_SCHEMA

pytestmark = pytest.mark.django_db

SCHEMA = schemathesis.openapi.from_dict(json.loads(json.dumps(RAW_SCHEMA)))
SCHEMA.app = application
TOKEN = SCHEMA["/api/v1/auth/token/"]["POST"]


def checked(operation, **case):
    """Send the case and run Schemathesis' checks on the answer (they raise on a finding)."""
    case = operation.Case(media_type="application/json" if "body" in case else None, **case)
    response = case.call()
    case.validate_response(response)
    return response


def test_the_token_endpoint_is_the_one_operation_left_out():
    assert set(EXCLUDED) == {"auth_token_create"}


def test_right_credentials_get_a_token_as_the_schema_describes_it(po):
    assert checked(TOKEN, body={"email": po.email, "password": PASSWORD}).status_code == 201


def test_wrong_credentials_are_the_documented_400(po):
    assert checked(TOKEN, body={"email": po.email, "password": "wrong"}).status_code == 400


def test_an_unknown_field_in_a_token_request_is_the_documented_400(po):
    response = checked(TOKEN, body={"email": po.email, "password": PASSWORD, "scope": "all"})
    assert response.status_code == 400


def test_the_sign_in_lock_is_the_documented_429(po):
    statuses = [
        checked(TOKEN, body={"email": po.email, "password": "wrong"}).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses[-1] == 429


def test_a_stakeholder_leaving_is_the_documented_204_and_the_product_is_gone_for_them(stakeholder, product):
    token = {"Authorization": f"Token {create_api_token(by=stakeholder, name='leaving')[1]}"}
    leave = SCHEMA["/api/v1/products/{key}/members/{user_id}/"]["DELETE"]
    response = checked(leave, path_parameters={"key": product.key, "user_id": stakeholder.pk}, headers=token)
    assert response.status_code == 204
    read = SCHEMA["/api/v1/products/{key}/"]["GET"]
    assert checked(read, path_parameters={"key": product.key}, headers=token).status_code == 404


def test_an_inviter_over_the_daily_limit_gets_the_documented_429_with_retry_after(po, product):
    for n in range(INVITATIONS_PER_SENDER):
        services.invite_member(product=product, by=po, email=f"new-{n}@example.com", role="developer")
    token = {"Authorization": f"Token {create_api_token(by=po, name='inviting')[1]}"}
    invite = SCHEMA["/api/v1/products/{key}/members/"]["POST"]
    response = checked(
        invite,
        path_parameters={"key": product.key},
        headers=token,
        body={"email": "one-more@example.com", "role": "developer"},
    )
    assert response.status_code == 429
    assert int(response.headers["retry-after"][0]) > 0
