// The case page's macro picker and @mention autocomplete. Both only help: without this file the reply
// box and the note form work as plain forms.
(function () {
  "use strict";

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function readJson(id) {
    var node = document.getElementById(id);
    if (!node) return null;
    try { return JSON.parse(node.textContent); } catch (e) { return null; }
  }

  // Put `text` where the caret is (replacing a selection), and let the length counter recount.
  function insertAtCaret(box, text) {
    var start = box.selectionStart, end = box.selectionEnd;
    if (!box.value.trim()) { box.value = text; start = 0; end = 0; }
    else { box.value = box.value.slice(0, start) + text + box.value.slice(end); }
    var caret = (box.value === text ? text.length : start + text.length);
    box.setSelectionRange(caret, caret);
    box.dispatchEvent(new Event("input", { bubbles: true }));
  }

  // A small listbox navigated with the arrow keys; `choose` gets the chosen item's index.
  function listNavigation(items, choose) {
    var current = -1;
    function visible() { return items().filter(function (li) { return !li.hidden; }); }
    function mark(li) {
      items().forEach(function (other) {
        var on = other === li;
        other.classList.toggle("selected", on);
        other.setAttribute("aria-selected", on ? "true" : "false");
      });
      if (li && li.scrollIntoView) li.scrollIntoView({ block: "nearest" });
    }
    return {
      reset: function () { var v = visible(); current = v.length ? 0 : -1; mark(v[0] || null); },
      move: function (step) {
        var v = visible();
        if (!v.length) return;
        current = Math.max(0, Math.min(v.length - 1, current + step));
        mark(v[current]);
      },
      pick: function () { var v = visible(); if (current >= 0 && v[current]) choose(v[current]); return current >= 0 && !!v[current]; },
    };
  }

  function setupMacros() {
    var macros = readJson("macro-data");
    var box = document.getElementById("reply-text");
    var picker = document.getElementById("macro-picker");
    if (!macros || !box || !picker) return;
    var filter = document.getElementById("macro-filter");
    var opener = document.getElementById("macro-open");
    var warning = document.getElementById("macro-warning");
    var chosen = document.getElementById("reply-macro");
    var byId = {};
    macros.forEach(function (m) { byId[String(m.id)] = m; });
    function options() { return Array.prototype.slice.call(picker.querySelectorAll("li.macro-option")); }

    function insert(li) {
      var macro = byId[li.dataset.id];
      if (!macro) return;
      insertAtCaret(box, macro.text);
      if (chosen) chosen.value = String(macro.id);
      if (warning) {
        warning.textContent = macro.problem ? "This macro is too long here: " + macro.problem + "." : "";
        warning.hidden = !macro.problem;
      }
      close();
      box.focus();
    }
    var nav = listNavigation(options, insert);

    function applyFilter() {
      var words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
      options().forEach(function (li) {
        var m = byId[li.dataset.id];
        var hay = (m.name + " " + m.shortcut + " " + m.text).toLowerCase();
        li.hidden = !words.every(function (w) { return hay.indexOf(w) >= 0; });
      });
      nav.reset();
    }
    function open() {
      picker.hidden = false;
      if (opener) opener.setAttribute("aria-expanded", "true");
      filter.value = "";
      applyFilter();
      filter.focus();
    }
    function close() {
      picker.hidden = true;
      if (opener) opener.setAttribute("aria-expanded", "false");
    }

    filter.addEventListener("input", applyFilter);
    filter.addEventListener("keydown", function (e) {
      if (e.key === "ArrowDown") { e.preventDefault(); nav.move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); nav.move(-1); }
      else if (e.key === "Enter") { e.preventDefault(); nav.pick(); }  // never submits the reply form
      else if (e.key === "Escape") { e.preventDefault(); close(); box.focus(); }
    });
    options().forEach(function (li) { li.addEventListener("click", function () { insert(li); }); });
    if (opener) opener.addEventListener("click", function () { if (picker.hidden) open(); else close(); });
    document.addEventListener("keydown", function (e) {
      if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "m") { e.preventDefault(); open(); }
    });
    // A macro typed over entirely is no longer the macro whose actions would run.
    box.addEventListener("input", function () { if (chosen && !box.value.trim()) chosen.value = ""; });
    picker.dataset.ready = "true";  // the keys work from now on (browser tests wait for this)
  }

  function setupMentions() {
    var agents = readJson("mention-agents");
    var box = document.getElementById("note-text");
    var list = document.getElementById("mention-suggestions");
    if (!agents || !box || !list) return;
    var start = -1;  // where the "@" being completed is

    function items() { return Array.prototype.slice.call(list.querySelectorAll("li")); }
    function complete(li) {
      var handle = li.dataset.handle;
      var caret = box.selectionStart;
      box.value = box.value.slice(0, start) + "@" + handle + " " + box.value.slice(caret);
      var at = start + handle.length + 2;
      box.setSelectionRange(at, at);
      hide();
      box.focus();
    }
    var nav = listNavigation(items, complete);
    function hide() { list.hidden = true; list.textContent = ""; start = -1; }

    function suggest() {
      var before = box.value.slice(0, box.selectionStart);
      var match = /(^|[^\w@])@([\w.\-]*)$/.exec(before);
      if (!match) { hide(); return; }
      var query = match[2].toLowerCase();
      start = before.length - match[2].length - 1;
      var found = agents.filter(function (a) {
        return a.handle.indexOf(query) === 0 || a.name.toLowerCase().indexOf(query) >= 0;
      }).slice(0, 6);
      list.textContent = "";
      found.forEach(function (a) {
        var li = document.createElement("li");
        li.setAttribute("role", "option");
        li.dataset.handle = a.handle;
        li.textContent = "@" + a.handle + " — " + a.name;
        li.addEventListener("mousedown", function (e) { e.preventDefault(); complete(li); });
        list.appendChild(li);
      });
      list.hidden = !found.length;
      nav.reset();
    }

    box.addEventListener("input", suggest);
    box.addEventListener("keydown", function (e) {
      if (list.hidden) return;
      if (e.key === "ArrowDown") { e.preventDefault(); nav.move(1); }
      else if (e.key === "ArrowUp") { e.preventDefault(); nav.move(-1); }
      else if (e.key === "Enter" || e.key === "Tab") { if (nav.pick()) e.preventDefault(); }
      else if (e.key === "Escape") { e.preventDefault(); hide(); }
    });
    box.addEventListener("blur", function () { setTimeout(hide, 150); });
  }

  setupMacros();
  setupMentions();
})();
