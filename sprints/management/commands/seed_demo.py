"""`python manage.py seed_demo`: the SHOP demo product, its backlog, its sprint history (five
closed sprints, the active one, a planned one, a review and a retrospective) and four demo users.

Idempotent: the users are created only when missing (an existing account keeps its password),
and the product and its items only when there is no product SHOP yet, so a second run changes
nothing. Demo users have a published password, so they are created only in debug or when asked
for explicitly.

It lives in sprints, the highest app it needs: it plays the backlog and the sprint history
through both apps' services, and the backlog may not import sprints.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from accounts.models import User
from backlog import services
from backlog.models import Item, Membership, Product, ProductGoal
from sprints import services as sprint_services

from . import _demo_data as demo
from ._demo_data import ARCHIVED, DETAILS, ITEMS, NOTES, PRODUCT, USERS

SPRINT_DAYS = 14

DEMO_PASSWORD = "demo-password"  # noqa: S105 - published on purpose: demo logins only


class Command(BaseCommand):
    help = "Load the SHOP demo product and the demo users (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--allow-demo-users",
            action="store_true",
            help=f"Create the demo users (password {DEMO_PASSWORD!r}) even though DEBUG is off.",
        )

    def handle(self, *args, allow_demo_users: bool = False, **options):
        if not (settings.DEBUG or allow_demo_users):
            raise CommandError(
                "seed_demo creates users with a published password, so it runs only with DJANGO_DEBUG=1 "
                "or with --allow-demo-users."
            )
        with transaction.atomic():
            users, created_users = self._users()
            product = Product.objects.filter(key=PRODUCT["key"]).first()
            if product is None:
                product = self._product(users)
                self.stdout.write(f"Created {product.key} with {product.items.count()} items.")
            else:
                self.stdout.write(f"{product.key} exists already; left as it is.")
        if created_users:
            self.stdout.write(f"Created users: {', '.join(created_users)}.")
        self.stdout.write(f"Demo logins (password: {DEMO_PASSWORD}), product {PRODUCT['key']}:")
        for email, _name, role in USERS:
            self.stdout.write(f"  {email:<26} {role.replace('_', ' ')}")

    def _users(self) -> tuple[dict[str, User], list[str]]:
        users, created = {}, []
        for email, display_name, _role in USERS:
            user = User.objects.filter(email=email).first()
            if user is None:
                user = User.objects.create_user(email=email, password=DEMO_PASSWORD, display_name=display_name)
                created.append(email)
            users[email] = user
        return users, created

    def _product(self, users: dict[str, User]) -> Product:
        owner_email = next(email for email, _name, role in USERS if role == "product_owner")
        owner = users[owner_email]
        product = services.create_product(by=owner, key=PRODUCT["key"], name=PRODUCT["name"], vision=PRODUCT["vision"])
        for email, _name, role in USERS:
            if not Membership.objects.filter(product=product, user=users[email]).exists():
                services.add_member(product=product, by=owner, user=users[email], role=role)
        # The team has worked together since before the demo's first sprint: the stakeholder's
        # weekly digest is due at once (`make digests`), not only after next Monday.
        Membership.objects.filter(product=product).update(created_at=timezone.now() - datetime.timedelta(days=120))

        # Work done in the demo's sprints starts out ready and gets done on the sprint board.
        in_sprints = {title for sprint in demo.SPRINTS for _day, title in sprint["done"]}
        items = {}
        for kind, title, status, estimate, labels, parent in ITEMS:
            items[title] = services.create_item(
                product=product,
                by=owner,
                title=title,
                kind=kind,
                status="ready" if title in in_sprints else status,
                estimate=estimate,
                labels=(labels or "").split(),
                parent=items[parent] if parent else None,
                **DETAILS.get(title, {}),
            )
        active_titles = _SprintHistory(product, users, items).run()
        # A real backlog keeps finished and discarded work out of the way, below what is next;
        # they are moved there the way a product owner would (the active sprint's stay put).
        statuses = {title: status for _kind, title, status, *_rest in ITEMS}
        for title, item in items.items():
            if statuses[title] in (Item.Status.DONE, Item.Status.DISCARDED) and title not in active_titles:
                services.move_item(item=item, by=owner, position=len(items))
        for title, notes in NOTES.items():
            for email, body in notes:
                services.add_refinement_note(item=items[title], by=users[email], body=body)
        for title in ARCHIVED:
            services.archive_item(item=items[title], by=owner)
        return product


class _SprintHistory:
    """Plays the demo's sprints through the sprint services, then dates what they recorded to
    the days it happened: closed sprints of two weeks each ending before today, and the active
    one running today. Only timestamps are rewritten; every number comes from the services."""

    def __init__(self, product: Product, users: dict[str, User], items: dict[str, Item]):
        self.sprints = sprint_services
        self.product = product
        self.users = users
        self.items = items
        self.po = users["po@example.com"]
        self.sm = users["sm@example.com"]
        self.dev = users["dev@example.com"]
        self.active_start = timezone.now().date() - datetime.timedelta(days=6)
        self.planned_early = None  # a sprint planned before the previous one closed
        self.goals: dict[str, ProductGoal] = {}

    def run(self) -> set[str]:
        """Play everything; return the titles of the active sprint's items."""
        self._goals()
        count = len(demo.SPRINTS)
        starts = [self.active_start - datetime.timedelta(days=SPRINT_DAYS * (count - n)) for n in range(count + 2)]
        closed = [self._closed_sprint(n, plan, starts) for n, plan in enumerate(demo.SPRINTS)]
        active = self._active_sprint(starts[count])
        self._new_sprint({"goal": demo.NEXT_SPRINT_GOAL, "product_goal": "active"}, starts[count + 1])
        self._review(closed)
        self._retrospective(closed[-1], active)
        ProductGoal.objects.filter(pk=self.goals["past"].pk).update(
            created_at=self._moment(starts[0], -7, 9), closed_at=self._moment(closed[2].end_date, 0, 17)
        )
        ProductGoal.objects.filter(pk=self.goals["active"].pk).update(
            created_at=self._moment(closed[2].end_date, 0, 17)
        )
        return set(demo.ACTIVE_SPRINT["committed"]) | set(demo.ACTIVE_SPRINT["added"])

    @staticmethod
    def _moment(day: datetime.date, offset: int, hour: int) -> datetime.datetime:
        return datetime.datetime.combine(
            day + datetime.timedelta(days=offset), datetime.time(hour), tzinfo=datetime.UTC
        )

    def _dated(self, moment: datetime.datetime, action):
        """Run a service and date what it recorded (sprint events, sprint items) to `moment`."""
        from sprints.models import SprintEvent, SprintItem

        before = timezone.now()
        result = action()
        SprintEvent.objects.filter(at__gte=before).update(at=moment)
        SprintItem.objects.filter(added_at__gte=before).update(added_at=moment)
        SprintItem.objects.filter(removed_at__gte=before).update(removed_at=moment)
        return result

    def _goals(self) -> None:
        past = services.set_product_goal(product=self.product, by=self.po, **demo.PRODUCT_GOALS["past"])
        services.close_product_goal(goal=past, by=self.po, status=ProductGoal.Status.ACHIEVED)
        active = services.set_product_goal(product=self.product, by=self.po, **demo.PRODUCT_GOALS["active"])
        self.goals = {"past": past, "active": active}

    def _new_sprint(self, plan: dict, start: datetime.date):
        from sprints.models import Sprint

        sprint = self.sprints.create_sprint(
            product=self.product,
            by=self.sm,
            start_date=start,
            end_date=start + datetime.timedelta(days=SPRINT_DAYS - 1),
            goal=plan["goal"],
            product_goal=self.goals[plan["product_goal"]] if plan["product_goal"] else None,
        )
        Sprint.objects.filter(pk=sprint.pk).update(created_at=self._moment(start, -3, 10))
        return sprint

    def _plan_and_start(self, plan: dict, titles, start: datetime.date):
        from sprints.models import SprintItem

        sprint, self.planned_early = self.planned_early or self._new_sprint(plan, start), None
        planned = set(SprintItem.objects.filter(sprint=sprint).values_list("item__key", flat=True))
        for title in titles:
            if self.items[title].key not in planned:
                self.sprints.add_to_sprint(sprint=sprint, item=self.items[title], by=self.po)
        SprintItem.objects.filter(sprint=sprint).update(added_at=self._moment(start, -1, 14))
        return self._dated(self._moment(start, 0, 9), lambda: self.sprints.start_sprint(sprint=sprint, by=self.sm))

    def _step(self, sprint, kind: str, title: str, moment: datetime.datetime, column: str = "done") -> None:
        item = self.items[title]
        if kind == "added":
            self._dated(moment, lambda: self.sprints.add_to_sprint(sprint=sprint, item=item, by=self.po))
        elif kind == "removed":
            self._dated(moment, lambda: self.sprints.remove_from_sprint(sprint=sprint, item=item, by=self.po))
        else:
            self._dated(moment, lambda: self.sprints.set_column(sprint=sprint, item=item, by=self.dev, column=column))

    def _closed_sprint(self, index: int, plan: dict, starts: list[datetime.date]):
        from sprints.models import Sprint

        start = starts[index]
        sprint = self._plan_and_start(plan, plan["committed"], start)
        steps = [(day, "added", title) for day, title in plan["added"]]
        steps += [(day, "removed", title) for day, title in plan["removed"]]
        steps += [(day, "done", title) for day, title in plan["done"]]
        for day, kind, title in sorted(steps, key=lambda step: step[0]):
            self._step(sprint, kind, title, self._moment(start, day, 15))
        outcome, note, placements = plan["close"]
        if "next" in placements.values():
            # The team planned the next sprint before closing this one, as a team would.
            following = demo.SPRINTS[index + 1] if index + 1 < len(demo.SPRINTS) else demo.ACTIVE_SPRINT
            self.planned_early = self._new_sprint(following, starts[index + 1])
        keys = {self.items[title].key: placement for title, placement in placements.items()}
        sprint = self.sprints.close_sprint(
            sprint=sprint, by=self.sm, goal_outcome=outcome, goal_note=note, placements=keys
        )
        Sprint.objects.filter(pk=sprint.pk).update(
            started_at=self._moment(start, 0, 9), closed_at=self._moment(start, SPRINT_DAYS - 1, 16)
        )
        return sprint

    def _active_sprint(self, start: datetime.date):
        from sprints.models import Sprint

        plan = demo.ACTIVE_SPRINT
        sprint = self._plan_and_start(plan, list(plan["committed"]), start)
        Sprint.objects.filter(pk=sprint.pk).update(started_at=self._moment(start, 0, 9))
        for day, (title, column) in enumerate(plan["committed"].items(), start=1):
            if column != "todo":
                self._step(sprint, "column", title, self._moment(start, min(day, 5), 15), column)
        for title, column in plan["added"].items():
            self._step(sprint, "added", title, self._moment(start, 3, 11))
            self._step(sprint, "column", title, self._moment(start, 4, 10), column)
        return sprint

    def _review(self, closed: list) -> None:
        from sprints.models import Feedback, HypothesisOutcome

        last = closed[-1]
        self.sprints.update_sprint(sprint=last, by=self.po, changes={"review_notes": demo.REVIEW_NOTES})
        made = []
        for author, body, about in demo.FEEDBACK:
            made.append(
                self.sprints.add_feedback(
                    sprint=last, by=self.users[author], body=body, about=self.items[about] if about else None
                )
            )
        index, position, title = demo.FEEDBACK_ITEM
        self.sprints.feedback_to_item(feedback=made[index], by=self.po, position=position, title=title)
        Feedback.objects.filter(sprint=last).update(created_at=self._moment(last.end_date, 0, 11))
        for sprint_index, title, verdict, evidence in demo.HYPOTHESIS_OUTCOMES:
            sprint = closed[sprint_index]
            self.sprints.record_hypothesis_outcome(
                sprint=sprint, item=self.items[title], by=self.po, verdict=verdict, evidence=evidence
            )
            HypothesisOutcome.objects.filter(sprint=sprint).update(recorded_at=self._moment(sprint.end_date, 0, 11))

    def _retrospective(self, last, active) -> None:
        from sprints.models import ActionItem, RetroCard, RetroVote

        for author, column, body, voters in demo.RETRO_CARDS:
            card = self.sprints.add_retro_card(sprint=last, by=self.users[author], column=column, body=body)
            for voter in voters:
                self.sprints.vote(card=card, by=self.users[voter])
        for title, owner, done in demo.ACTION_ITEMS:
            action = self.sprints.add_action_item(
                sprint=last, by=self.sm, title=title, owner=self.users[owner], target_sprint=active
            )
            if done:
                self.sprints.complete_action_item(action_item=action, by=self.users[owner])
        moment = self._moment(last.end_date, 0, 14)
        RetroCard.objects.filter(sprint=last).update(created_at=moment)
        RetroVote.objects.filter(card__sprint=last).update(created_at=moment)
        ActionItem.objects.filter(sprint=last).update(created_at=moment)
        ActionItem.objects.filter(sprint=last, done_at__isnull=False).update(
            done_at=self._moment(active.start_date, 2, 10)
        )
