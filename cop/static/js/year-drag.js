// Drag and drop on "Plan the year", where JavaScript runs: a theme dragged onto a month fills in the
// "Move a theme to a month" form and sends it: the same POST with the same CSRF token, answered by the
// page the server gives. The form stays on the page for keyboards, single pointers and browsers without
// JavaScript (WCAG 2.2, 2.5.7 Dragging Movements).
(function () {
  "use strict";
  var form = document.getElementById("place-form");
  var board = document.getElementById("year-board");
  if (!form || !board) return;
  var hint = document.querySelector(".cop-drag-hint");
  if (hint) hint.hidden = false;
  var dragged = null;

  function slotOf(chip) { return chip.closest(".cop-month-slot"); }

  board.querySelectorAll(".cop-theme-chip[data-theme]").forEach(function (chip) {
    chip.draggable = true;
    chip.classList.add("cop-draggable");
    chip.addEventListener("dragstart", function (event) {
      dragged = { theme: chip.dataset.theme, month: slotOf(chip).dataset.month };
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", chip.dataset.theme);
    });
    chip.addEventListener("dragend", function () { dragged = null; });
  });

  board.querySelectorAll(".cop-month-slot").forEach(function (slot) {
    function accepts() { return dragged && dragged.month !== slot.dataset.month; }
    slot.addEventListener("dragover", function (event) {
      if (!accepts()) return;
      event.preventDefault();  // allows the drop
      event.dataTransfer.dropEffect = "move";
      slot.classList.add("cop-drop-target");
    });
    slot.addEventListener("dragleave", function () { slot.classList.remove("cop-drop-target"); });
    slot.addEventListener("drop", function (event) {
      slot.classList.remove("cop-drop-target");
      if (!accepts()) return;
      event.preventDefault();
      form.elements["place-theme"].value = dragged.theme;
      form.elements["place-month"].value = slot.dataset.month;
      form.submit();
    });
  });
})();
