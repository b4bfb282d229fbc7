// The preview page's charts: hand-written SVG drawn from the embedded preview document.
// Times are read in the data's own time zone (the zone the aggregates query bucketed in), so
// ticks and buckets fall on the same calendar boundaries the figures were counted on.
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("preview-data").textContent);
  var SVG = "http://www.w3.org/2000/svg";
  var ZONE = data.timeZone || "UTC";
  var MAX_BUCKETS = 500;  // beyond this a line is a solid comb at any screen width
  var MAX_LABELS = 12;
  var H = 280, L = 64, R = 16, T = 14, B = 52;
  var ORDER = ["PT1H", "P1D", "P1W", "P1M"];
  var UNIT = {PT1H: "hour", P1D: "day", P1W: "week", P1M: "month"};
  var AXIS = {PT1H: "Hour", P1D: "Day", P1W: "Week from Monday", P1M: "Month"};
  var WORD = {PT1H: "hourly", P1D: "daily", P1W: "weekly", P1M: "monthly"};
  var MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov",
                "Dec"];
  var DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  // A queue's colour comes from its name, never its position, so it is the same on every page.
  var PALETTE = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#e8710a", "#12939a", "#8c564b",
                 "#d6339c", "#5f6b7a", "#8a8a00", "#393b79", "#4e7d14"];
  var DASHES = ["", "7 3", "2 3"];
  var VOLUME = {offered: "#8fb8e8", answered: "#1a5e20", abandoned: "#c62828"};

  var fields = zoneFormat();
  function zoneFormat() {
    var options = {year: "numeric", month: "numeric", day: "numeric", hour: "numeric",
                   minute: "numeric", second: "numeric", hourCycle: "h23"};
    try {
      return new Intl.DateTimeFormat("en-GB", Object.assign({timeZone: ZONE}, options));
    } catch (e) {  // an unknown zone: UTC, and the axis says so
      ZONE = "UTC";
      return new Intl.DateTimeFormat("en-GB", Object.assign({timeZone: "UTC"}, options));
    }
  }
  // The instant's wall-clock time in ZONE, as a Date whose UTC fields are that wall clock.
  function wall(ms) {
    var f = {};
    fields.formatToParts(new Date(ms)).forEach(function (p) { f[p.type] = +p.value; });
    return new Date(Date.UTC(f.year, f.month - 1, f.day, f.hour % 24, f.minute, f.second));
  }
  function floorTo(w, gran) {  // the start of the calendar bucket holding wall time w
    var y = w.getUTCFullYear(), m = w.getUTCMonth(), d = w.getUTCDate();
    if (gran === "PT1H") return Date.UTC(y, m, d, w.getUTCHours());
    if (gran === "P1D") return Date.UTC(y, m, d);
    if (gran === "P1W") return Date.UTC(y, m, d - (w.getUTCDay() + 6) % 7);
    return Date.UTC(y, m, 1);
  }
  function after(start, gran) {  // the next calendar boundary after a bucket start (wall ms)
    var s = new Date(start);
    if (gran === "P1M") return Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1);
    return start + {PT1H: 3600e3, P1D: 864e5, P1W: 7 * 864e5}[gran];
  }

  // -- buckets: the document's, coarsened when there are too many to draw ---------------------

  function sourceBuckets() {
    var end = Date.parse(data.window.end);
    return data.buckets.map(function (b, i) {
      var next = data.buckets[i + 1];
      return {start: Date.parse(b.start), end: next ? Date.parse(next.start) : end,
              offered: b.offered, answered: b.answered, abandoned: b.abandoned,
              overSla: b.overSla, byQueue: b.byQueue};
    });
  }
  function merged(group) {
    var sum = {start: group[0].start, end: group[group.length - 1].end, offered: 0, answered: 0,
               abandoned: 0, overSla: 0, byQueue: {}};
    group.forEach(function (b) {
      ["offered", "answered", "abandoned"].forEach(function (k) { sum[k] += b[k]; });
      sum.overSla = sum.overSla === null || b.overSla === null ? null : sum.overSla + b.overSla;
      Object.keys(b.byQueue).forEach(function (q) {
        sum.byQueue[q] = (sum.byQueue[q] || 0) + b.byQueue[q];
      });
    });
    return sum;
  }
  function coarsened(buckets, gran) {
    var groups = [], key = null;
    buckets.forEach(function (b) {
      var k = floorTo(wall(b.start), gran);
      if (k !== key) { groups.push([]); key = k; }
      groups[groups.length - 1].push(b);
    });
    return groups.map(merged);
  }
  function isPartial(b, gran) {  // shorter than its calendar bucket: the window cuts it
    var ws = wall(b.start).getTime(), we = wall(b.end).getTime(), full = floorTo(new Date(ws), gran);
    return we - ws < after(full, gran) - full;
  }
  function series() {
    var buckets = sourceBuckets(), gran = data.granularity, level = ORDER.indexOf(gran);
    while (buckets.length > MAX_BUCKETS && level >= 0 && level < ORDER.length - 1) {
      gran = ORDER[++level];
      buckets = coarsened(buckets, gran);
    }
    buckets.forEach(function (b) {
      b.wall = wall(b.start);
      b.partial = isPartial(b, gran);
      b.abandonRate = b.offered ? b.abandoned / b.offered : null;
      b.slaBreachRate = b.offered && b.overSla !== null ? b.overSla / b.offered : null;
    });
    return {buckets: buckets, granularity: gran};
  }

  // -- numbers and words ----------------------------------------------------------------------

  function count(v) { return Math.round(v).toLocaleString("en"); }
  function pct(v) {
    return (v * 100).toLocaleString("en", {maximumFractionDigits: 2}) + " %";
  }
  function two(n) { return (n < 10 ? "0" : "") + n; }
  function dayText(w) { return w.getUTCDate() + " " + MONTHS[w.getUTCMonth()]; }
  function clock(w) { return two(w.getUTCHours()) + ":" + two(w.getUTCMinutes()); }
  function moment(w, gran) {  // a bucket as the readout and the hover labels name it
    var day = DAYS[w.getUTCDay()] + " " + dayText(w) + " " + w.getUTCFullYear();
    return gran === "PT1H" ? day + " " + clock(w) + " " + ZONE : day;
  }
  function scale(max, integers) {  // the tightest round top with 2 to 8 round steps
    if (!(max > 0)) return {top: 1, step: integers ? 1 : 0.25};
    var best = null, p = Math.pow(10, Math.floor(Math.log10(max)) - 1);
    [1, 2, 2.5, 5, 10, 20, 25, 50].forEach(function (m) {
      var step = m * p;
      if (integers && step % 1) return;  // no half conversations
      var steps = Math.ceil(max / step - 1e-9);
      if (steps < 2 || steps > 8) return;
      if (!best || steps * step < best.top) best = {top: steps * step, step: step};
    });
    return best || {top: Math.max(1, Math.ceil(max)), step: 1};
  }

  // -- ticks on calendar boundaries --------------------------------------------------------------

  var TICKS = [
    {gran: "PT1H", every: 1}, {gran: "PT1H", every: 3}, {gran: "PT1H", every: 6},
    {gran: "PT1H", every: 12}, {gran: "P1D", every: 1}, {gran: "P1D", every: 2},
    {gran: "P1W", every: 1}, {gran: "P1W", every: 2}, {gran: "P1M", every: 1},
    {gran: "P1M", every: 3}, {gran: "P1M", every: 6}, {gran: "P1M", every: 12}
  ];
  function onTick(w, unit) {
    if (w.getUTCMinutes() || w.getUTCSeconds()) return false;
    var h = w.getUTCHours();
    if (unit.gran === "PT1H") return h % unit.every === 0;
    if (h) return false;
    if (unit.gran === "P1D") return (w.getUTCDate() - 1) % unit.every === 0;
    if (unit.gran === "P1W") {
      return w.getUTCDay() === 1 && Math.round(w.getTime() / 6048e5) % unit.every === 0;
    }
    return w.getUTCDate() === 1 && w.getUTCMonth() % unit.every === 0;
  }
  function ticks(buckets, gran, room) {
    var usable = TICKS.filter(function (u) { return ORDER.indexOf(u.gran) >= ORDER.indexOf(gran); });
    for (var k = 0; k < usable.length; k++) {
      var spacing = usable[k].gran === "P1M" ? 56 : 64;  // room a label needs
      var found = [];
      buckets.forEach(function (b, i) { if (onTick(b.wall, usable[k])) found.push(i); });
      if (found.length <= Math.max(2, Math.floor(room / spacing))) {
        return {unit: usable[k], at: found};
      }
    }
    return {unit: usable[usable.length - 1], at: [0]};
  }
  function tickText(w, unit, previous) {  // the year where it changes, and on the first tick
    var year = previous === null || previous.getUTCFullYear() !== w.getUTCFullYear();
    var y = year ? " " + w.getUTCFullYear() : "";
    if (unit.gran === "P1M") return MONTHS[w.getUTCMonth()] + y;
    if (unit.gran === "PT1H" && w.getUTCHours() !== 0) {
      return previous === null ? dayText(w) + y + " " + clock(w) : clock(w);
    }
    return dayText(w) + y;
  }

  // -- drawing --------------------------------------------------------------------------------

  function el(name, attrs, parent) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (parent) parent.appendChild(node);
    return node;
  }
  function text(parent, attrs, words) {
    var node = el("text", Object.assign({"font-size": 11, fill: "#57606a"}, attrs), parent);
    node.textContent = words;
    return node;
  }
  function swatch(s) {  // the legend's picture of a series: its fill, stroke and dashes
    var icon = el("svg", {width: 22, height: 12, "aria-hidden": "true"}, null);
    if (s.area) el("rect", {x: 0, y: 3, width: 22, height: 9, fill: s.area}, icon);
    el("line", {x1: 0, x2: 22, y1: 6, y2: 6, stroke: s.color, "stroke-width": 2,
                "stroke-dasharray": s.dash || ""}, icon);
    return icon;
  }

  // Diagonal lines over a partial bucket's band, drawn out rather than as a pattern fill so
  // that the page references nothing, not even its own fragments.
  function hatch(svg, i, x0, width) {
    var g = el("g", {class: "partial", "data-bucket": i}, svg), x1 = x0 + width, y0 = T;
    var y1 = H - B;
    el("rect", {x: x0, y: y0, width: width, height: y1 - y0, fill: "#f6f8fa"}, g);
    for (var k = x0 + y0 + 6; k < x1 + y1; k += 7) {
      var from = Math.max(x0, k - y1), to = Math.min(x1, k - y0);
      if (from < to) {
        el("line", {x1: from, y1: k - from, x2: to, y2: k - to, stroke: "#afb8c1"}, g);
      }
    }
  }

  function chart(view, spec) {
    var buckets = view.buckets, n = buckets.length, W = view.width;
    var box = document.createElement("div");
    box.className = "chart";
    box.setAttribute("data-chart", spec.id);
    box.innerHTML = "<h2></h2><div class=legend></div>";
    box.querySelector("h2").textContent = spec.title;
    var svg = el("svg", {width: W, height: H, viewBox: "0 0 " + W + " " + H, role: "img"}, null);
    el("title", {}, svg).textContent = spec.title;
    var band = (W - L - R) / n;
    function x(i) { return L + (i + 0.5) * band; }
    var most = 0;
    spec.series.forEach(function (s) {
      s.values.forEach(function (v) { if (v !== null && v > most) most = v; });
    });
    var axis = scale(most * spec.factor, spec.integers), top = axis.top / spec.factor;
    function y(v) { return T + (H - T - B) * (1 - v / top); }
    buckets.forEach(function (b, i) { if (b.partial) hatch(svg, i, L + i * band, band); });
    for (var g = 0; g * axis.step <= axis.top + 1e-9; g++) {
      var v = g * axis.step / spec.factor;
      el("line", {x1: L, x2: W - R, y1: y(v), y2: y(v), stroke: g ? "#eaeef2" : "#8c959f"}, svg);
      text(svg, {x: L - 6, y: y(v) + 4, "text-anchor": "end", class: "y-tick"}, spec.format(v));
    }
    var t = ticks(buckets, view.granularity, W - L - R), previous = null;
    t.at.forEach(function (i) {
      var left = L + i * band;  // a tick marks where its bucket begins
      el("line", {x1: left, x2: left, y1: H - B, y2: H - B + 5, stroke: "#8c959f"}, svg);
      text(svg, {x: left, y: H - B + 17, "text-anchor": "middle", class: "x-tick"},
           tickText(buckets[i].wall, t.unit, previous));
      previous = buckets[i].wall;
    });
    text(svg, {x: 0, y: 0, "text-anchor": "middle", class: "axis-title", "font-weight": 600,
               transform: "translate(13 " + (T + (H - T - B) / 2) + ") rotate(-90)"}, spec.yTitle);
    text(svg, {x: L + (W - L - R) / 2, y: H - 8, "text-anchor": "middle", class: "axis-title",
               "font-weight": 600}, AXIS[view.granularity] + " (" + ZONE + ")");
    var legend = box.querySelector(".legend");
    spec.series.forEach(function (s) {
      var d = "", line = "";
      s.values.forEach(function (v, i) {
        if (v === null) { line += " "; return; }
        line += (line && line[line.length - 1] !== " " ? " L" : " M") + x(i) + "," + y(v);
      });
      d = line.trim();
      var attrs = {d: d, fill: "none", stroke: s.color, "stroke-width": s.width || 1.8,
                   "stroke-linejoin": "round", class: "series", "data-series": s.name,
                   "data-points": s.values.filter(function (v) { return v !== null; }).length};
      if (s.dash) attrs["stroke-dasharray"] = s.dash;
      if (s.area) {
        attrs.fill = s.area;
        attrs.d = "M" + x(0) + "," + y(0) + " L" + d.replace(/^M/, "") + " L" + x(n - 1) + "," +
                  y(0) + " Z";
      }
      el("path", attrs, svg);
      var item = document.createElement("span");
      item.className = "legend-item";
      item.appendChild(swatch(s));
      item.appendChild(document.createTextNode(s.name));
      if (s.values.every(function (v) { return v === null; })) {
        item.appendChild(document.createTextNode(" (not measured)"));
      }
      legend.appendChild(item);
    });
    var said = spec.marks ? spec.marks(svg, x, y, W) : "";
    box.appendChild(svg);
    if (said) {
      var marked = document.createElement("p");
      marked.className = "note anomaly-note";
      marked.textContent = said;
      box.appendChild(marked);
    }
    var partials = buckets.filter(function (b) { return b.partial; }).length;
    if (partials) {
      var note = document.createElement("p");
      note.className = "note partial-note";
      note.textContent = "Hatched: " + (partials === 1 ? "a partial " : partials + " partial ") +
        UNIT[view.granularity] + (partials === 1 ? "" : "s") + " at the edge of the window, " +
        "which covers only part of " + (partials === 1 ? "it" : "them") + "; expect lower counts.";
      box.appendChild(note);
    }
    var readout = document.createElement("div");
    readout.className = "readout";
    readout.innerHTML = "&nbsp;";
    box.appendChild(readout);
    var cursor = el("line", {y1: T, y2: H - B, stroke: "#57606a", visibility: "hidden"}, svg);
    svg.addEventListener("mousemove", function (event) {
      var r = svg.getBoundingClientRect();
      var i = Math.max(0, Math.min(n - 1, Math.floor((event.clientX - r.left - L) / band)));
      cursor.setAttribute("x1", x(i)); cursor.setAttribute("x2", x(i));
      cursor.setAttribute("visibility", "visible");
      readout.textContent = moment(buckets[i].wall, view.granularity) +
        (buckets[i].partial ? " (partial)" : "") + ":  " + spec.series.map(function (s) {
          return s.name + " " + (s.values[i] === null ? "-" : spec.format(s.values[i]));
        }).join("  ");
    });
    return box;
  }

  // -- the page: three charts, queue colours, anomalies -----------------------------------------

  function hash(name) {  // FNV-1a: a queue's colour and dashes from its name alone
    var h = 0x811c9dc5;
    for (var i = 0; i < name.length; i++) {
      h ^= name.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return h;
  }
  function queueName(q) { return data.queues[q] || q; }

  function anomalyMarks(view) {
    var index = {};
    view.buckets.forEach(function (b, i) { index[floorTo(b.wall, view.granularity)] = i; });
    return function (svg, x, y, W) {
      var placed = [];
      // Past a dozen, labels bury the lines: the strongest are labelled, every one has a title.
      var labelled = data.anomalies.slice().sort(function (a, b) {
        return Math.abs(b.z) - Math.abs(a.z);
      }).slice(0, MAX_LABELS);
      data.anomalies.forEach(function (a) {
        var i = index[floorTo(wall(Date.parse(a.start)), view.granularity)];
        if (i === undefined) return;
        var b = view.buckets[i];
        var value = a.metric === "offered" ? count(a.value) : pct(a.value);
        var what = a.metric === "offered" ? value + " offered" : "abandon rate " + value;
        var usual = a.metric === "offered" ? count(a.mean) : pct(a.mean);
        var at = moment(wall(Date.parse(a.start)), data.granularity);
        var g = el("g", {class: "anomaly", "data-queue": a.queue}, svg);
        var cy = y(b.byQueue[a.queueId] || 0);
        el("circle", {cx: x(i), cy: cy, r: 6, fill: "none", stroke: "#b42318",
                      "stroke-width": 2}, g);
        el("title", {}, g).textContent = a.queue + ": " + what + ", " + at + " (usual " + usual +
          ", z " + (a.z > 0 ? "+" : "") + a.z.toFixed(1) + ")";
        if (labelled.indexOf(a) < 0) return;
        var words = a.queue + " " + value + (view.granularity !== data.granularity
          ? " at " + clock(wall(Date.parse(a.start))) : "");
        var width = words.length * 6.3, left = Math.min(Math.max(x(i) - width / 2, L), W - R - width);
        var spot = [-12, -26, -40, 22, 36, -54].map(function (d) { return cy + d; })
          .filter(function (top) { return top > T + 8 && top < H - B; })
          .find(function (top) {
            return !placed.some(function (p) {
              return left < p.right && p.left < left + width && Math.abs(top - p.top) < 13;
            });
          });
        if (spot === undefined) spot = Math.max(T + 10, cy - 12);
        placed.push({left: left, right: left + width, top: spot});
        text(g, {x: left, y: spot, class: "anomaly-label", fill: "#b42318", "font-weight": 600,
                 stroke: "#fff", "stroke-width": 3, "paint-order": "stroke"}, words);
      });
      if (labelled.length < data.anomalies.length) {
        return data.anomalies.length + " anomalies: the " + labelled.length + " strongest are " +
          "labelled; point at a circle for any other (all are listed above the charts).";
      }
      return "";
    };
  }

  function column(view, key) { return view.buckets.map(function (b) { return b[key]; }); }

  function draw(target) {
    var view = series();
    view.width = Math.max(320, Math.round(target.clientWidth || 900));
    var per = " per " + UNIT[view.granularity];
    var seen = {};
    view.buckets.forEach(function (b) {
      Object.keys(b.byQueue).forEach(function (q) { seen[q] = 1; });
    });
    var queues = Object.keys(seen).sort(function (a, b) {
      return queueName(a).localeCompare(queueName(b));
    });
    var boxes = [
      chart(view, {id: "volume", title: "Conversations" + per, yTitle: "Conversations" + per,
                   factor: 1, integers: true, format: count, series: [
        {name: "offered", color: "#3b7dd8", area: VOLUME.offered, width: 1,
         values: column(view, "offered")},
        {name: "answered", color: VOLUME.answered, dash: "5 3", values: column(view, "answered")},
        {name: "abandoned", color: VOLUME.abandoned, values: column(view, "abandoned")}
      ]}),
      chart(view, {id: "rates", title: "Rates" + per, yTitle: "% of offered conversations",
                   factor: 100, integers: false, format: pct, series: [
        {name: "abandon rate", color: "#c62828", values: column(view, "abandonRate")},
        {name: "SLA breach rate", color: "#9a6700", dash: "5 3",
         values: column(view, "slaBreachRate")}
      ]}),
      chart(view, {id: "queues", title: "Offered per queue" + per + " (anomalies circled)",
                   yTitle: "Conversations offered" + per, factor: 1, integers: true,
                   format: count, marks: anomalyMarks(view),
                   series: queues.map(function (q) {
        var h = hash(queueName(q));
        return {name: queueName(q), color: PALETTE[h % PALETTE.length],
                dash: DASHES[(h >>> 16) % DASHES.length],
                values: view.buckets.map(function (b) { return b.byQueue[q] || 0; })};
      })})
    ];
    target.textContent = "";
    if (view.granularity !== data.granularity) {
      var note = document.createElement("p");
      note.className = "note coarse-note";
      note.textContent = data.buckets.length.toLocaleString("en") + " " +
        WORD[data.granularity] + " buckets are drawn as " + view.buckets.length + " " +
        WORD[view.granularity] + " ones (sums per " + UNIT[view.granularity] + ", " + ZONE +
        ") to fit the width; anomalies keep their " + UNIT[data.granularity] + ", and " +
        "--format json or csv has every " + UNIT[data.granularity] + ".";
      target.appendChild(note);
    }
    boxes.forEach(function (box) { target.appendChild(box); });
  }

  if (!data.buckets.length) return;
  var target = document.createElement("div");
  document.getElementById("charts").appendChild(target);
  draw(target);
  var lastWidth = target.clientWidth, pending = false;
  window.addEventListener("resize", function () {  // redraw so labels keep their size
    if (pending || target.clientWidth === lastWidth) return;
    pending = true;
    window.requestAnimationFrame(function () {
      pending = false;
      lastWidth = target.clientWidth;
      draw(target);
    });
  });
})();
