// The door list narrows as you type (the Find button still works without JavaScript: the server searches).
// Only when everyone is on the page: a long list is paged, and the server's search finds anyone on any page.
const list = document.getElementById("door-list");
const form = list && list.dataset.doorPages === "1" ? document.querySelector("[data-door-search]") : null;
const box = form && form.querySelector("input[name=q]");
const rows = [...document.querySelectorAll(".cop-door-row")];
const found = document.getElementById("door-found");
if (box) {
  const narrow = () => {
    const words = box.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const match = words.every((word) => row.dataset.doorText.includes(word));
      row.hidden = !match;
      if (match) shown += 1;
    }
    found.textContent = words.length ? `${shown} found for “${box.value.trim()}”` : `Confirmed places (${rows.length})`;
  };
  box.addEventListener("input", narrow);
}
