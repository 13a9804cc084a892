"""The demo data gives a digest to read at once: after `seed_demo`, one tick sends the demo
stakeholder (and only them) a weekly digest telling the demo's last sprint plainly."""

from django.core import mail
from django.core.management import call_command

from digests.tasks import tick


def test_after_the_demo_data_one_tick_sends_the_stakeholder_their_digest(db):
    call_command("seed_demo", allow_demo_users=True, stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert tick()["planned"] == 1
    assert [message.to for message in mail.outbox] == [["stakeholder@example.com"]]
    body = mail.outbox[0].body
    assert "SPRINT 5 CLOSED: GOAL MET" in body and "Not done (" in body
    assert "85% likely by Sprint" in body
    assert tick() == {"planned": 0, "reclaimed": 0, "queued": 0, "mail": 0}
