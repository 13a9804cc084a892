"""Account enumeration through invitations: what the inviter learns, from the API and from the
members page, is the same for an address with an account and one without, and takes as long.

Measured on the live server with a real HTTP client, every kind of try taking turns, the mail
server slow: if the email (or anything else that knew about the account) were done inside the
request, it would show. Tolerance: half of that work, timed here, and at least 50 ms."""

import re
import time

from django.urls import reverse

from accounts.models import OutboxMessage
from accounts.services import create_api_token
from backlog import services
from backlog.services import invitations
from tests.conftest import PASSWORD, make_user
from tests.real_services import wait_until

from .conftest import interleaved_medians

ROUNDS = 5
NOISE = 0.05
# A mail server this slow makes a reply that waited for it plain, even on a loaded machine.
SLOW_MAIL = 1.0


def normalised(text: str, email: str) -> str:
    text = text.replace(email, "ADDRESS")
    return re.sub(r"\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)?", "TIME", text)


def flash_messages(html: str) -> str:
    found = re.search(r'<ul class="messages".*?</ul>', html, re.S)
    return found.group(0) if found else ""


def test_the_inviter_learns_the_same_as_quickly_for_an_account_and_a_stranger(
    live,
    smtp_server,
    settings,
    monkeypatch,
    on_postgres,
    po,
    product,
):
    """PostgreSQL: on SQLite's shared in-memory test database the work after a reply and the next
    request lock each other's tables."""
    monkeypatch.setattr(invitations, "INVITATIONS_PER_SENDER", 1000)  # the suite sends more than a day's worth
    smtp_server.slow(SLOW_MAIL)
    started = time.perf_counter()
    services.invite_member(product=product, by=po, email="timed@example.com", role="developer")
    work = time.perf_counter() - started  # here, outside a request: the email is sent at once

    secret = create_api_token(by=po, name="enumeration")[1]
    api_url = reverse("api-member-list", kwargs={"key": product.key})
    page_url = reverse("backlog:members", args=[product.key])
    live.sign_in(po.email, PASSWORD)
    token = live.csrf_token(page_url)
    answers: dict[str, set] = {"api": set(), "page": set()}
    # Addresses ready before the clock runs: accounts for one kind, nothing for the other.
    addresses = {kind: iter([f"{kind}-{n}@example.com" for n in range(2 * ROUNDS)]) for kind in ("account", "stranger")}
    for n in range(2 * ROUNDS):
        make_user(f"account-{n}@example.com")

    def address(kind: str) -> str:
        return next(addresses[kind])

    def by_api(kind: str):
        def attempt():
            email = address(kind)
            reply = live.request(
                "POST",
                api_url,
                json_body={"email": email, "role": "developer"},
                headers={"Authorization": f"Token {secret}"},
            )
            answers["api"].add((kind, reply.status, normalised(reply.body, email)))

        return attempt

    def by_page(kind: str):
        def attempt():
            email = address(kind)
            reply = live.request(
                "POST", page_url, form={"email": email, "role": "developer", "csrfmiddlewaretoken": token}
            )
            shown = flash_messages(live.get(page_url).body)  # not timed: the same page for everyone
            answers["page"].add((kind, reply.status, reply.headers.get("Location"), normalised(shown, email)))

        return attempt

    kinds = {f"{door.__name__} {kind}": door(kind) for door in (by_api, by_page) for kind in ("account", "stranger")}
    medians = interleaved_medians(kinds, rounds=ROUNDS)

    for door, seen in answers.items():
        assert {answer[0] for answer in seen} == {"account", "stranger"}
        assert len({answer[1:] for answer in seen}) == 1, (door, seen)
    (api_answer,) = {answer[1:] for answer in answers["api"]}
    assert api_answer[0] == 202 and "Invitation sent to ADDRESS" in api_answer[1]
    (page_answer,) = {answer[1:] for answer in answers["page"]}
    assert page_answer[:2] == (302, page_url) and "is on its way to ADDRESS" in page_answer[2]

    tolerance = max(work / 2, NOISE)
    for door in ("by_api", "by_page"):
        account, stranger = medians[f"{door} account"], medians[f"{door} stranger"]
        assert abs(account - stranger) < tolerance, (door, work, medians)
        assert max(account, stranger) < work / 2, (door, work, medians)  # nor does it wait for the mail

    sent = 1 + 4 * ROUNDS
    wait_until(
        lambda: len(smtp_server.messages) == sent,
        timeout=20,
        message=lambda: f"{len(smtp_server.messages)} of {sent} invitations arrived",
    )
    bodies = {
        normalised(re.sub(r"/invitations/\S+", "/invitations/LINK", m.message.get_content()), "")
        for m in smtp_server.messages
    }
    assert len(bodies) == 1  # one text for everyone
    assert OutboxMessage.objects.filter(state=OutboxMessage.State.SENT).count() == sent
