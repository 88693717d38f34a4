/* Coach workspace: charts (Chart.js 4.4.9) and dialogs. No build step. */
(function () {
  "use strict";
  var COLORS = ["#0b63ce", "#b54708", "#067647", "#6941c6", "#5b6570"];

  function parse(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  function sparkline(canvas) {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var values = canvas.dataset.sparkline.split(",").map(function (v) { return v === "" || v === "None" ? null : Number(v); });
    new Chart(canvas, {
      type: "line",
      data: { labels: values.map(function (_, i) { return i; }), datasets: [{ data: values, borderColor: "#b54708", borderWidth: 1.5, pointRadius: 1.5, spanGaps: true }] },
      options: { responsive: false, animation: false, events: [], plugins: { legend: { display: false }, tooltip: { enabled: false } }, scales: { x: { display: false }, y: { display: false, min: 0, max: 10 } } }
    });
  }

  function painChart(canvas) {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var d = parse(canvas.dataset.source);
    new Chart(canvas, {
      type: "line",
      data: {
        labels: d.labels,
        datasets: [
          { label: "Worst pain (0–10)", data: d.worst, borderColor: "#b42318", pointRadius: 1, borderWidth: 1.5, yAxisID: "y" },
          { label: "Morning pain", data: d.morning, borderColor: "#f79009", pointRadius: 0, borderWidth: 1, yAxisID: "y" },
          { label: "Phase", data: d.phase, borderColor: "#0b63ce", backgroundColor: "rgba(11,99,206,.08)", fill: true, stepped: true, pointRadius: 0, borderWidth: 2, yAxisID: "phase" }
        ]
      },
      options: {
        animation: false, maintainAspectRatio: false, interaction: { mode: "index", intersect: false },
        scales: {
          y: { min: 0, max: 10, title: { display: true, text: "pain" } },
          phase: { position: "right", min: 0, max: 6, ticks: { stepSize: 1 }, grid: { drawOnChartArea: false }, title: { display: true, text: "phase" } },
          x: { ticks: { maxTicksLimit: 12 } }
        }
      }
    });
  }

  function metricChart(canvas) {
    if (canvas.dataset.drawn) return;
    canvas.dataset.drawn = "1";
    var d = parse(canvas.dataset.source);
    var i = 0;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: d.labels,
        datasets: d.lines.map(function (line) {
          var color = COLORS[i++ % COLORS.length];
          return {
            label: line.label, data: line.data, spanGaps: true, borderColor: color,
            borderDash: line.kind === "value" ? [] : (line.kind === "gate" ? [6, 4] : [2, 3]),
            pointRadius: line.kind === "value" ? 3 : 0, borderWidth: line.kind === "value" ? 2 : 1
          };
        })
      },
      options: {
        animation: false, maintainAspectRatio: false,
        plugins: {
          legend: { labels: { boxWidth: 12 } },
          tooltip: d.pass_fail ? { callbacks: { label: function (c) { return c.dataset.label + ": " + passFail(c.parsed.y); } } } : {}
        },
        // A pass/fail test reads "pass" and "fail", not 1.00 and 0.00.
        scales: d.pass_fail ? { y: { min: -0.25, max: 1.25, ticks: { stepSize: 0.25, callback: passFail } } } : {}
      }
    });
  }

  function passFail(v) { return v === 1 ? "pass" : (v === 0 ? "fail" : ""); }

  function init(root) {
    if (typeof Chart === "undefined") return;
    root.querySelectorAll("canvas[data-sparkline]").forEach(sparkline);
    root.querySelectorAll("canvas[data-pain-chart]").forEach(painChart);
    root.querySelectorAll("canvas[data-metric-chart]").forEach(metricChart);
  }

  document.addEventListener("click", function (e) {
    var opener = e.target.closest("[data-open-dialog]");
    if (opener) { document.getElementById(opener.dataset.openDialog).showModal(); }
    var closer = e.target.closest("[data-close-dialog]");
    if (closer) { closer.closest("dialog").close(); }
  });
  window.addEventListener("load", function () { init(document); });
  document.addEventListener("htmx:afterSettle", function (e) { init(e.detail.elt); });
  // Print and back on the report: handlers here, not inline (the CSP refuses inline ones).
  document.addEventListener("click", function (e) {
    var action = e.target.closest("[data-print], [data-history-back]");
    if (!action) { return; }
    e.preventDefault();
    if (action.hasAttribute("data-print")) { window.print(); } else { history.back(); }
  });
})();
