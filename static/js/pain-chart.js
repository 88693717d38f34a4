/* History page: daily pain (rest, activity, next morning) over the last weeks, with uPlot. */
(function () {
  "use strict";
  var el = document.getElementById("pain-chart");
  var data = document.getElementById("pain-series");
  if (!el || !data || !window.uPlot) return;
  var s = JSON.parse(data.textContent);
  function line(label, color, dash) {
    return { label: label, stroke: color, width: 2, dash: dash, points: { size: 5, fill: color }, value: function (u, v) { return v == null ? "–" : v + "/10"; } };
  }
  function opts() {
    return {
      width: el.clientWidth,
      height: 220,
      scales: { y: { range: [0, 10] } },
      axes: [
        { values: "{D} {MMM}", space: 60, size: 36 },
        { splits: [0, 2, 4, 6, 8, 10], size: 30 }
      ],
      legend: { live: false },
      series: [
        { value: "{D} {MMM}" },
        line("Rest", "#0b63ce"),
        line("Activity", "#b42318"),
        line("Morning", "#7a5af8", [6, 4])
      ]
    };
  }
  var plot = new uPlot(opts(), [s.x, s.rest, s.activity, s.morning], el);
  window.addEventListener("resize", function () { plot.setSize({ width: el.clientWidth, height: 220 }); });
})();
