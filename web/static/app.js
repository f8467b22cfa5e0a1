// groupwatch console: the overview refreshes itself. The server renders the HTML (escaped
// by html/template); this only fetches it again and puts it in place.
"use strict";
(function () {
  var box = document.getElementById("overview");
  if (!box || !box.dataset.live) {
    return;
  }
  var every = 5000;
  function refresh() {
    fetch(box.dataset.live, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (r) {
        if (r.redirected || !r.ok) {
          throw new Error("overview: HTTP " + r.status);
        }
        return r.text();
      })
      .then(function (html) {
        box.innerHTML = html;
        box.dataset.refreshed = new Date().toISOString();
      })
      .catch(function () {
        box.dataset.stale = "true";
      })
      .finally(function () {
        setTimeout(refresh, every);
      });
  }
  setTimeout(refresh, every);
})();
