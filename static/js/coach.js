/* Staff pages: dialogs, print and back. No build step; the charts are in charts.js. */
(function () {
  "use strict";
  document.addEventListener("click", function (e) {
    var opener = e.target.closest("[data-open-dialog]");
    if (opener) { document.getElementById(opener.dataset.openDialog).showModal(); }
    var closer = e.target.closest("[data-close-dialog]");
    if (closer) { closer.closest("dialog").close(); }
  });
  // Print and back on the report: handlers here, not inline (the CSP refuses inline ones).
  document.addEventListener("click", function (e) {
    var action = e.target.closest("[data-print], [data-history-back]");
    if (!action) { return; }
    e.preventDefault();
    if (action.hasAttribute("data-print")) { window.print(); } else { history.back(); }
  });
})();
