// The preview charts, part two: SVG drawing, queue colours, anomaly labels and the page's
// charts, using the buckets and ticks of `chart_time.js`.

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
