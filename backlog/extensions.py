"""Extension points of the backlog pages. The backlog never imports the apps above it
(sprints, digests); they register here, in their AppConfig.ready(), what they want shown.

- Product tabs: links in the product navigation (`register_product_tab`).
- Panels: a template and a function giving its context (None hides the panel), shown on the
  backlog page (`register_backlog_panel`) or the item page (`register_item_panel`).
- Row markers: a function that, for the rows on the backlog page, returns short texts to show
  beside some of them (`register_row_markers`). It is called once per page with all rows, so it
  can stay within a constant number of queries.
- Item edit checks: a function told of every item edit before it is saved
  (`register_item_edit_check`), which may refuse it or record what it means above the backlog
  (an estimate changed in the middle of a sprint).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class ProductTab:
    label: str
    url_name: str  # reversed with the product key as its one argument
    order: int = 100
    current: str = ""  # the page names (the `current` of _product_nav.html) where it is active


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[..., dict | None]
    order: int = 100


@dataclass(frozen=True)
class RowMarker:
    text: str
    css_class: str = ""
    title: str = ""  # a tooltip for pointers; say it in `detail` too
    detail: str = ""  # more, for screen readers (shown visually hidden after the text)


RowMarkers = Callable[..., dict[int, Sequence[RowMarker]]]

_product_tabs: list[ProductTab] = []
_backlog_panels: list[Panel] = []
_item_panels: list[Panel] = []
_settings_panels: list[Panel] = []
_row_markers: list[RowMarkers] = []
_item_edit_checks: list[Callable[..., None]] = []


def register_product_tab(tab: ProductTab) -> None:
    if tab not in _product_tabs:
        _product_tabs.append(tab)
        _product_tabs.sort(key=lambda t: t.order)


def register_backlog_panel(panel: Panel) -> None:
    """`panel.context(product=, user=, rows=)` → dict or None."""
    if panel not in _backlog_panels:
        _backlog_panels.append(panel)
        _backlog_panels.sort(key=lambda p: p.order)


def register_item_panel(panel: Panel) -> None:
    """`panel.context(item=, user=)` → dict or None."""
    if panel not in _item_panels:
        _item_panels.append(panel)
        _item_panels.sort(key=lambda p: p.order)


def register_settings_panel(panel: Panel) -> None:
    """`panel.context(product=, user=)` → dict or None."""
    if panel not in _settings_panels:
        _settings_panels.append(panel)
        _settings_panels.sort(key=lambda p: p.order)


def register_row_markers(markers: RowMarkers) -> None:
    """`markers(product=, user=, rows=)` → {item id: [RowMarker, …]}."""
    if markers not in _row_markers:
        _row_markers.append(markers)


def register_item_edit_check(check: Callable[..., None]) -> None:
    """`check(item=, changes=, by=, via_board=)`, inside the edit's transaction and before it is
    saved: `item` as it is now (row-locked), `changes` the fields that change with their new
    values. It refuses the edit by raising an OrdoError; whatever it wrote is rolled back then."""
    if check not in _item_edit_checks:
        _item_edit_checks.append(check)


def item_edit_checks() -> list[Callable[..., None]]:
    return list(_item_edit_checks)


def product_tabs() -> list[ProductTab]:
    return list(_product_tabs)


def backlog_panels() -> list[Panel]:
    return list(_backlog_panels)


def item_panels() -> list[Panel]:
    return list(_item_panels)


def settings_panels() -> list[Panel]:
    return list(_settings_panels)


def row_markers() -> list[RowMarkers]:
    return list(_row_markers)
