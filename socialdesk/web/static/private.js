// The customer's private page: show agents' replies as they are delivered, without a reload that
// would lose what the customer is typing. A live stream (GET <page>/live) says when the conversation
// changed; where there is none, or it ends for good, the page asks every few seconds instead.
(function () {
  "use strict";
  const thread = document.getElementById("private-thread");
  if (!thread) return;
  const source = thread.dataset.src;
  let polling = null;

  async function refresh() {
    try {
      const response = await fetch(source, { credentials: "same-origin", headers: { Accept: "text/html" } });
      // Signed out, or the link expired or was withdrawn: the page itself says which.
      if (response.status === 401 || response.status === 404 || response.status === 410) {
        // A GET of the page, never a reload: after a refused message the page is a form's answer.
        window.location.replace(window.location.pathname);
        return;
      }
      if (!response.ok) return;
      const html = await response.text();
      if (html.trim() !== thread.innerHTML.trim()) thread.innerHTML = html;
    } catch (error) {
      // Offline for a moment: the next event or tick tries again.
    }
  }

  function poll(every) {
    if (!polling) polling = setInterval(refresh, every);
  }

  if (!window.EventSource || !thread.dataset.live) {
    poll(3000);
    return;
  }
  const live = new EventSource(thread.dataset.live);
  // Each (re)connection looks once: whatever changed while the stream was away is shown.
  live.onopen = function () {
    if (polling) { clearInterval(polling); polling = null; }
    refresh();
  };
  live.addEventListener("changed", refresh);
  live.onerror = function () {
    // The browser reconnects by itself; a stream that was refused stays closed: ask instead.
    if (live.readyState === EventSource.CLOSED) { poll(10000); refresh(); }
  };
  window.addEventListener("pagehide", function () { live.close(); });
  // Back from the back/forward cache with the stream closed: load the page anew.
  window.addEventListener("pageshow", function (event) { if (event.persisted) window.location.replace(window.location.pathname); });
})();
