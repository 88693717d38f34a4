/* Every chart of the app, drawn with uPlot 1.6.32 (static/vendor). No build step, no inline
 * script (the CSP refuses it): each chart is an element with data-chart and, for its data, the
 * id of a json_script element in data-source.
 *   data-chart="pain"   a pain series (monitoring.selectors.pain_series_for: days and one
 *                       column per line); data-lines names the columns to draw, e.g.
 *                       "rest,activity,morning" or "worst,morning,phase".
 *   data-chart="metric" a metric against its baseline and gates: {days, lines, pass_fail}.
 *   data-chart="ladder" the velocity ladder (rehab.ladder.velocity_ladder): per day the
 *                       fastest sprint as % of pre-injury top speed (`top`), and the ceiling
 *                       and order of that day's phase (`ceiling`, `phase`).
 *   data-chart="spark"  the roster's 14-day worst pain, the values in data-values.
 * The element keeps its aria-label (or a text alternative next to it) for screen readers.
 * The words drawn on a chart (legend, axis labels, pass and fail) come translated on this
 * script's own element as data-* attributes (templates/_chart_scripts.html). */
(function () {
  "use strict";
  if (typeof uPlot === "undefined") { return; }
  var WORDS = document.currentScript.dataset;
  var COLORS = ["#0b63ce", "#b54708", "#067647", "#6941c6", "#5b6570"];
  // Each line of a chart differs by its pattern (solid, dotted, dashed) as well as its colour,
  // and the legend names it: the meaning never rests on colour alone (WCAG 1.4.1).
  var PAIN_LINES = {
    rest: { label: WORDS.rest, stroke: "#0b63ce" },
    activity: { label: WORDS.activity, stroke: "#b42318", dash: [2, 3] },
    morning: { label: WORDS.morning, stroke: "#7a5af8", dash: [6, 4] },
    worst: { label: WORDS.worst, stroke: "#b42318" }
  };
  var VALUE_DASHES = [null, [10, 4], [2, 3]];  // the sides of a bilateral metric
  var HEIGHT = { pain: 240, metric: 200, ladder: 240 };
  var D = 86400, MO = 30 * D, WEEK = 7 * D;
  // Ticks on whole days (uPlot's own day, month and year steps): never two ticks in one day.
  var DAY_STEPS = [D, 2 * D, 3 * D, WEEK, 2 * WEEK, MO, 2 * MO, 3 * MO, 6 * MO, 365 * D];
  // Values follow the pointer only where there is a pointer; a phone shows a plain legend.
  var LIVE_LEGEND = window.matchMedia("(hover: hover)").matches;
  var drawn = [];

  function parse(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : null;
  }

  // A calendar day ("2026-11-20") as unix seconds at the start of the viewer's local day:
  // the point sits on its day's tick, labelled with the same day wherever the viewer is.
  function dayStart(day) {
    var p = day.split("-");
    return new Date(+p[0], p[1] - 1, +p[2]).getTime() / 1000;
  }

  // Legend values (live where there is a pointer): empty until the pointer is on a day, "–"
  // for a day without a value.
  function legendValue(text) {
    return function (u, v, s, idx) { return idx == null ? "" : (v == null ? "–" : text(v)); };
  }
  // Month names as the page's language writes them in a short date (data-months, from the
  // locale's SHORT_DATE_FORMAT); uPlot's English ones where the page gives none.
  var NAMES = WORDS.months ? { MMM: WORDS.months.split(",") } : undefined;
  var dayText = uPlot.fmtDate("{D} {MMM}", NAMES);
  var DAY = { label: WORDS.day, value: function (u, v) { return v == null ? "" : dayText(new Date(v * 1000)); } };
  var outOfTen = legendValue(function (v) { return v + "/10"; });
  function passFail(v) { return v === 1 ? WORDS.pass : (v === 0 ? WORDS.fail : ""); }

  // Room above and below the values, so a line at the top or bottom stays visible.
  function padded(u, min, max) {
    var pad = (max - min) * 0.15 || Math.abs(max) * 0.05 || 1;
    return [min - pad, max + pad];
  }

  // Less than a week of days sits in the middle of a week: uPlot 1.6.32 stretches a lone day
  // over 1,000 days (its 86400 / ms for second timestamps) and gives a few days hourly ticks.
  function atLeastAWeek(plot) {
    var xs = plot.data[0], mid = (xs[0] + xs[xs.length - 1]) / 2;
    if (xs[xs.length - 1] - xs[0] < WEEK) { plot.setScale("x", { min: mid - WEEK / 2, max: mid + WEEK / 2 }); }
  }

  function dayTicks(u, splits) { return splits.map(function (v) { return dayText(new Date(v * 1000)); }); }
  function timeAxis() { return { values: dayTicks, space: 60, size: 36, incrs: DAY_STEPS }; }

  function base(el, kind) {
    return {
      width: el.clientWidth,
      height: HEIGHT[kind],
      legend: { live: LIVE_LEGEND },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true } }
    };
  }

  function painChart(el, d) {
    var lines = el.dataset.lines.split(",");
    var opts = base(el, "pain");
    var data = [d.days.map(dayStart)];
    var phases = lines.indexOf("phase") >= 0;
    opts.scales.y = { range: [0, 10] };
    opts.axes = [timeAxis(), { scale: "y", splits: [0, 2, 4, 6, 8, 10], size: 30, label: phases ? WORDS.painAxis : null }];
    opts.series = [DAY];
    lines.forEach(function (name) {
      data.push(d[name]);
      if (name === "phase") {
        var top = Math.max(6, Math.max.apply(null, d.phase.map(Number)));
        var orders = [];
        for (var i = 0; i <= top; i++) { orders.push(i); }
        opts.scales.phase = { range: [0, top] };
        opts.axes.push({ scale: "phase", side: 1, splits: orders, size: 30, label: WORDS.phaseAxis, grid: { show: false } });
        opts.series.push({
          label: WORDS.phase, scale: "phase", stroke: "#0b63ce", fill: "rgba(11,99,206,.08)", width: 2,
          paths: uPlot.paths.stepped({ align: 1 }), points: { show: false }, spanGaps: true,
          value: legendValue(function (v) { return WORDS.phaseValue.replace("{phase}", v); })
        });
        return;
      }
      var line = PAIN_LINES[name];
      var points = { size: 5, fill: line.stroke };
      // A day between two gaps has no line to it: its point must show whatever the density.
      if (d[name].indexOf(null) >= 0) { points.show = true; }
      opts.series.push({
        label: line.label, stroke: line.stroke, dash: line.dash, width: 2, scale: "y",
        points: points, value: outOfTen
      });
    });
    return new uPlot(opts, data, el);
  }

  function metricChart(el, d) {
    var opts = base(el, "metric");
    opts.scales.y = { range: padded };
    opts.axes = [timeAxis(), { size: 50 }];
    opts.series = [DAY];
    var data = [d.days.map(dayStart)];
    var values = 0;
    d.lines.forEach(function (line, i) {
      var color = COLORS[i % COLORS.length];
      var value = line.kind === "value";
      data.push(line.data);
      opts.series.push({
        label: line.label, stroke: color, spanGaps: true, width: value ? 2 : 1,
        dash: value ? VALUE_DASHES[values++ % VALUE_DASHES.length] : (line.kind === "gate" ? [6, 4] : [2, 3]),
        points: { show: value, size: 6, fill: "#fff" },
        value: legendValue(d.pass_fail ? passFail : String)
      });
    });
    if (d.pass_fail) {
      // A pass/fail test reads "pass" and "fail", not 1 and 0.
      opts.scales.y = { range: [-0.25, 1.25] };
      opts.axes[1] = { splits: [0, 1], values: function (u, splits) { return splits.map(passFail); }, size: 50 };
    }
    return new uPlot(opts, data, el);
  }

  function ladderChart(el, d) {
    var opts = base(el, "ladder");
    // Every value known: the sprints and the ceilings (phase 0 allows about 30 %).
    var known = d.top.concat(d.ceiling).filter(function (v) { return v != null; });
    var high = Math.max(100, Math.max.apply(null, known));
    var low = Math.min(40, Math.min.apply(null, known));
    opts.scales.y = { range: [Math.floor(low / 10) * 10, Math.ceil((high + 5) / 10) * 10] };
    // The unit rides on each tick ("80 %"); the card's heading and aria-label name the axis.
    opts.axes = [timeAxis(), { scale: "y", size: 60, values: function (u, splits) { return splits.map(function (v) { return v + " %"; }); } }];
    var pct = legendValue(function (v) { return v + " %"; });
    opts.series = [
      DAY,
      {
        // The ceiling each phase allows, as the step it takes on the day the phase changes.
        label: WORDS.ceiling, stroke: "#b54708", fill: "rgba(181,71,8,.08)", width: 2, dash: [6, 4],
        paths: uPlot.paths.stepped({ align: 1 }), points: { show: false }, spanGaps: true,
        value: function (u, v, s, idx) {
          if (idx == null) { return ""; }
          return v == null ? "–" : v + " % · " + WORDS.phaseValue.replace("{phase}", d.phase[idx]);
        }
      },
      {
        label: WORDS.topSpeed, stroke: "#0b63ce", width: 2, spanGaps: true,
        points: { show: true, size: 7, fill: "#0b63ce" }, value: pct
      },
    ];
    return new uPlot(opts, [d.days.map(dayStart), d.ceiling, d.top], el);
  }

  function sparkline(el) {
    var values = el.dataset.values.split(",").map(function (v) { return v === "" || v === "None" ? null : Number(v); });
    var opts = {
      width: el.clientWidth || 112, height: el.clientHeight || 28,
      padding: [3, 3, 3, 3],
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: false }, y: { range: [0, 10] } },
      axes: [{ show: false }, { show: false }],
      series: [{}, { stroke: "#b54708", width: 1.5, spanGaps: true, points: { show: true, size: 3, fill: "#b54708" } }]
    };
    return new uPlot(opts, [values.map(function (_, i) { return i; }), values], el);
  }

  function draw(el) {
    if (el.dataset.drawn) { return; }
    el.dataset.drawn = "1";
    var kind = el.dataset.chart;
    if (kind === "spark") { sparkline(el); return; }
    var d = parse(el.dataset.source);
    if (!d) { return; }
    var plot = kind === "pain" ? painChart(el, d) : (kind === "ladder" ? ladderChart(el, d) : metricChart(el, d));
    atLeastAWeek(plot);
    drawn.push({ el: el, plot: plot, height: HEIGHT[kind] });
  }

  function init(root) {
    root.querySelectorAll("[data-chart]").forEach(draw);
  }

  window.addEventListener("load", function () { init(document); });
  // htmx swaps in new rows (the roster's sparklines): draw what arrived.
  document.addEventListener("htmx:afterSettle", function (e) { init(e.detail.elt); });
  window.addEventListener("resize", function () {
    drawn.forEach(function (c) {
      if (c.el.isConnected) { c.plot.setSize({ width: c.el.clientWidth, height: c.height }); }
    });
  });
})();
