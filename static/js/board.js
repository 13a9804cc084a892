// The sprint board's enhancements on top of plain forms (which work without this file):
// - after an htmx swap, focus returns to the moved card, on the button that carries it on (or
//   to the board's heading when the card has left the board);
// - a move the server refuses (4xx, 5xx) or never receives is announced, and focus stays put;
// - native HTML5 drag and drop between columns posts the same form a button does.
// The announcement ("SHOP-12 moved to In progress") comes from the server into #board-status.
(function () {
  "use strict";

  const BOARD = "#sprint-board";
  const STATUS = "#board-status";
  const HEADING = "#board-heading";
  const ORDER = ["todo", "in_progress", "done"];
  let pendingFocus = null; // {key, from, to, control} to focus once the board is swapped

  function board() {
    return document.querySelector(BOARD);
  }

  function cardFor(key) {
    const el = board();
    return el ? el.querySelector('li[data-key="' + CSS.escape(key) + '"]') : null;
  }

  // The button to focus on the moved card: the one moving it further the same way, else the
  // first, else the card's link (a card without move buttons).
  function controlFor(card, from, to) {
    const forward = ORDER.indexOf(to) > ORDER.indexOf(from);
    const next = ORDER[ORDER.indexOf(to) + (forward ? 1 : -1)];
    return (
      (next && card.querySelector('[data-control="' + next + '"]')) ||
      card.querySelector("[data-control]") ||
      card.querySelector("a")
    );
  }

  document.addEventListener("htmx:beforeRequest", function (event) {
    const elt = event.detail.elt;
    const form = elt && elt.closest && elt.closest("form[data-card-move]");
    if (!form) return;
    const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const submitter = trigger && trigger.submitter;
    const card = form.closest("li[data-key]");
    const column = card && card.closest("[data-column]");
    pendingFocus = {
      key: form.dataset.key,
      from: column ? column.dataset.column : null,
      to: submitter ? submitter.value : null,
      // The pressed button, for a failed move to leave focus on (Safari does not focus a
      // clicked button; Enter on a focused one does).
      control: form.contains(document.activeElement) ? document.activeElement : submitter || null,
    };
  });

  document.addEventListener("htmx:afterSettle", function (event) {
    const target = event.detail.target;
    if (!target || target.id !== "sprint-board" || !pendingFocus) return;
    const focus = pendingFocus;
    pendingFocus = null;
    const card = cardFor(focus.key);
    if (!card) {
      // Taken out of the sprint meanwhile: its buttons are gone with it, and focus must not
      // fall to <body>. The heading leads to the board, after the announcement that says why.
      const heading = document.querySelector(HEADING);
      if (heading) heading.focus();
      return;
    }
    const column = card.closest("[data-column]");
    const control = controlFor(card, focus.from, column ? column.dataset.column : focus.to);
    if (control) control.focus();
  });

  function onFailure(event, status) {
    const elt = event.detail.elt;
    if (!elt || !elt.closest || !elt.closest(BOARD)) return;
    const focus = pendingFocus;
    pendingFocus = null;
    const said = OrdoMoves.failure(status, "the card or the sprint");
    OrdoMoves.announce(document.querySelector(STATUS), said);
    const control = focus && focus.control;
    if (control && control.isConnected && document.activeElement !== control) control.focus();
  }

  document.addEventListener("htmx:responseError", function (event) {
    onFailure(event, event.detail.xhr ? event.detail.xhr.status : 0);
  });
  document.addEventListener("htmx:sendError", function (event) {
    onFailure(event, 0);
  });

  // Drag and drop: an enhancement for pointer users; the buttons do the same from a keyboard.
  let dragged = null;

  function clearMarks() {
    document.querySelectorAll(".board-column.drop-target").forEach(function (column) {
      column.classList.remove("drop-target");
    });
  }

  function columnAt(event) {
    const column = event.target.closest && event.target.closest(".board-column[data-column]");
    return column && column.closest("[data-board]") ? column : null;
  }

  document.addEventListener("dragstart", function (event) {
    const handle = event.target.closest && event.target.closest(".drag-handle");
    const card = handle && handle.closest("li[data-key]");
    if (!card || !card.closest("[data-board]") || !card.dataset.columnUrl) return;
    dragged = card;
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", card.dataset.key);
    if (event.dataTransfer.setDragImage) event.dataTransfer.setDragImage(card, 12, 12);
    card.classList.add("dragging");
  });

  document.addEventListener("dragover", function (event) {
    if (!dragged) return;
    const column = columnAt(event);
    if (!column || column.contains(dragged)) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    clearMarks();
    column.classList.add("drop-target");
  });

  document.addEventListener("drop", function (event) {
    if (!dragged) return;
    const column = columnAt(event);
    const card = dragged;
    clearMarks();
    if (!column || column.contains(card)) return;
    event.preventDefault();
    const from = card.closest("[data-column]");
    pendingFocus = { key: card.dataset.key, from: from ? from.dataset.column : null, to: column.dataset.column };
    window.htmx.ajax("POST", card.dataset.columnUrl, {
      source: card,
      target: BOARD,
      swap: "innerHTML",
      values: { column: column.dataset.column },
    });
  });

  document.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });
})();
