// The preview charts, part one: the data's buckets in its own time zone, coarsened when there
// are too many, and the calendar ticks and numbers the axes show. `html.py` joins this and
// `chart_draw.js` into one function, in this order.
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
