"""What digests adds to the backlog's pages, through backlog.extensions: the product owner sees,
on the product settings page, the digests that could not be delivered and why."""

from __future__ import annotations

from backlog import extensions
from backlog.models import Product

from . import selectors


def failed_panel(*, product: Product, user) -> dict | None:
    failed = list(selectors.failed_deliveries(product))
    return {"failed": failed}


def register() -> None:
    extensions.register_settings_panel(
        extensions.Panel("digests/_failed_deliveries_panel.html", failed_panel, order=50)
    )
