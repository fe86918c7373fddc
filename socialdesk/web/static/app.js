// Keyboard use of the inbox and the case page, and a question before forms that cannot be undone.
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function setupInbox() {
    var rows = Array.prototype.slice.call(document.querySelectorAll("tr.case-row"));
    if (!rows.length) return;
    var current = -1;
    function select(i) {
      if (current >= 0) rows[current].classList.remove("selected");
      current = Math.max(0, Math.min(rows.length - 1, i));
      rows[current].classList.add("selected");
      rows[current].focus();
    }
    rows.forEach(function (row, i) {
      row.addEventListener("click", function (e) {
        // Links, and the selection boxes of bulk actions (inbox.js), keep their own meaning.
        if (!e.target.closest("a, input, label, button, td.pick")) window.location = row.dataset.href;
      });
      row.addEventListener("focus", function () { current = rows.indexOf(row); });
    });
    // Live updates (live.js) add, drop and reorder rows: follow them, keeping the selected one.
    document.addEventListener("socialdesk:rows-changed", function () {
      rows = Array.prototype.slice.call(document.querySelectorAll("tr.case-row"));
      current = rows.findIndex(function (row) { return row.classList.contains("selected"); });
    });
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "j") { select(current + 1); e.preventDefault(); }
      else if (e.key === "k") { select(current - 1); e.preventDefault(); }
      else if ((e.key === "Enter" || e.key === "o") && current >= 0) { window.location = rows[current].dataset.href; }
    });
  }

  function setupReply() {
    var text = document.getElementById("reply-text");
    if (!text) return;
    var counter = document.getElementById("reply-counter");
    var max = parseInt(text.dataset.max || "0", 10);
    function count() {
      if (!max || !counter) return;
      var length = graphemes(text.value);
      counter.textContent = length + " / " + max;
      counter.classList.toggle("over", length > max);
    }
    text.addEventListener("input", count);
    count();
    text.addEventListener("keydown", function (e) {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); text.form.requestSubmit(); }
    });
    text.form.addEventListener("submit", function () {
      var button = text.form.querySelector("button[type=submit]");
      if (button) button.disabled = true;  // one click, one reply (the idempotency key covers the rest)
    });
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "r") { e.preventDefault(); text.focus(); }
    });
  }

  // A form that cannot be undone asks first (a rule's delete, withdrawing a private link).
  function setupConfirm() {
    document.querySelectorAll("form.confirm").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  setupInbox();
  setupReply();
  setupConfirm();
})();

// What people count as characters (one emoji, one accented letter), where the browser can tell.
function graphemes(value) {
  if (typeof Intl !== "undefined" && Intl.Segmenter) {
    var count = 0;
    for (var _ of new Intl.Segmenter().segment(value)) count++;
    return count;
  }
  return Array.from(value).length;
}
