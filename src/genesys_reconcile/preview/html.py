"""A preview as one self-contained HTML page: summary, table, anomalies and time-series charts.

Nothing is fetched: the styles and the chart script (`chart_time.js` and `chart_draw.js`, beside
this module) are inline, and the data is the same document `--format json` prints, embedded as
JSON. The script draws three SVG charts (volume, rates, volume per queue with anomalies
labelled) with titled axes, ticks on calendar boundaries in the data's time zone, partial edge
buckets hatched, and more than 500 buckets summed into coarser ones with a note saying so.
Without script, the page still shows the table and the anomalies."""

from __future__ import annotations

import html
import json
import re
from importlib import resources

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


# Times are read in the data's own time zone (the zone the aggregates query bucketed in), so
# that ticks and buckets fall on the calendar boundaries the figures were counted on.
_SCRIPTS = ("chart_time.js", "chart_draw.js")


def _script() -> str:
    """The chart script: its parts, package data beside this module, as one function."""
    here = resources.files(__package__)
    parts = "".join(here.joinpath(name).read_text(encoding="utf-8") for name in _SCRIPTS)
    return f'(function () {{\n"use strict";\n{parts}}})();\n'


def render_html(preview: Preview) -> str:
    parts = {
        "TITLE": html.escape(f"What {preview.segment} selects"),
        "HEADLINE": html.escape(headline(preview)),
        "TABLE": _table(preview),
        "ANOMALIES": _anomalies(preview),
        "DATA": _embedded(to_document(preview)),
        "SCRIPT": _script(),
    }
    # One pass, so that a name holding "%TABLE%" stays text.
    return re.sub(r"%([A-Z]+)%", lambda m: parts.get(m[1], m[0]), _PAGE)


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
.chart svg { display: block; overflow: visible; }
.legend span { display: inline-block; margin-right: 1rem; }
.legend svg { display: inline-block; margin-right: .3rem; vertical-align: -1px; }
.note { color: #57606a; font-size: .9rem; margin: .25rem 0; }
.coarse-note { background: #fff8c5; padding: .35rem .6rem; border-radius: 4px; }
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
%SCRIPT%</script>
</body>
</html>
"""
