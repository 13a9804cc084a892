// What the two pages that move things (the backlog and the sprint board) say when a move fails.
// htmx leaves error responses alone: without this, a refused move swaps nothing and the user
// waits for a move that never comes. Loaded before backlog.js and board.js.
window.OrdoMoves = (function () {
  "use strict";

  // The sentence for a failed move: `status` is the HTTP status (0: no answer at all), `gone`
  // names what a 404 means on the page ("the item", "the card or the sprint").
  function failure(status, gone) {
    if (!status) return "Not moved: the server could not be reached. Check your connection and try again.";
    if (status === 401 || status === 403) {
      return "Not moved: you may no longer have the right to do this (" + status + "). Reload the page.";
    }
    if (status === 404) return "Not moved: " + gone + " is no longer there (404). Reload the page.";
    if (status >= 500) {
      return "Not moved: something went wrong on the server (" + status + "). Reload the page and try again.";
    }
    return "Not moved: the server refused the move (" + status + "). Reload the page.";
  }

  // Put `text` in the live region, replacing the last announcement; `kept`, a node already in
  // the region (an Undo whose button was the one pressed), stays after it so focus is not lost.
  function announce(region, text, kept) {
    if (!region) return;
    const message = document.createElement("p");
    message.className = "announcement is-error";
    message.textContent = text;
    const stays = kept && region.contains(kept) ? kept : null;
    region.replaceChildren(message);
    if (stays) region.appendChild(stays);
  }

  return { failure: failure, announce: announce };
})();
