"""How to write each form's text fields through the HTML pages (the Django test client, as the
browser posts them): the URL, valid data for the rest, who posts it, and for each CharField
whether it is stored (and where), a reference (a key, an address: refused as a whole), a
credential, or only shown back in the page (a search, a sign-in address).

A form class, or a CharField of one, that discovery finds and this table lacks fails
test_coverage; the forms left out are in EXCLUDED, with the reason."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import User
from backlog.models import Item
from sprints.models import Sprint
from tests.conftest import PASSWORD

from . import targets as t


@dataclass(frozen=True)
class FormDoor:
    url: Callable
    stored: dict = field(default_factory=dict)
    refs: frozenset = frozenset()
    credentials: frozenset = frozenset()
    reflected: frozenset = frozenset()
    base: Callable = lambda w, c: {}
    # The rest of the data when a reference or a credential takes a payload: (world, ctx, field).
    probe_base: Callable | None = None
    persona: str | None = "product_owner"
    setup: Callable = t.nothing
    used_up: bool = False
    method: str = "post"
    ok: frozenset = frozenset({302})
    refused_status: int = 400
    # How the page names a refused field when no bound form is in its context.
    errors_of: Callable | None = None
    # A client of the door's own (the password reset keeps its token in the session).
    client: Callable | None = None
    headers: dict = field(default_factory=dict)


EXCLUDED = {
    "accounts.forms.AdminUserChangeForm": "Django's admin: staff only, and the domain models are read-only there",
    "accounts.forms.AdminUserCreationForm": "Django's admin: staff only",
}


def _key(w):
    return {"key": w.product.key}


def _today() -> datetime.date:
    return timezone.localdate()


def _sprint_dates() -> dict:
    start = _today() + datetime.timedelta(days=30)
    return {"start_date": f"{start:%Y-%m-%d}", "end_date": f"{start + datetime.timedelta(days=13):%Y-%m-%d}"}


def _version(model, name):
    return lambda c: str(model.objects.get(pk=getattr(c, name).pk).version)


_item_version = _version(Item, "item")
_sprint_version = _version(Sprint, "sprint")


def _item_edit_base(w, c) -> dict:
    return {"title": "The target", "kind": "story", "status": "new", "version": _item_version(c)}


def _a_reset_link(w) -> t.Ctx:
    """A password reset link opened: Django keeps its token in the session and sends the form to
    a URL without it."""
    from django.contrib.auth.tokens import default_token_generator
    from django.utils.encoding import force_bytes
    from django.utils.http import urlsafe_base64_encode

    user = User.objects.get(pk=w.po.pk)
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    client = Client()
    response = client.get(
        reverse("accounts:password-reset-confirm", args=[uid, default_token_generator.make_token(user)])
    )
    assert response.status_code == 302, response.status_code
    return t.Ctx(client=client, url=response["Location"])


ITEM_TEXT = ("title", "description", "why", "acceptance_criteria", "hypothesis")

FORM_DOORS: dict[str, list[FormDoor]] = {
    # --- accounts -----------------------------------------------------------------------------------
    "accounts.forms.EmailAuthenticationForm": [
        FormDoor(
            lambda w, c: reverse("accounts:login"),
            reflected=frozenset({"username"}),
            credentials=frozenset({"password"}),
            # Each try names another address: failures count towards the lock of their address.
            base=lambda w, c: {"username": f"nobody{w.next_number()}@example.com", "password": "not-the-password"},
            persona=None,
            refused_status=200,
        )
    ],
    "accounts.forms.QueuedPasswordResetForm": [
        FormDoor(lambda w, c: reverse("accounts:password-reset"), refs=frozenset({"email"}), persona=None)
    ],
    "accounts.forms.ProfileForm": [
        FormDoor(
            lambda w, c: reverse("accounts:profile"),
            stored={"display_name": t.PO_DISPLAY_NAME},
            base=lambda w, c: {"time_zone": "UTC"},
        )
    ],
    "accounts.forms.TokenCreateForm": [
        FormDoor(lambda w, c: reverse("accounts:tokens"), stored={"name": t.NEWEST_TOKEN}, ok=frozenset({200}))
    ],
    "django.contrib.auth.forms.PasswordChangeForm": [
        FormDoor(
            lambda w, c: reverse("accounts:password-change"),
            credentials=frozenset({"old_password", "new_password1", "new_password2"}),
            # The two new passwords differ: no try can change the password.
            base=lambda w, c: {"old_password": PASSWORD, "new_password1": "Mismatch-one", "new_password2": "Two"},
        )
    ],
    "django.contrib.auth.forms.SetPasswordForm": [
        FormDoor(
            lambda w, c: c.url,
            credentials=frozenset({"new_password1", "new_password2"}),
            base=lambda w, c: {"new_password1": "Mismatch-one", "new_password2": "Two"},
            persona=None,
            setup=_a_reset_link,
            client=lambda w, c: c.client,
        )
    ],
    # --- backlog --------------------------------------------------------------------------------------
    "backlog.forms.BacklogFilterForm": [
        FormDoor(lambda w, c: reverse("backlog:backlog", kwargs=_key(w)), reflected=frozenset({"q"}), method="get")
    ],
    "backlog.forms.ItemForm": [
        FormDoor(
            lambda w, c: reverse("backlog:item-create", kwargs=_key(w)),
            stored={**{name: t.newest_item(name) for name in ITEM_TEXT}, "labels": t.NEWEST_ITEM_LABELS},
            base=lambda w, c: {"title": "A hostile item", "kind": "story", "status": "new"},
        ),
        FormDoor(
            lambda w, c: reverse("backlog:item-edit", kwargs={"item_key": c.item.key}),
            stored={**{name: t.target_item(name) for name in ITEM_TEXT}, "labels": t.TARGET_ITEM_LABELS},
            base=_item_edit_base,
            setup=t.an_item,
            persona="developer",
        ),
    ],
    "backlog.forms.MoveForm": [
        FormDoor(
            lambda w, c: reverse("backlog:item-move", kwargs={"item_key": c.item.key}),
            refs=frozenset({"after", "before", "back"}),
            probe_base=lambda w, c, name: {"to": "down"} if name == "back" else {},
            setup=t.two_items,
        ),
        # The same move from the page's script: the rows and the announcement come back as a fragment.
        FormDoor(
            lambda w, c: reverse("backlog:item-move", kwargs={"item_key": c.item.key}),
            refs=frozenset({"after", "before", "back"}),
            probe_base=lambda w, c, name: {"to": "down"} if name == "back" else {},
            setup=t.two_items,
            headers={"HX-Request": "true"},
        ),
    ],
    "backlog.forms.NoteForm": [
        FormDoor(
            lambda w, c: reverse("backlog:item-note", kwargs={"item_key": c.item.key}),
            stored={"body": t.NEWEST_NOTE},
            setup=t.an_item,
            persona="developer",
        )
    ],
    "backlog.forms_products.ProductCreateForm": [
        FormDoor(
            lambda w, c: reverse("backlog:product-create"),
            stored=t.NEWEST_PRODUCT,
            refs=frozenset({"key"}),
            base=lambda w, c: {"key": f"H{w.next_number()}", "name": "A hostile product"},
        )
    ],
    "backlog.forms_products.ProductSettingsForm": [
        FormDoor(
            lambda w, c: reverse("backlog:product-settings", kwargs=_key(w)),
            stored={name: t.product_attr(name) for name in ("name", "vision")},
            base=lambda w, c: {"name": "Shop"},
        )
    ],
    "backlog.forms_products.MemberAddForm": [
        FormDoor(
            lambda w, c: reverse("backlog:members", kwargs=_key(w)),
            refs=frozenset({"email"}),
            base=lambda w, c: {"role": "developer"},
        )
    ],
    "backlog.forms_products.InvitationAcceptForm": [
        FormDoor(
            lambda w, c: reverse("backlog:invitation-accept", kwargs={"token": c.token}),
            stored={"display_name": t.INVITEE_DISPLAY_NAME},
            credentials=frozenset({"password1", "password2"}),
            base=lambda w, c: {"password1": PASSWORD, "password2": PASSWORD},
            persona=None,
            setup=t.an_invitation,
            used_up=True,
        )
    ],
    "backlog.views.goals.ProductGoalForm": [
        FormDoor(
            lambda w, c: reverse("backlog:product-goal", kwargs=_key(w)),
            stored=t.NEWEST_GOAL,
            base=lambda w, c: {"action": "set", "title": "A hostile goal"},
            setup=t.no_active_goal,
            used_up=True,
        )
    ],
    # --- sprints ---------------------------------------------------------------------------------------
    "sprints.forms.SprintForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-create", kwargs=_key(w)),
            stored={"goal": t.NEWEST_SPRINT_GOAL},
            base=lambda w, c: _sprint_dates(),
        ),
        FormDoor(
            lambda w, c: reverse("sprints:sprint-planning", kwargs={"sprint_id": c.sprint.pk}),
            stored={"goal": t.sprint_attr("goal")},
            base=lambda w, c: {**_sprint_dates(), "version": _sprint_version(c)},
            setup=t.a_planned_sprint,
        ),
    ],
    "sprints.forms.AddItemForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-add", kwargs={"sprint_id": c.sprint.pk}),
            refs=frozenset({"key", "ready"}),
            setup=t.a_planned_sprint,
        )
    ],
    "sprints.forms.CloseForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-close", kwargs={"sprint_id": c.sprint.pk}),
            stored={"goal_note": t.sprint_attr("goal_note")},
            base=lambda w, c: {"goal_outcome": "partly"},
            setup=t.an_active_sprint,
            used_up=True,
        )
    ],
    "sprints.forms.FeedbackForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-feedback", kwargs={"sprint_id": c.sprint.pk}),
            stored={"body": t.NEWEST_FEEDBACK},
            refs=frozenset({"about"}),
            base=lambda w, c: {"body": "Faster, please"},
            setup=t.an_active_sprint,
            persona="stakeholder",
        )
    ],
    "sprints.forms.FeedbackToItemForm": [
        FormDoor(
            lambda w, c: reverse(
                "sprints:sprint-feedback-item", kwargs={"sprint_id": c.sprint.pk, "feedback_id": c.feedback.pk}
            ),
            stored={"title": t.BECAME_TITLE},
            base=lambda w, c: {"position": "1"},
            setup=t.feedback_given,
            used_up=True,
            # The review page shows the refusal beside the feedback, not in a bound form.
            errors_of=lambda response: (
                {"title"} if (response.context.get("feedback_item") or {}).get("error") else set()
            ),
        )
    ],
    "sprints.forms.HypothesisForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-hypothesis", kwargs={"sprint_id": c.sprint.pk}),
            stored={"evidence": t.OUTCOME_EVIDENCE},
            refs=frozenset({"item"}),
            base=lambda w, c: {"item": c.item.key, "verdict": "validated"},
            setup=t.a_done_hypothesis,
            used_up=True,
        )
    ],
    "sprints.forms.ReviewNotesForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-review-notes", kwargs={"sprint_id": c.sprint.pk}),
            stored={"review_notes": t.sprint_attr("review_notes")},
            base=lambda w, c: {"version": _sprint_version(c)},
            setup=t.an_active_sprint,
        )
    ],
    "sprints.forms.RetroCardForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-retro-card", kwargs={"sprint_id": c.sprint.pk}),
            stored={"body": t.NEWEST_CARD},
            base=lambda w, c: {"column": "ideas"},
            setup=t.an_active_sprint,
            persona="developer",
        )
    ],
    "sprints.forms.ActionItemForm": [
        FormDoor(
            lambda w, c: reverse("sprints:sprint-action", kwargs={"sprint_id": c.sprint.pk}),
            stored={"title": t.NEWEST_ACTION},
            setup=t.an_active_sprint,
        )
    ],
}
