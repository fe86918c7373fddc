// The customer list from the keyboard: "/" jumps to the search box (j/k/Enter come from app.js).
(function () {
  "use strict";
  var search = document.getElementById("customer-search");
  if (!search) return;
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT")) return;
    if (e.key === "/" && !e.ctrlKey && !e.metaKey && !e.altKey) { e.preventDefault(); search.focus(); search.select(); }
  });
})();
