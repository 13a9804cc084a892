"""HTML views: the backlog page, items, ranking. Parse, call a service or selector, respond; the
policy in backlog.permissions decides who may do what (a service raising NotFound or Forbidden
becomes a 404 or 403 page through config.errors.OrdoErrorMiddleware)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.forms import add_service_errors
from config.errors import InvalidInput, StaleVersion

from .. import extension_render, selectors, services
from ..forms import (
    BOTTOM,
    ITEM_FORM_FIELDS,
    MAX_ROWS,
    PAGE_SIZE,
    BacklogFilterForm,
    ItemForm,
    MoveForm,
    NoteForm,
    item_initial,
)
from ..models import Item, Product
from ..permissions import Action, access_item_for_user, access_product_for_user, can

# The Undo of the last no-JS move, shown once on the next backlog page (like a message).
UNDO_SESSION_KEY = "ordo.backlog.undo"


def _list_context(request: HttpRequest, product: Product, filter_form: BacklogFilterForm, *, offset: int, limit: int):
    """What the rows partial needs: rows, controls, the "show more" links."""
    filters = filter_form.filters
    rows, has_more = selectors.backlog_rows(product, filters, offset=offset, limit=limit)
    rows = extension_render.marked_rows(product=product, user=request.user, rows=rows)
    summary = selectors.backlog_summary(product)
    matching = selectors.backlog_items(product, filters).count() if filters.is_active else summary.items
    shown = offset + len(rows)
    may_rank = can(request.user, product, Action.RANK)
    return {
        "product": product,
        "rows": rows,
        "has_more": has_more,
        "summary": summary,
        "matching": matching,
        "shown": shown,
        "filters": filters,
        "may_rank": may_rank,
        "columns": 10 if may_rank else 8,
        "back": filter_form.query(show=filter_form.rows_to_show if filter_form.rows_to_show != PAGE_SIZE else None),
        "more_href": "?" + filter_form.query(show=shown + PAGE_SIZE),
        "more_hx": reverse("backlog:backlog", args=[product.key]) + "?" + filter_form.query(offset=shown),
    }


@login_required
@require_GET
def backlog(request: HttpRequest, key: str) -> HttpResponse:
    """The backlog in order, filtered; "show more" (htmx, `offset`) returns only the next rows."""
    product = access_product_for_user(request.user, key)
    filter_form = BacklogFilterForm(request.GET or None, product=product)
    if request.htmx and "offset" in request.GET:
        offset = _int(request.GET.get("offset"), default=0)
        context = _list_context(request, product, filter_form, offset=offset, limit=PAGE_SIZE)
        return render(request, "backlog/_backlog_rows.html", context)
    context = _list_context(request, product, filter_form, offset=0, limit=filter_form.rows_to_show)
    undo = request.session.pop(UNDO_SESSION_KEY, None) if UNDO_SESSION_KEY in request.session else None
    context.update(
        filter_form=filter_form,
        undo=undo if undo and undo.get("product") == product.key else None,
        may_edit=can(request.user, product, Action.EDIT_ITEMS),
        may_manage=can(request.user, product, Action.MANAGE_PRODUCT),
        product_goal=selectors.active_product_goal(product),
        extension_panels=extension_render.backlog_panels(product=product, user=request.user, rows=context["rows"]),
    )
    return render(request, "backlog/backlog.html", context)


def _int(value: str | None, *, default: int, low: int = 0, high: int = 10**6) -> int:
    try:
        return max(low, min(high, int(value or "")))
    except ValueError:
        return default


@login_required
@require_POST
def item_move(request: HttpRequest, item_key: str) -> HttpResponse:
    """Move an item (up, down, top, bottom, to a position, next to a neighbour). Without
    JavaScript: redirect to the backlog with a message and an Undo. With htmx: the loaded rows
    re-rendered and the announcement for the live region."""
    item = access_item_for_user(request.user, item_key, Action.RANK)
    product = item.product
    form = MoveForm(request.POST)
    back = form.data.get("back", "")
    filter_form = BacklogFilterForm(QueryDict(back), product=product)
    announcement, undo, error = "", None, False
    try:
        if not form.is_valid():
            raise InvalidInput(_first_error(form))
        target = _move_target(product, item, form.cleaned_data, filter_form)
        before_position = selectors.position_of(item)
        if target is None:
            result = services.MoveResult(item=item, moved=False)
        else:
            result = services.move_item(item=item, by=request.user, **target)
        position, count = selectors.position_of(result.item), selectors.live_count(product)
        if not result.moved:
            announcement = f"{item.key} stays at position {position} of {count}."
        elif request.POST.get("undo"):
            announcement = f"{item.key} moved back to position {position} of {count}."
        else:
            announcement = f"{item.key} moved to position {position} of {count}."
            undo = {"product": product.key, "key": item.key, "position": before_position}
    except InvalidInput as exc:
        announcement, error = f"{item.key} was not moved: {exc.message}", True

    if not request.htmx:
        (messages.error if error else messages.success)(request, announcement)
        if undo:
            request.session[UNDO_SESSION_KEY] = undo
        query = filter_form.query(show=filter_form.rows_to_show if filter_form.rows_to_show != PAGE_SIZE else None)
        url = reverse("backlog:backlog", args=[product.key])
        return redirect(f"{url}?{query}#item-{item.key}" if query else f"{url}#item-{item.key}")

    # Re-render every row the browser has loaded (`shown`), so positions and running totals
    # change for every row between the old and the new place.
    shown = _int(request.POST.get("shown"), default=PAGE_SIZE, low=1, high=MAX_ROWS)
    context = _list_context(request, product, filter_form, offset=0, limit=shown)
    context.update(announcement=announcement, announcement_is_error=error, undo=undo, moved_key=item.key)
    return render(request, "backlog/_move_response.html", context)


def _first_error(form) -> str:
    for field_errors in form.errors.values():
        return str(field_errors[0])
    return "Say where to move it."


def _move_target(product: Product, item: Item, data: dict, filter_form: BacklogFilterForm) -> dict | None:
    """The move as the service takes it, or None when there is nowhere to go (already first
    or last in the list the user sees)."""
    to = data.get("to")
    if to == "top":
        return {"position": 1}
    if to == "bottom":
        return {"position": BOTTOM}
    if to in ("up", "down"):
        # "Up" is above the row the user sees above it: under a filter, that may be several
        # positions up in the whole backlog.
        neighbour = selectors.neighbour_in_list(product, item, filter_form.filters, direction=to)
        if neighbour is None:
            return None
        return {"before": neighbour} if to == "up" else {"after": neighbour}
    if data.get("position") is not None:
        return {"position": data["position"]}
    field = "after" if data.get("after") else "before"
    return {field: services.move_target(product=product, key=data[field], field=field)}


@login_required
@require_http_methods(["GET", "POST"])
def item_create(request: HttpRequest, key: str) -> HttpResponse:
    """A new item, at the bottom of the backlog (or the top, if a product owner asks)."""
    product = access_product_for_user(request.user, key, Action.EDIT_ITEMS)
    may_rank = can(request.user, product, Action.RANK)
    form = ItemForm(request.POST or None, may_rank=may_rank, creating=True)
    if request.method == "POST" and form.is_valid():
        changes = form.changes()
        try:
            item = services.create_item(
                product=product,
                by=request.user,
                at_top=form.cleaned_data.get("at_top", False),
                **changes,
            )
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            position, count = selectors.position_of(item), selectors.live_count(product)
            messages.success(request, f"{item.key} created at position {position} of {count}.")
            if request.POST.get("then") == "another":
                return redirect("backlog:item-create", key=product.key)
            return redirect("backlog:item-detail", item_key=item.key)
    return render(
        request,
        "backlog/item_form.html",
        {
            "product": product,
            "form": form,
            "creating": True,
            "may_manage": can(request.user, product, Action.MANAGE_PRODUCT),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@login_required
@require_GET
def item_detail(request: HttpRequest, item_key: str) -> HttpResponse:
    """Everything about an item, its refinement notes, and a form to add one."""
    item = access_item_for_user(request.user, item_key)
    return _render_detail(request, item, NoteForm())


def _render_detail(request: HttpRequest, item: Item, note_form: NoteForm, *, status: int = 200) -> HttpResponse:
    product = item.product
    context = {
        "product": product,
        "item": item,
        "labels": list(item.labels.order_by("name")),
        "children": list(item.children.order_by("rank")),
        "position": selectors.position_of(item),
        "count": selectors.live_count(product),
        "notes": list(selectors.refinement_notes(item)),
        "note_form": note_form,
        "may_edit": can(request.user, product, Action.EDIT_ITEMS),
        "may_rank": can(request.user, product, Action.RANK),
        "may_manage": can(request.user, product, Action.MANAGE_PRODUCT),
        "extension_panels": extension_render.item_panels(item=item, user=request.user),
    }
    return render(request, "backlog/item_detail.html", context, status=status)


# The edit form carries the values it was opened with, as hidden `original-<field>` inputs: on
# a stale save, only the fields the user changed from those are kept over the newer version.
ORIGINAL = "original-"


@login_required
@require_http_methods(["GET", "POST"])
def item_edit(request: HttpRequest, item_key: str) -> HttpResponse:
    """Edit an item. The form carries the version it was opened at: a stale save is refused,
    the newer values are shown, and what the user changed stays in the form (the fields they
    did not change take the newer values). A save refused because the item was archived
    meanwhile comes back with what was typed, too."""
    item = access_item_for_user(request.user, item_key, Action.EDIT_ITEMS)
    product = item.product
    if item.is_archived and request.method == "GET":
        messages.error(request, f"{item.key} is archived; restore it before editing.")
        return redirect("backlog:item-detail", item_key=item.key)
    may_rank = can(request.user, product, Action.RANK)
    options = {"may_rank": may_rank, "creating": False, "current_status": item.status}
    newer, archived_refusal = None, False
    if request.method == "GET":
        form = ItemForm(initial=item_initial(item), **options)
        originals = _form_values(item)
    else:
        form = ItemForm(request.POST, **options)
        originals = {
            name: request.POST[ORIGINAL + name] for name in ITEM_FORM_FIELDS if ORIGINAL + name in request.POST
        }
        if item.is_archived:
            # Archived while the form was open: refuse, but keep what was typed.
            form.is_valid()
            _refuse_archived(form, item)
            archived_refusal = True
        elif form.is_valid():
            changes = form.changes()
            if changes["status"] == item.status:
                # Unchanged: a developer editing a ready item must not be refused for a status
                # they did not touch (the service checks any status it is given).
                del changes["status"]
            try:
                services.update_item(
                    item=item, by=request.user, changes=changes, expected_version=form.cleaned_data["version"]
                )
            except StaleVersion as exc:
                current = exc.current
                newer = _differences(current, request.POST, originals)
                # Keep what the user changed, now based on the newer version; every field they
                # left alone takes the newer value, so saving again cannot silently revert
                # someone else's change to it. Saving again is a deliberate choice made with
                # both versions in view.
                data = _rebased(request.POST, originals, current)
                form = ItemForm(data, **{**options, "current_status": current.status})
                form.is_valid()
                form.add_error(
                    None,
                    f"Someone changed {current.key} while you were editing it. What changed is shown "
                    "below; your changes are still in the form, and the fields you had not changed "
                    "now hold the saved values. Review them and save again.",
                )
                item, originals = current, _form_values(current)
            except InvalidInput as exc:
                if exc.code == "archived":
                    _refuse_archived(form, item)
                    archived_refusal = True
                else:
                    add_service_errors(form, exc)
            else:
                messages.success(request, f"Saved {item.key}.")
                return redirect("backlog:item-detail", item_key=item.key)
    return render(
        request,
        "backlog/item_form.html",
        {
            "product": product,
            "item": item,
            "form": form,
            "creating": False,
            "newer": newer,
            "originals": [(name, originals[name]) for name in ITEM_FORM_FIELDS if name in originals],
            "archived_refusal": archived_refusal,
            "may_rank": may_rank,
            "may_manage": can(request.user, product, Action.MANAGE_PRODUCT),
        },
        status=400 if form.is_bound and form.errors else 200,
    )


def _refuse_archived(form: ItemForm, item: Item) -> None:
    """The refusal of a save to an item archived meanwhile, with the way forward."""
    form.add_error(
        None,
        f"{item.key} is archived; restore it before editing. What you typed is still in the form: "
        f"a product owner can restore {item.key} from the archived items, and then you can save again.",
    )


def _form_values(item: Item) -> dict[str, str]:
    """The item's fields as the edit form sends them (strings), without the version."""
    initial = item_initial(item)
    return {name: "" if initial[name] is None else str(initial[name]) for name in ITEM_FORM_FIELDS}


def _comparable(name: str, value) -> str | list[str]:
    # Browsers send line breaks as CRLF and the form strips whitespace; labels are a set.
    text = str(value or "").replace("\r\n", "\n").strip()
    if name == "labels":
        return sorted({part.strip() for part in text.split(",") if part.strip()})
    return text


def _changed_by_user(name: str, posted: QueryDict, originals: dict[str, str]) -> bool:
    """Whether the user changed this field from the value the form was opened with. Without
    that value (a form opened before the form carried it), whatever was sent counts."""
    if name not in originals:
        return True
    return _comparable(name, posted.get(name, "")) != _comparable(name, originals[name])


def _rebased(posted: QueryDict, originals: dict[str, str], current: Item) -> QueryDict:
    """The user's changes on top of the current version: the fields they left alone take the
    current values."""
    data = posted.copy()
    saved = _form_values(current)
    for name in ITEM_FORM_FIELDS:
        if not _changed_by_user(name, posted, originals):
            data[name] = saved[name]
    data["version"] = str(current.version)
    return data


def _display(name: str, value: str) -> str:
    """A field's value as people read it: labels of kinds and statuses, not their codes."""
    if name == "kind":
        return str(dict(Item.Kind.choices).get(value, value))
    if name == "status":
        return str(dict(Item.Status.choices).get(value, value))
    if name == "labels":
        return ", ".join(_comparable(name, value))
    return value


def _differences(current: Item, posted: QueryDict, originals: dict[str, str]) -> list[dict]:
    """For the stale page: the fields someone else changed while the user was editing, with the
    saved value and the user's own (None where the user had not changed the field, so the form
    now holds the saved value). Without the opened-with values, every field where the saved item
    differs from what the user sent."""
    saved = _form_values(current)
    rows = []
    for name in ITEM_FORM_FIELDS:
        theirs, yours = saved[name], posted.get(name, "")
        if name in originals:
            if _comparable(name, theirs) == _comparable(name, originals[name]):
                continue  # nobody else changed it
        elif _comparable(name, theirs) == _comparable(name, yours):
            continue
        label = str(ItemForm.base_fields[name].label or name.replace("_", " ").capitalize())
        mine = _display(name, yours) if _changed_by_user(name, posted, originals) else None
        rows.append({"field": label, "theirs": _display(name, theirs), "yours": mine})
    return rows


@login_required
@require_POST
def item_note(request: HttpRequest, item_key: str) -> HttpResponse:
    """Add a refinement note to an item."""
    item = access_item_for_user(request.user, item_key, Action.EDIT_ITEMS)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.add_refinement_note(item=item, by=request.user, body=form.cleaned_data["body"])
        except InvalidInput as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, "Note added.")
            return redirect(reverse("backlog:item-detail", args=[item.key]) + f"#note-{note.pk}")
    return _render_detail(request, item, form, status=400)


@login_required
@require_POST
def item_archive(request: HttpRequest, item_key: str) -> HttpResponse:
    """Archive an item (the interface's delete); it keeps its place for a restore."""
    item = access_item_for_user(request.user, item_key, Action.RANK)
    services.archive_item(item=item, by=request.user)
    messages.success(request, f"{item.key} archived. Restore it from the archived items to put it back where it was.")
    return redirect("backlog:backlog", key=item.product.key)


@login_required
@require_POST
def item_restore(request: HttpRequest, item_key: str) -> HttpResponse:
    """Bring an archived item back to the place it had."""
    item = access_item_for_user(request.user, item_key, Action.RANK)
    item = services.restore_item(item=item, by=request.user)
    position, count = selectors.position_of(item), selectors.live_count(item.product)
    messages.success(request, f"{item.key} restored to position {position} of {count}.")
    if request.POST.get("next") == "archived":
        return redirect("backlog:archived", key=item.product.key)
    return redirect("backlog:item-detail", item_key=item.key)


@login_required
@require_GET
def archived(request: HttpRequest, key: str) -> HttpResponse:
    """Archived items, in the order they held in the backlog, with Restore."""
    product = access_product_for_user(request.user, key)
    show = _int(request.GET.get("show"), default=PAGE_SIZE, low=1, high=MAX_ROWS)
    items = list(selectors.backlog_items(product, archived=True)[: show + 1])
    return render(
        request,
        "backlog/archived.html",
        {
            "product": product,
            "items": items[:show],
            "has_more": len(items) > show,
            "more_href": f"?show={show + PAGE_SIZE}",
            "may_rank": can(request.user, product, Action.RANK),
            "may_manage": can(request.user, product, Action.MANAGE_PRODUCT),
        },
    )


urlpatterns = [
    path("p/<str:key>/", backlog, name="backlog"),
    path("p/<str:key>/archived/", archived, name="archived"),
    path("p/<str:key>/items/new/", item_create, name="item-create"),
    path("items/<str:item_key>/", item_detail, name="item-detail"),
    path("items/<str:item_key>/edit/", item_edit, name="item-edit"),
    path("items/<str:item_key>/move/", item_move, name="item-move"),
    path("items/<str:item_key>/archive/", item_archive, name="item-archive"),
    path("items/<str:item_key>/restore/", item_restore, name="item-restore"),
    path("items/<str:item_key>/notes/", item_note, name="item-note"),
]
