// Shortcuts on every page: "/" search, "g" then "i" the inbox, "?" this help. The inbox's own keys
// live in app.js (j, k, Enter) and inbox.js (x, e); the case page's in app.js (r, Ctrl+Enter).
(function () {
  "use strict";

  var SHORTCUTS = [
    ["j / k", "next / previous case"],
    ["Enter or o", "open the case"],
    ["x", "select or unselect the case (shift-click boxes to select a range)"],
    ["e", "resolve the selected cases (or the current one)"],
    ["/", "search the inbox"],
    ["g then i", "go to the inbox"],
    ["r", "on a case: write a reply; Ctrl+Enter sends it"],
    ["m", "on a case: pick a macro"],
    ["?", "show or hide this help; Esc closes it"],
  ];

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  var style = document.createElement("link");
  style.rel = "stylesheet";
  style.href = "/static/shortcuts.css";
  document.head.appendChild(style);

  var help = null;
  function buildHelp() {
    help = document.createElement("div");
    help.className = "shortcut-help";
    help.id = "shortcut-help";
    help.hidden = true;
    help.setAttribute("role", "dialog");
    help.setAttribute("aria-modal", "true");
    help.setAttribute("aria-label", "Keyboard shortcuts");
    var card = document.createElement("div");
    card.className = "shortcut-card";
    var title = document.createElement("h2");
    title.textContent = "Keyboard shortcuts";
    card.appendChild(title);
    var list = document.createElement("dl");
    SHORTCUTS.forEach(function (pair) {
      var dt = document.createElement("dt");
      pair[0].split(" ").forEach(function (word) {
        if (word === "/" && pair[0] !== "/") { dt.appendChild(document.createTextNode(" / ")); return; }
        if (word === "or" || word === "then") { dt.appendChild(document.createTextNode(" " + word + " ")); return; }
        var key = document.createElement("kbd");
        key.textContent = word;
        dt.appendChild(key);
      });
      var dd = document.createElement("dd");
      dd.textContent = pair[1];
      list.appendChild(dt);
      list.appendChild(dd);
    });
    card.appendChild(list);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "secondary small-button";
    close.textContent = "Close";
    close.addEventListener("click", function () { toggleHelp(false); });
    card.appendChild(close);
    help.appendChild(card);
    help.addEventListener("click", function (e) { if (e.target === help) toggleHelp(false); });
    document.body.appendChild(help);
  }

  function toggleHelp(show) {
    if (!help) buildHelp();
    help.hidden = show === undefined ? !help.hidden : !show;
  }

  var pendingG = 0;
  document.addEventListener("keydown", function (e) {
    if (e.key === "Escape" && help && !help.hidden) { toggleHelp(false); return; }
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "?") { e.preventDefault(); toggleHelp(); return; }
    if (e.key === "/") {
      // The page's own search box if it has one (the customer list's, say), else the inbox's.
      var search = document.getElementById("search") || document.querySelector("input[type=search]");
      e.preventDefault();
      if (search) { search.focus(); search.select(); }
      else { window.location = "/inbox"; }
      return;
    }
    if (e.key === "g") { pendingG = Date.now(); return; }
    if (e.key === "i" && Date.now() - pendingG < 1500) { pendingG = 0; e.preventDefault(); window.location = "/inbox"; }
  });
})();
