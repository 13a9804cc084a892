"""`python manage.py seed_demo`: the SHOP demo product, its backlog and four demo users.

Idempotent: the users are created only when missing (an existing account keeps its password),
and the product and its items only when there is no product SHOP yet, so a second run changes
nothing. Demo users have a published password, so they are created only in debug or when asked
for explicitly."""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from accounts.models import User
from backlog import services
from backlog.models import Item, Membership, Product

from ._demo_data import ARCHIVED, DETAILS, ITEMS, NOTES, PRODUCT, USERS

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

        items = {}
        for kind, title, status, estimate, labels, parent in ITEMS:
            items[title] = services.create_item(
                product=product,
                by=owner,
                title=title,
                kind=kind,
                status=status,
                estimate=estimate,
                labels=(labels or "").split(),
                parent=items[parent] if parent else None,
                **DETAILS.get(title, {}),
            )
        # A real backlog keeps finished and discarded work out of the way, below what is next;
        # they are moved there the way a product owner would.
        for item in items.values():
            if item.status in (Item.Status.DONE, Item.Status.DISCARDED):
                services.move_item(item=item, by=owner, position=len(items))
        for title, notes in NOTES.items():
            for email, body in notes:
                services.add_refinement_note(item=items[title], by=users[email], body=body)
        for title in ARCHIVED:
            services.archive_item(item=items[title], by=owner)
        return product
