"""Session fixation: a session id that existed before someone signed in (or proved they own an
account) is never the one they are signed in with afterwards, so whoever planted it gains
nothing; signing out or changing the password ends the session for good."""

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import User
from backlog import services
from backlog.services.invitations import invitation_token
from tests.conftest import PASSWORD

from .conftest import csrf_token, plant_session, session_exists, session_key, signed_in_user_id

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-passphrase-42"


def sign_in(client, email, password=PASSWORD):
    return client.post(
        reverse("accounts:login"),
        {"username": email, "password": password, "csrfmiddlewaretoken": csrf_token(client)},
        REMOTE_ADDR="10.0.0.1",
    )


def test_signing_in_on_the_form_drops_a_planted_session_id(browser, po):
    planted = plant_session(browser, planted_by="attacker")
    assert sign_in(browser, po.email).status_code == 302
    assert session_key(browser) not in (None, planted)
    assert signed_in_user_id(session_key(browser)) == str(po.pk)
    assert not session_exists(planted)


def test_signing_in_hands_out_a_new_csrf_token(browser, po):
    """A token known before the sign-in (planted with the cookie) must not keep working after it."""
    before = csrf_token(browser)
    sign_in(browser, po.email)
    assert browser.cookies[settings.CSRF_COOKIE_NAME].value != before


def test_a_newcomer_signed_in_by_accepting_an_invitation_gets_a_new_session_id(browser, po, product):
    invitation = services.invite_member(product=product, by=po, email="newbie@example.com", role="developer")
    path = reverse("backlog:invitation-accept", args=[invitation_token(invitation)])
    planted = plant_session(browser, planted_by="attacker")
    response = browser.post(
        path,
        {
            "display_name": "Newbie",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
            "csrfmiddlewaretoken": csrf_token(browser),
        },
    )
    assert response.status_code == 302
    newbie = User.objects.get(email="newbie@example.com")
    assert session_key(browser) not in (None, planted)
    assert signed_in_user_id(session_key(browser)) == str(newbie.pk)
    assert not session_exists(planted)


def reset_link(user) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return reverse("accounts:password-reset-confirm", args=[uid, default_token_generator.make_token(user)])


def test_opening_a_reset_link_moves_its_token_out_of_a_planted_session(browser, po):
    """The link's token is kept in the session for the set-password form: in a session whose id
    the attacker planted, they could post that form themselves and choose the password."""
    planted = plant_session(browser, planted_by="attacker")
    response = browser.get(reset_link(po))
    assert response.status_code == 302 and response.url.endswith("/set-password/")
    assert session_key(browser) not in (None, planted)
    assert not session_exists(planted)
    attacker = type(browser)(enforce_csrf_checks=True)
    attacker.cookies[settings.SESSION_COOKIE_NAME] = planted
    form = attacker.get(response.url)
    assert form.status_code == 200
    assert not form.context["validlink"]
    # The person who opened the link goes on as usual.
    assert browser.get(response.url).context["validlink"]


def test_completing_a_password_reset_signs_nobody_in_and_ends_every_other_session(browser, client, po):
    client.force_login(po)  # elsewhere: another browser, or whoever took the old password
    planted = plant_session(browser, planted_by="attacker")
    set_password = browser.get(reset_link(po)).url
    response = browser.post(
        set_password,
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD, "csrfmiddlewaretoken": csrf_token(browser)},
    )
    assert response.status_code == 302 and response.url == reverse("accounts:password-reset-complete")
    assert signed_in_user_id(session_key(browser)) is None
    assert session_key(browser) != planted
    assert client.get(reverse("accounts:profile")).status_code == 302  # the old session is over


def test_changing_the_password_keeps_this_session_under_a_new_id_and_ends_the_others(browser, client, po):
    client.force_login(po)
    sign_in(browser, po.email)
    before = session_key(browser)
    response = browser.post(
        reverse("accounts:password-change"),
        {
            "old_password": PASSWORD,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
            "csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value,
        },
    )
    assert response.status_code == 302
    assert session_key(browser) != before and not session_exists(before)
    assert browser.get(reverse("accounts:profile")).status_code == 200
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_signing_out_deletes_the_session_so_its_id_opens_nothing(browser, po):
    sign_in(browser, po.email)
    signed_in = session_key(browser)
    response = browser.post(
        reverse("accounts:logout"), {"csrfmiddlewaretoken": browser.cookies[settings.CSRF_COOKIE_NAME].value}
    )
    assert response.status_code == 302
    assert not session_exists(signed_in)
    replay = type(browser)()
    replay.cookies[settings.SESSION_COOKIE_NAME] = signed_in
    assert replay.get(reverse("accounts:profile")).status_code == 302


def test_trading_a_password_for_an_api_token_opens_no_session(client, po):
    response = client.post(
        reverse("api-auth-token"), {"email": po.email, "password": PASSWORD}, content_type="application/json"
    )
    assert response.status_code == 201
    assert settings.SESSION_COOKIE_NAME not in response.cookies
