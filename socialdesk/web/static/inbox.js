// The inbox's selection: "x" toggles the current row (app.js moves it with j/k), shift-click on a box
// selects the range since the last one, "e" resolves the selection (or the current row) in one bulk
// request. Without this file the boxes and the bulk bar still work as a plain form.
(function () {
  "use strict";

  var form = document.getElementById("bulk");
  if (!form) return;
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input.case-pick"));
  var all = document.getElementById("select-all");
  var count = document.getElementById("bulk-count");
  var last = -1;

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  }

  function refresh() {
    var n = 0;
    boxes.forEach(function (box) {
      box.closest("tr").classList.toggle("checked", box.checked);
      if (box.checked) n++;
    });
    if (count) count.textContent = n + " selected";
    form.classList.toggle("has-selection", n > 0);
    if (all) all.checked = n > 0 && n === boxes.length;
  }

  boxes.forEach(function (box, i) {
    box.addEventListener("click", function (e) {
      if (e.shiftKey && last >= 0 && last !== i) {
        var from = Math.min(last, i), to = Math.max(last, i);
        for (var k = from; k <= to; k++) boxes[k].checked = box.checked;
      }
      last = i;
      refresh();
    });
  });
  if (all) {
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      refresh();
    });
  }

  function currentIndex() {
    var row = document.querySelector("tr.case-row.selected");
    return row ? boxes.indexOf(row.querySelector("input.case-pick")) : -1;
  }

  function resolveSelection() {
    if (!boxes.some(function (b) { return b.checked; })) {
      var i = currentIndex();
      if (i < 0) return;
      boxes[i].checked = true;
    }
    Array.prototype.forEach.call(form.querySelectorAll("select"), function (s) { s.value = ""; });
    Array.prototype.forEach.call(form.querySelectorAll("input[name=tag]"), function (t) { t.value = ""; });
    document.getElementById("bulk-status").value = "resolved";
    form.requestSubmit(form.querySelector("button[value=apply]"));
  }

  document.addEventListener("keydown", function (e) {
    if (typing(e) || e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "x") {
      var i = currentIndex();
      if (i >= 0) { boxes[i].checked = !boxes[i].checked; last = i; refresh(); e.preventDefault(); }
    } else if (e.key === "e") {
      e.preventDefault();
      resolveSelection();
    }
  });
  refresh();
})();
