"""Renders what the apps above the backlog registered in backlog.extensions: the views call
these once per page, and the templates show the results without knowing where they came from."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from . import extensions
from .models import Item, Product
from .selectors import BacklogRow


@dataclass(frozen=True)
class RenderedPanel:
    template: str
    data: dict


@dataclass(frozen=True)
class MarkedRow(BacklogRow):
    """A backlog row with the short texts the extensions want shown beside it."""

    markers: tuple[extensions.RowMarker, ...] = ()


def backlog_panels(*, product: Product, user, rows: Sequence[BacklogRow]) -> list[RenderedPanel]:
    """The registered backlog-page panels that have something to show, in order."""
    return _rendered(extensions.backlog_panels(), product=product, user=user, rows=rows)


def item_panels(*, item: Item, user) -> list[RenderedPanel]:
    """The registered item-page panels that have something to show, in order."""
    return _rendered(extensions.item_panels(), item=item, user=user)


def settings_panels(*, product: Product, user) -> list[RenderedPanel]:
    """The registered product-settings panels that have something to show, in order."""
    return _rendered(extensions.settings_panels(), product=product, user=user)


def marked_rows(*, product: Product, user, rows: Sequence[BacklogRow]) -> list[MarkedRow]:
    """The rows with every registered marker function's markers: each is called once for all
    rows, so the page stays within a constant number of queries."""
    found: dict[int, list[extensions.RowMarker]] = {}
    for markers in extensions.row_markers():
        for item_id, row_markers in markers(product=product, user=user, rows=rows).items():
            found.setdefault(item_id, []).extend(row_markers)
    return [
        MarkedRow(
            item=row.item,
            position=row.position,
            running_points=row.running_points,
            markers=tuple(found.get(row.item.pk, ())),
        )
        for row in rows
    ]


def _rendered(panels: Sequence[extensions.Panel], **arguments) -> list[RenderedPanel]:
    rendered = []
    for panel in panels:
        data = panel.context(**arguments)
        if data is not None:
            rendered.append(RenderedPanel(template=panel.template, data=data))
    return rendered
