// The backlog page's enhancements on top of plain forms (which work without this file):
// - every move request says how many rows are loaded, so the server re-renders all of them;
// - after an htmx swap, focus returns to the same control of the moved item; when the server
//   refused the move and that control is gone (the item was archived elsewhere, a drop's target
//   left the list), focus goes to the row that took its place, else to the status region;
// - "Show more" moves focus to the first new row;
// - a move the server refuses (4xx, 5xx) or never receives is announced, and focus stays put;
// - native HTML5 drag and drop posts the moved key and its new neighbour.
(function () {
  "use strict";

  const LIST = "#backlog-list";
  const STATUS = "#move-status";
  let pendingFocus = null; // {key, control, index, drop} to focus once the list is swapped
  let lastMove = null; // the control that made the last move, for Undo to return to
  let pressed = null; // the element that made the move in flight, for a failed move to keep focus on

  function list() {
    return document.querySelector(LIST);
  }

  function loadedRows() {
    const el = list();
    return el ? el.querySelectorAll("tbody tr[data-key]").length : 0;
  }

  function rowIndex(key) {
    const el = list();
    if (!el) return -1;
    return Array.prototype.findIndex.call(el.querySelectorAll("tbody tr[data-key]"), function (row) {
      return row.dataset.key === key;
    });
  }

  function isMoveRequest(elt) {
    return elt && elt.closest && (elt.closest("[data-move]") || elt.closest("tr[data-key]"));
  }

  // Every move re-renders the rows the browser has, and keeps the filters of the page.
  document.addEventListener("htmx:configRequest", function (event) {
    const elt = event.detail.elt;
    if (!isMoveRequest(elt) || event.detail.verb !== "post") return;
    event.detail.parameters.shown = String(Math.max(loadedRows(), 1));
    const back = list() && list().dataset.back;
    if (back && !event.detail.parameters.back) event.detail.parameters.back = back;
  });

  // Remember which control made the move, so focus can return to it after the swap.
  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    const form = elt && elt.closest && elt.closest("form[data-move]");
    if (!form) return;
    if (form.hasAttribute("data-undo")) {
      const previous = lastMove && lastMove.key === form.dataset.key ? lastMove : { control: "up" };
      pendingFocus = { key: form.dataset.key, control: previous.control, index: rowIndex(form.dataset.key) };
      pressed = form.contains(document.activeElement) ? document.activeElement : form.querySelector("button");
      return;
    }
    // The focused control if it is in this form (Enter in the position field focuses the
    // field, not the button the browser names as submitter); else the submitter (Safari does
    // not focus a clicked button).
    const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const active = form.contains(document.activeElement) ? document.activeElement : null;
    const source = active || (trigger && trigger.submitter);
    const control = source && source.dataset ? source.dataset.control : null;
    pendingFocus = { key: form.dataset.key, control: control || "up", index: rowIndex(form.dataset.key) };
    lastMove = pendingFocus;
    pressed = source && source.focus ? source : null;
  });

  function rowFor(key) {
    const el = list();
    return el ? el.querySelector('tr[data-key="' + CSS.escape(key) + '"]') : null;
  }

  function rowLink(row) {
    return row ? row.querySelector("td.key a") : null;
  }

  // The status region is not focusable by itself; it is only ever focused from here.
  function statusRegion() {
    const region = document.querySelector(STATUS);
    if (region && !region.hasAttribute("tabindex")) region.setAttribute("tabindex", "-1");
    return region;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.target;
    if (!target) return;
    if (target.id === "backlog-list" && pendingFocus) {
      const focus = pendingFocus;
      pendingFocus = null;
      // The server answered with the list and an announcement; a refusal (the item archived
      // elsewhere, a drop next to a row archived meanwhile) is marked as an error.
      const refused = !!document.querySelector(STATUS + " .announcement.is-error");
      const row = rowFor(focus.key);
      const control = row && focus.control ? row.querySelector('[data-control="' + focus.control + '"]') : null;
      if (control) {
        control.focus();
      } else if (refused) {
        // The control that made the move is gone with the swap: without this, focus falls to
        // <body> (or <main>, after a drop). The item's own row if it is still listed, else the
        // row that took its position, else the announcement itself.
        const rows = list() ? list().querySelectorAll("tbody tr[data-key]") : [];
        const place = row || (focus.index >= 0 ? rows[focus.index] : null);
        const next = rowLink(place) || statusRegion();
        if (next) next.focus();
      } else if (!focus.drop) {
        // The item moved below the loaded rows: the announcement and its Undo are next.
        const undo = document.querySelector('#move-status [data-control="undo"]');
        if (undo) undo.focus();
      }
    }
  });

  function onFailure(event, status) {
    if (!isMoveRequest(event.detail.elt)) return;
    const control = pressed;
    pendingFocus = null;
    pressed = null;
    const kept = control && control.closest("form") ? control.closest("form") : control;
    OrdoMoves.announce(document.querySelector(STATUS), OrdoMoves.failure(status, "the item"), kept);
    if (control && control.isConnected && document.activeElement !== control) control.focus();
  }

  document.addEventListener("htmx:responseError", function (event) {
    onFailure(event, event.detail.xhr ? event.detail.xhr.status : 0);
  });
  document.addEventListener("htmx:sendError", function (event) {
    onFailure(event, 0);
  });

  // "Show more": the new rows replace the button's row; focus the first of them.
  document.addEventListener("htmx:beforeSwap", function (event) {
    const elt = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (elt && elt.hasAttribute && elt.hasAttribute("data-more")) {
      list().dataset.focusAfter = elt.dataset.offset;
    }
  });
  document.addEventListener("htmx:afterSettle", function () {
    const el = list();
    if (!el || !el.dataset.focusAfter) return;
    const index = parseInt(el.dataset.focusAfter, 10);
    delete el.dataset.focusAfter;
    const row = el.querySelectorAll("tbody tr[data-key]")[index];
    const link = row && row.querySelector("td.key a");
    if (link) link.focus();
  });

  // Drag and drop: an enhancement for pointer users; the buttons do the same from a keyboard.
  let dragged = null;

  function clearMarks() {
    document.querySelectorAll(".drop-before, .drop-after").forEach(function (row) {
      row.classList.remove("drop-before", "drop-after");
    });
  }

  function dropPlace(row, event) {
    const box = row.getBoundingClientRect();
    return event.clientY < box.top + box.height / 2 ? "before" : "after";
  }

  document.addEventListener("dragstart", function (event) {
    const handle = event.target.closest && event.target.closest(".drag-handle");
    const row = handle && handle.closest("tr[data-key]");
    if (!row || !row.closest("[data-rankable]")) return;
    dragged = row;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", row.dataset.key);
    if (event.dataTransfer.setDragImage) event.dataTransfer.setDragImage(row, 12, 12);
    row.classList.add("dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    const row = event.target.closest && event.target.closest("tr[data-key]");
    if (!row || row === dragged || !row.closest("[data-rankable]")) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    row.classList.add(dropPlace(row, event) === "before" ? "drop-before" : "drop-after");
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    const row = event.target.closest && event.target.closest("tr[data-key]");
    const moving = dragged;
    clearMarks();
    if (!row || row === moving) return;
    event.preventDefault();
    const values = {};
    values[dropPlace(row, event)] = row.dataset.key;
    // A drop that works leaves focus where the pointer left it; one the server refuses moves it
    // to the row (see afterSettle).
    pendingFocus = { key: moving.dataset.key, control: null, index: rowIndex(moving.dataset.key), drop: true };
    pressed = null;
    window.htmx.ajax("POST", moving.dataset.moveUrl, {
      source: moving,
      target: LIST,
      swap: "innerHTML",
      values: values,
    });
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });
})();
