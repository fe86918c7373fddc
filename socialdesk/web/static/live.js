// Live updates (GET /live, Server-Sent Events; docs/live-updates.md). The inbox's rows and a case's
// thread refresh as posts arrive; a case page shows who else is viewing it or typing, and warns before
// a reply collides with theirs; the approvals page follows trainees' drafts. Pages work without this
// file: it only keeps them current.
(function () {
  "use strict";

  var inbox = document.getElementById("live-inbox");
  var onCase = document.getElementById("live-case");
  var approvals = document.getElementById("live-approvals");
  var root = inbox || onCase || approvals;
  if (!root || !window.EventSource || !window.fetch) return;
  var stateLabel = document.getElementById("live-state");
  var EVENTS = ["hello", "resync", "case.created", "case.updated", "case.deleted", "post.created",
    "post.updated", "note.created", "note.updated", "draft.created", "draft.updated", "presence.changed"];

  function showState(text, on) {
    if (!stateLabel) return;
    stateLabel.textContent = text;
    stateLabel.classList.toggle("on", on);
  }

  // The stream starts where the page was rendered (data-live-cursor), so nothing published between
  // the render and the connection is missed; the browser resumes with Last-Event-ID after a drop.
  function listen(onEvent) {
    var url = root.dataset.liveUrl;
    var cursor = root.dataset.liveCursor;
    if (cursor) url += (url.indexOf("?") >= 0 ? "&" : "?") + "last_event_id=" + encodeURIComponent(cursor);
    var source = new EventSource(url);
    source.onopen = function () { showState("live", true); };
    source.onerror = function () {
      showState(source.readyState === EventSource.CLOSED ? "offline: reload the page" : "reconnecting…", false);
    };
    EVENTS.forEach(function (name) {
      source.addEventListener(name, function (message) {
        var data;
        try { data = JSON.parse(message.data || "{}"); } catch (e) { return; }
        onEvent(name, data);
      });
    });
    window.addEventListener("pagehide", function () { source.close(); });
    // Back on the page from the browser's back/forward cache: its stream was closed, so load it anew.
    window.addEventListener("pageshow", function (event) { if (event.persisted) window.location.reload(); });
    return source;
  }

  // Fetch this page again and hand the fresh document to `apply`; bursts of events make one fetch.
  function refresher(apply) {
    var timer = null, running = false, again = false;
    function run() {
      timer = null;
      if (running) { again = true; return; }
      running = true;
      fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin" })
        .then(function (r) {
          if (r.status === 404) window.location.reload();  // the case was merged away: say so
          if (!r.ok) throw new Error("HTTP " + r.status);
          return r.text();
        })
        .then(function (html) { apply(new DOMParser().parseFromString(html, "text/html")); })
        .catch(function () { /* the next event, or a reload, tries again */ })
        .then(function () { running = false; if (again) { again = false; run(); } });
    }
    return function () { if (!timer) timer = setTimeout(run, 30); };
  }

  // What the agent is working in or pointing at is not replaced: a part under the pointer or holding
  // the focus (rows moving under a click could approve the wrong draft), a changed field, an open
  // <details> (a supervisor editing a draft).
  function busy(el) {
    var active = document.activeElement;
    if (el.matches(":hover") || (active && active !== document.body && el.contains(active))) return true;
    if (el.querySelector("details[open]")) return true;
    return Array.prototype.some.call(el.querySelectorAll("textarea, input:not([type=hidden])"), function (field) {
      return field.type === "checkbox" || field.type === "radio" ? field.checked !== field.defaultChecked : field.value !== field.defaultValue;
    });
  }

  // Replace each [data-live-swap] part of the page with the same part of the fresh document; a busy
  // part gets its newest version as soon as the pointer or the focus leaves it, if it is idle then.
  function swapParts(doc) {
    document.querySelectorAll("[data-live-swap][id]").forEach(function (el) {
      var fresh = doc.getElementById(el.id);
      if (!fresh) return;
      if (!busy(el)) { el.replaceWith(document.importNode(fresh, true)); return; }
      var waiting = !!el.liveFresh;
      el.liveFresh = fresh;
      if (waiting) return;
      function retry() {
        if (!el.isConnected || busy(el)) return;
        el.removeEventListener("mouseleave", retry);
        el.removeEventListener("focusout", later);
        el.replaceWith(document.importNode(el.liveFresh, true));
      }
      function later() { setTimeout(retry, 0); }  // once the focus has moved on
      el.addEventListener("mouseleave", retry);
      el.addEventListener("focusout", later);
    });
  }

  function csrfToken() {
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : "";
  }

  // ---- The inbox: rows are patched in place, so other scripts' handlers and ticked boxes survive.
  function setupInbox() {
    var known = {};
    var fresh = 0;
    var badge = document.getElementById("live-new");
    var badgeCount = document.getElementById("live-new-count");
    document.querySelectorAll("tr.case-row").forEach(function (row) { known[row.dataset.href] = true; });

    function showBadge() {
      if (!badge) return;
      badgeCount.textContent = String(fresh);
      badge.hidden = fresh === 0;
    }
    if (badge) {
      badge.addEventListener("click", function () {
        fresh = 0;
        document.querySelectorAll("tr.live-new-row").forEach(function (r) { r.classList.remove("live-new-row"); });
        showBadge();
        window.scrollTo(0, 0);
      });
    }

    function open(row) {
      row.addEventListener("click", function (e) {
        if (!e.target.closest("a, input, label, button, td.pick")) window.location = row.dataset.href;
      });
    }

    function adopt(row) {
      var href = row.dataset.href;
      if (!known[href]) {
        known[href] = true;
        row.classList.add("live-new-row");
        fresh++;
      }
      open(row);
      return row;
    }

    function update(row, newer) {
      var keep = ["selected", "checked", "live-new-row"].filter(function (c) { return row.classList.contains(c); });
      row.className = newer.className;
      keep.forEach(function (c) { row.classList.add(c); });
      if (row.cells.length !== newer.cells.length) {
        row.innerHTML = newer.innerHTML;
        return;
      }
      for (var i = 0; i < newer.cells.length; i++) {
        var cell = row.cells[i];
        if (cell.classList.contains("pick")) continue;  // the selection box keeps its state and handlers
        if (cell.innerHTML !== newer.cells[i].innerHTML) cell.innerHTML = newer.cells[i].innerHTML;
      }
    }

    function patch(body, newBody) {
      var current = {};
      Array.prototype.forEach.call(body.rows, function (row) { current[row.dataset.href] = row; });
      var order = Array.prototype.map.call(newBody.rows, function (newer) {
        var row = current[newer.dataset.href];
        if (!row) return adopt(document.importNode(newer, true));
        delete current[newer.dataset.href];
        update(row, newer);
        return row;
      });
      Object.keys(current).forEach(function (href) { current[href].remove(); });
      order.forEach(function (row) { body.appendChild(row); });
    }

    function swap(selector, doc) {
      var old = document.querySelector(selector), newer = doc.querySelector(selector);
      if (old && newer) old.replaceWith(document.importNode(newer, true));
    }

    var refresh = refresher(function (doc) {
      var table = document.getElementById("inbox");
      var newTable = doc.getElementById("inbox");
      if (table && newTable) {
        patch(table.tBodies[0], newTable.tBodies[0]);
      } else if (newTable) {  // the first case of an empty inbox
        var empty = document.querySelector("p.empty");
        if (!empty) return;
        var imported = document.importNode(newTable, true);
        Array.prototype.forEach.call(imported.tBodies[0].rows, adopt);
        empty.replaceWith(imported);
      } else if (table) {
        var none = doc.querySelector("p.empty");
        if (none) table.replaceWith(document.importNode(none, true));
      }
      swap("p.pager", doc);
      showBadge();
      document.dispatchEvent(new CustomEvent("socialdesk:rows-changed"));
    });

    listen(function (name) {
      if (name === "resync" || name.indexOf("case.") === 0 || name.indexOf("post.") === 0) refresh();
    });
  }

  // ---- A case: its thread, who else is on it, and the warning before sending.
  function setupCase() {
    var caseId = root.dataset.caseId;
    var me = parseInt(root.dataset.agentId, 10);
    var presenceUrl = root.dataset.presenceUrl;
    var line = document.getElementById("case-presence");
    var form = document.getElementById("reply-form");
    var text = document.getElementById("reply-text");
    var warning = document.getElementById("collision-warning");
    var warningText = document.getElementById("collision-text");
    var others = {};  // agent id -> {name, state, until}
    var happened = [];  // what other agents did on this case since this page was loaded
    var confirmed = false;

    if (form && warning) form.insertBefore(warning, form.querySelector(".reply-bar"));

    function nameOf(agentId) {
      if (others[agentId]) return others[agentId].name;
      return agentId ? "Another agent" : "Someone on the brand's account";
    }

    function note(who, what) {
      happened = happened.filter(function (h) { return !(h.who === who && h.what === what); });
      happened.push({ who: who, what: what, at: Date.now() });
    }

    function ago(at) {
      var s = Math.max(0, Math.round((Date.now() - at) / 1000));
      return s < 5 ? "just now" : s < 60 ? s + " s ago" : Math.round(s / 60) + " min ago";
    }

    function render() {
      var now = Date.now(), typing = [], viewing = [];
      Object.keys(others).forEach(function (id) {
        var o = others[id];
        if (o.until <= now) { delete others[id]; return; }
        (o.state === "typing" ? typing : viewing).push(o.name);
      });
      var parts = [];
      if (typing.length) parts.push(typing.join(" and ") + (typing.length > 1 ? " are" : " is") + " typing a reply…");
      if (viewing.length) parts.push(viewing.join(" and ") + (viewing.length > 1 ? " are" : " is") + " viewing this case");
      if (!line) return;
      line.textContent = parts.join(" · ");
      line.hidden = parts.length === 0;
      line.classList.toggle("typing", typing.length > 0);
    }
    setInterval(render, 1000);

    function swapThread(doc) {
      var posts = document.querySelector("ol.posts"), newer = doc.querySelector("ol.posts");
      if (posts && newer) {
        var had = {};
        posts.querySelectorAll("li.post").forEach(function (li) { had[li.id] = true; });
        var imported = document.importNode(newer, true);
        imported.querySelectorAll("li.post").forEach(function (li) { if (!had[li.id]) li.classList.add("live-arrived"); });
        posts.replaceWith(imported);
      }
      var status = document.getElementById("case-status"), newStatus = doc.getElementById("case-status");
      if (status && newStatus) { status.className = newStatus.className; status.textContent = newStatus.textContent; }
      swapParts(doc);
    }
    var refresh = refresher(swapThread);

    listen(function (name, data) {
      if (name === "presence.changed") {
        if (data.agent_id === me) return;
        if (data.state === "left") { delete others[data.agent_id]; }
        else {
          others[data.agent_id] = { name: data.agent_name, state: data.state, until: Date.now() + data.ttl * 1000 };
          if (data.state === "typing") note(data.agent_name, "was typing a reply");
        }
        render();
        return;
      }
      if (name === "post.created" && data.direction === "outbound" && data.agent_id !== me) {
        note(nameOf(data.agent_id), "replied");
      }
      if (name !== "hello") refresh();
    });

    // Heartbeats: "viewing" every few seconds, "typing" at once when the agent starts to type.
    var mine = null, lastInput = 0, lastSent = 0;
    function say(state) {
      var body = new FormData();
      body.append("csrf_token", csrfToken());
      body.append("case_id", caseId);
      body.append("state", state);
      if (state === "left") { if (navigator.sendBeacon) navigator.sendBeacon(presenceUrl, body); return; }
      mine = state;
      lastSent = Date.now();
      fetch(presenceUrl, { method: "POST", body: body, credentials: "same-origin" }).catch(function () {});
    }
    function beat() {
      var state = Date.now() - lastInput < 4000 ? "typing" : "viewing";
      if (state !== mine || Date.now() - lastSent > 5000) say(state);
    }
    if (text) text.addEventListener("input", function () { lastInput = Date.now(); beat(); });
    setInterval(beat, 1000);
    beat();
    window.addEventListener("pagehide", function () { say("left"); });

    if (!form || !warning) return;
    // Capture, so that the warning comes before app.js disables the button for a sending form.
    form.addEventListener("submit", function (e) {
      if (confirmed || !happened.length) return;
      e.preventDefault();
      e.stopImmediatePropagation();
      warningText.textContent = happened.map(function (h) { return h.who + " " + h.what + " " + ago(h.at); }).join("; ") +
        ". Send your reply anyway?";
      warning.hidden = false;
      document.getElementById("collision-send").focus();
    }, true);
    document.getElementById("collision-send").addEventListener("click", function () {
      confirmed = true;
      warning.hidden = true;
      form.requestSubmit();
    });
    document.getElementById("collision-cancel").addEventListener("click", function () {
      happened = [];  // the agent has seen it; what happens next warns again
      warning.hidden = true;
      var last = document.querySelector("ol.posts li.post:last-child");
      if (last) last.scrollIntoView({ block: "center" });
    });
  }

  // ---- The approvals page: the list of drafts, as trainees submit and supervisors decide.
  function setupApprovals() {
    var refresh = refresher(swapParts);
    listen(function (name) {
      if (name === "resync" || name.indexOf("draft.") === 0) refresh();
    });
  }

  if (inbox) setupInbox();
  else if (approvals) setupApprovals();
  else setupCase();
})();
