// The customer's private page: show agents' replies as they are delivered, without a reload that
// would lose what the customer is typing.
(function () {
  "use strict";
  const thread = document.getElementById("private-thread");
  if (!thread) return;
  const source = thread.dataset.src;
  async function refresh() {
    try {
      const response = await fetch(source, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!response.ok) return;
      const html = await response.text();
      if (html.trim() !== thread.innerHTML.trim()) thread.innerHTML = html;
    } catch (error) {
      // Offline for a moment: the next tick tries again.
    }
  }
  setInterval(refresh, 3000);
})();
