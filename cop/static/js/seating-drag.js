// Drag and drop on the seating plan, where JavaScript runs: a shortcut for the "Move a person" and
// "Swap two people" forms, which stay on the page for keyboards and browsers without JavaScript.
// A drop fills in the same form and submits it: the same POST with the same CSRF token, and the
// page the server answers with (the plan with its score redone, or the form with its error).
(function () {
  "use strict";
  // The round named after # (a jump link, or the round just changed) opens; the others stay folded.
  function openNamedRound() {
    var named = location.hash && document.getElementById(location.hash.slice(1));
    if (named && named.tagName === "DETAILS") named.open = true;
  }
  openNamedRound();
  window.addEventListener("hashchange", openNamedRound);
  var moveForm = document.getElementById("move-form");
  var swapForm = document.getElementById("swap-form");
  if (!moveForm || !swapForm) return;
  var hint = document.querySelector(".cop-drag-hint");
  if (hint) hint.hidden = false;
  var dragged = null;

  function fill(form, values) {
    Object.keys(values).forEach(function (name) { form.elements[name].value = String(values[name]); });
    form.submit();
  }

  function accepts(table) {
    return dragged && dragged.round === table.dataset.round && dragged.table !== table.dataset.table;
  }

  document.querySelectorAll(".cop-seating-table tr[data-person]").forEach(function (row) {
    row.draggable = true;
    row.classList.add("cop-draggable");
    row.addEventListener("dragstart", function (event) {
      var table = row.closest("table");
      dragged = { person: row.dataset.person, round: table.dataset.round, table: table.dataset.table };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.dataset.person);
    });
    row.addEventListener("dragend", function () { dragged = null; });
  });

  document.querySelectorAll(".cop-seating-table").forEach(function (table) {
    table.addEventListener("dragover", function (event) {
      if (!accepts(table)) return;
      event.preventDefault();  // allows the drop
      event.dataTransfer.dropEffect = "move";
      table.classList.add("cop-drop-target");
    });
    table.addEventListener("dragleave", function () { table.classList.remove("cop-drop-target"); });
    table.addEventListener("drop", function (event) {
      table.classList.remove("cop-drop-target");
      if (!accepts(table)) return;
      event.preventDefault();
      var onto = event.target.closest("tr[data-person]");
      if (onto) {
        fill(swapForm, { person: dragged.person, swap_with: onto.dataset.person, round: dragged.round });
      } else {
        fill(moveForm, { person: dragged.person, round: dragged.round, table: table.dataset.table });
      }
    });
  });
})();
