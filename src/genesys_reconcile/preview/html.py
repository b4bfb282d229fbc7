"""A preview as one self-contained HTML page: summary, table, anomalies and time-series charts.

Nothing is fetched: the styles and the chart script are inline, and the data is the same
document `--format json` prints, embedded as JSON. The script draws three SVG charts (volume,
rates, volume per queue with anomalies marked) and a readout that follows the pointer. Without
script, the page still shows the table and the anomalies.
"""

from __future__ import annotations

import html
import json

from genesys_reconcile.preview.render import (
    HEADERS,
    anomaly_text,
    baseline_words,
    headline,
    table_rows,
    to_document,
)
from genesys_reconcile.preview.run import Preview


def _embedded(data: object) -> str:
    # "<" escaped, so no value (a segment name, say) can close the script element.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def _table(preview: Preview) -> str:
    rows = table_rows(preview)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in HEADERS)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _anomalies(preview: Preview) -> str:
    words = html.escape(baseline_words(preview))
    if not preview.anomalies:
        return f"<p>No anomalies ({words}).</p>"
    items = "".join(f"<li>{html.escape(anomaly_text(a))}</li>" for a in preview.anomalies)
    return f"<p>Anomalies ({words}):</p><ul class=anomalies>{items}</ul>"


def render_html(preview: Preview) -> str:
    title = html.escape(f"What {preview.segment} selects")
    return (
        _PAGE.replace("%TITLE%", title)
        .replace("%HEADLINE%", html.escape(headline(preview)))
        .replace("%TABLE%", _table(preview))
        .replace("%ANOMALIES%", _anomalies(preview))
        .replace("%DATA%", _embedded(to_document(preview)))
    )


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%TITLE%</title>
<style>
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem;
       padding: 0 1rem; color: #1f2328; }
h1 { font-size: 1.3rem; margin-bottom: .25rem; }
.headline { color: #57606a; margin-top: 0; }
table { border-collapse: collapse; margin: 1rem 0; }
th, td { padding: .25rem .6rem; border-bottom: 1px solid #d0d7de; text-align: right; }
th:nth-child(-n+2), td:nth-child(-n+2) { text-align: left; }
tbody tr:last-child td { font-weight: 600; }
.chart { margin: 1.5rem 0; }
.chart h2 { font-size: 1rem; margin: 0 0 .25rem; }
.chart svg { width: 100%; height: auto; overflow: visible; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend i { display: inline-block; width: .8rem; height: .8rem; margin-right: .3rem;
            vertical-align: -1px; border-radius: 2px; }
.readout { color: #57606a; min-height: 1.4em; font-variant-numeric: tabular-nums; }
.anomalies li { color: #b42318; }
</style>
</head>
<body>
<h1>%TITLE%</h1>
<p class="headline">%HEADLINE%</p>
%TABLE%
%ANOMALIES%
<div id="charts">
<noscript>The charts need JavaScript; the table above has the figures.</noscript>
</div>
<script type="application/json" id="preview-data">%DATA%</script>
<script>
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("preview-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var W = 900, H = 260, L = 56, R = 12, T = 10, B = 28;
  var COLORS = ["#0969da", "#1a7f37", "#cf222e", "#8250df", "#bf8700", "#1b7c83", "#d1242f",
                "#6e7781", "#953800", "#0550ae"];
  var buckets = data.buckets, n = buckets.length;

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function x(i) { return L + (n > 1 ? i * (W - L - R) / (n - 1) : (W - L - R) / 2); }
  function scale(v) {  // a round top and a number of gridlines that gives round steps
    if (!(v > 0)) return {top: 1, steps: 4};
    var p = Math.pow(10, Math.floor(Math.log10(v))), m = v / p;
    if (m <= 1) return {top: p, steps: 5};
    if (m <= 2) return {top: 2 * p, steps: 4};
    if (m <= 5) return {top: 5 * p, steps: 5};
    return {top: 10 * p, steps: 5};
  }
  function label(i) {
    var s = buckets[i].start;
    return data.granularity === "PT1H" ? s.slice(5, 10) + " " + s.slice(11, 16) : s.slice(0, 10);
  }

  function chart(title, series, format, marks) {
    var box = document.createElement("div");
    box.className = "chart";
    box.innerHTML = "<h2></h2><div class=legend></div><div class=readout>&nbsp;</div>";
    box.querySelector("h2").textContent = title;
    var svg = el("svg", {viewBox: "0 0 " + W + " " + H, role: "img"}, null);
    el("title", {}, svg).textContent = title;
    box.appendChild(svg);
    var axis = scale(Math.max.apply(null, series.map(function (s) {
      return Math.max.apply(null, s.values.map(function (v) { return v || 0; }).concat([0]));
    })));
    var top = axis.top;
    function y(v) { return T + (H - T - B) * (1 - v / top); }
    for (var g = 0; g <= axis.steps; g++) {
      var v = top * g / axis.steps;
      el("line", {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: "#d0d7de"}, svg);
      el("text", {x: L - 6, y: y(v) + 4, "text-anchor": "end", "font-size": 11,
                  fill: "#57606a"}, svg).textContent = format(v);
    }
    var ticks = Math.min(n, 6);
    for (var t = 0; t < ticks; t++) {
      var i = ticks > 1 ? Math.round(t * (n - 1) / (ticks - 1)) : 0;
      var anchor = ticks > 1 && t === 0 ? "start" : t === ticks - 1 ? "end" : "middle";
      el("text", {x: x(i), y: H - 8, "text-anchor": anchor, "font-size": 11,
                  fill: "#57606a"}, svg).textContent = label(i);
    }
    var legend = box.querySelector(".legend");
    series.forEach(function (s) {
      var points = [];
      s.values.forEach(function (v, i) { if (v !== null) points.push(x(i) + "," + y(v)); });
      el("polyline", {points: points.join(" "), fill: "none", stroke: s.color,
                      "stroke-width": 1.5, "data-series": s.name}, svg);
      var item = document.createElement("span");
      item.innerHTML = "<i></i>";
      item.firstChild.style.background = s.color;
      item.appendChild(document.createTextNode(s.name));
      legend.appendChild(item);
    });
    (marks || []).forEach(function (m) {
      var c = el("circle", {cx: x(m.index), cy: y(m.value), r: 5, fill: "none",
                            stroke: "#b42318", "stroke-width": 2, class: "anomaly"}, svg);
      el("title", {}, c).textContent = m.text;
    });
    var cursor = el("line", {y1: T, y2: H - B, stroke: "#8c959f", visibility: "hidden"}, svg);
    var readout = box.querySelector(".readout");
    svg.addEventListener("mousemove", function (event) {
      var r = svg.getBoundingClientRect();
      var px = (event.clientX - r.left) * W / r.width;
      var i = Math.max(0, Math.min(n - 1, Math.round((px - L) * (n - 1) / (W - L - R))));
      cursor.setAttribute("x1", x(i)); cursor.setAttribute("x2", x(i));
      cursor.setAttribute("visibility", "visible");
      readout.textContent = buckets[i].start + "  " + series.map(function (s) {
        return s.name + " " + (s.values[i] === null ? "-" : format(s.values[i]));
      }).join("  ");
    });
    document.getElementById("charts").appendChild(box);
  }

  function column(key) { return buckets.map(function (b) { return b[key]; }); }
  function count(v) { return Math.round(v).toLocaleString("en"); }
  function pct(v) { return (v * 100).toFixed(1) + " %"; }

  if (!n) return;
  chart("Conversations per bucket", [
    {name: "offered", color: COLORS[0], values: column("offered")},
    {name: "answered", color: COLORS[1], values: column("answered")},
    {name: "abandoned", color: COLORS[2], values: column("abandoned")}
  ], count);
  chart("Rates per bucket", [
    {name: "abandon rate", color: COLORS[2], values: column("abandonRate")},
    {name: "SLA breach rate", color: COLORS[4], values: column("slaBreachRate")}
  ], pct);
  var index = {};
  buckets.forEach(function (b, i) { index[b.start] = i; });
  var seen = {};
  buckets.forEach(function (b) { Object.keys(b.byQueue).forEach(function (q) { seen[q] = 1; }); });
  function name(q) { return data.queues[q] || q; }
  var queues = Object.keys(seen).sort(function (a, b) { return name(a).localeCompare(name(b)); });
  chart("Offered per queue (anomalies circled)", queues.map(function (q, k) {
    return {name: name(q), color: COLORS[k % COLORS.length],
            values: buckets.map(function (b) { return b.byQueue[q] || 0; })};
  }), count, data.anomalies.filter(function (a) { return a.metric === "offered"; })
    .map(function (a) {
      return {index: index[a.start], value: a.value,
              text: a.start + " " + a.queue + ": offered " + a.value + " (usual " +
                    a.mean.toFixed(1) + ", z " + a.z.toFixed(1) + ")"};
    }));
})();
</script>
</body>
</html>
"""
