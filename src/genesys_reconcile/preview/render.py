"""A preview as an aligned table, CSV or JSON (HTML is `preview.html`).

CSV and JSON carry the same figures with the same rounding, so a CSV read back equals the JSON
rows; the table is for people, with thousands separators, percentages and minutes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any

from genesys_reconcile.kinds.base import iso
from genesys_reconcile.preview.anomalies import Anomaly
from genesys_reconcile.preview.report import Counts
from genesys_reconcile.preview.run import Conversation, Conversations, Preview
from genesys_reconcile.text_safety import visible

GRANULARITY_WORDS = {"PT1H": "hourly", "P1D": "daily", "P1W": "weekly", "P1M": "monthly"}
ROW_COLUMNS = (
    "queueId",
    "queue",
    "mediaType",
    "offered",
    "answered",
    "abandoned",
    "overSla",
    "abandonRate",
    "slaBreachRate",
    "avgHandleSeconds",
    "avgWaitSeconds",
)
CONVERSATION_COLUMNS = (
    "conversationId",
    "start",
    "mediaType",
    "direction",
    "queue",
    "agent",
    "waitSeconds",
    "handleSeconds",
    "abandoned",
)


def _round(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def figures(counts: Counts) -> dict[str, Any]:
    """The numbers of one row, bucket or total, as JSON and CSV carry them."""
    return {
        "offered": counts.offered,
        "answered": counts.answered,
        "abandoned": counts.abandoned,
        "overSla": counts.over_sla,
        "abandonRate": _round(counts.abandon_rate, 6),
        "slaBreachRate": _round(counts.sla_breach_rate, 6),
        "avgHandleSeconds": _round(counts.avg_handle_s, 3),
        "avgWaitSeconds": _round(counts.avg_wait_s, 3),
    }


def to_document(preview: Preview) -> dict[str, Any]:
    """The preview as plain data: what `--format json` prints and the HTML page draws."""
    baseline = preview.baseline
    return {
        "segment": preview.segment,
        "window": {"start": iso(preview.window.start), "end": iso(preview.window.end)},
        "granularity": preview.granularity,
        # The zone the buckets were cut in: where a bucket (a day, say) begins and ends.
        "timeZone": preview.query.get("timeZone", "UTC"),
        "query": preview.query,
        "totals": figures(preview.totals),
        "rows": [
            {
                "queueId": r.queue_id,
                "queue": r.queue,
                "mediaType": r.media_type,
                **figures(r.counts),
            }
            for r in preview.rows
        ],
        "queues": preview.queues,
        "buckets": [
            {
                "start": iso(b.start),
                **figures(b.counts),
                "byQueue": {q: c.offered for q, c in sorted(b.by_queue.items())},
            }
            for b in preview.buckets
        ],
        "baseline": {
            "window": baseline.window,
            "minSamples": baseline.min_samples,
            "threshold": baseline.threshold,
            "minVolume": baseline.min_volume,
        },
        "anomalies": [
            {
                "queueId": a.queue_id,
                "queue": a.queue,
                "start": iso(a.start),
                "metric": a.metric,
                "value": round(a.value, 6),
                "mean": round(a.mean, 6),
                "z": round(a.z, 3),
            }
            for a in preview.anomalies
        ],
    }


def render_json(preview: Preview) -> str:
    return json.dumps(to_document(preview), indent=2, ensure_ascii=False)


def render_csv(preview: Preview) -> str:
    rows = to_document(preview)["rows"]
    return _csv(ROW_COLUMNS, rows)


def _csv(columns: Sequence[str], rows: Sequence[Mapping[str, Any]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: _cell(row[k]) for k in columns})
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A CSV cell as the JSON output spells it: `true`/`false`, empty for none."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


# -- the table --------------------------------------------------------------------------------


def count(n: int) -> str:
    return f"{n:,}"


def percent(rate: float | None) -> str:
    return "-" if rate is None else f"{rate * 100:.1f} %"


def duration(seconds: float | None) -> str:
    if seconds is None:
        return "-"
    whole = round(seconds)
    if whole < 60:
        return f"{whole}s"
    if whole < 3600:
        return f"{whole // 60}m {whole % 60:02d}s"
    return f"{whole // 3600}h {whole % 3600 // 60:02d}m"


def cells(counts: Counts) -> list[str]:
    return [
        count(counts.offered),
        count(counts.answered),
        count(counts.abandoned),
        percent(counts.abandon_rate),
        percent(counts.sla_breach_rate),
        duration(counts.avg_handle_s),
        duration(counts.avg_wait_s),
    ]


HEADERS = (
    "Queue",
    "Media",
    "Offered",
    "Answered",
    "Abandoned",
    "Abandon rate",
    "SLA breach",
    "Avg handle",
    "Avg wait",
)


def table(headers: Sequence[str], rows: Sequence[Sequence[str]], left: int) -> list[str]:
    """Aligned columns: the first `left` to the left, the rest (numbers) to the right. Cells
    hold queue, agent and media names from the org, shown escaped (and measured so)."""
    rows = [[visible(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: Sequence[str]) -> str:
        parts = [
            c.ljust(w) if i < left else c.rjust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(parts).rstrip()

    return [line(headers), line(["-" * w for w in widths]), *map(line, rows)]


def headline(preview: Preview) -> str:
    window = preview.window
    return (
        f"{visible(preview.segment)}: {count(preview.totals.offered)} conversations, "
        f"{window.start:%Y-%m-%d %H:%M} to {window.end:%Y-%m-%d %H:%M} UTC "
        f"({window.days:.4g} days), {GRANULARITY_WORDS.get(preview.granularity, '')} buckets"
    )


def table_rows(preview: Preview) -> list[list[str]]:
    """The table's cells: a row per queue and media type, then the totals."""
    rows = [[r.queue, r.media_type, *cells(r.counts)] for r in preview.rows]
    return [*rows, ["Total", "", *cells(preview.totals)]]


def render_table(preview: Preview) -> str:
    lines = [headline(preview), "", *table(HEADERS, table_rows(preview), left=2), ""]
    lines += unmeasured_lines(preview.totals)
    lines += anomaly_lines(preview)
    return "\n".join(lines)


def unmeasured_lines(totals: Counts) -> list[str]:
    """Why some columns show "-" whatever the data: a duration condition's views count the
    conversations in range, but measure nothing else of them."""
    missing = [
        name
        for name, measured in (
            ("SLA breach", totals.over_sla),
            ("avg handle", totals.handled),
            ("avg wait", totals.waited),
        )
        if measured is None
    ]
    if not missing:
        return []
    names = ", ".join(missing[:-1]) + (" and " if len(missing) > 1 else "") + missing[-1]
    return [
        f"{names}: not measured for the conversations a duration condition selects "
        "(the analytics API counts them with views).",
        "",
    ]


def baseline_words(preview: Preview) -> str:
    b = preview.baseline
    hourly = preview.granularity == "PT1H"
    against = "the same hour on " if hourly else ""
    unit = "days" if hourly else "buckets"
    return (
        f"each queue against {against}up to {b.window} preceding {unit}, "
        f"at least {b.min_samples}; |z| >= {b.threshold:g}"
    )


def anomaly_text(a: Anomaly) -> str:
    if a.metric == "abandonRate":
        what = f"abandon rate {percent(a.value)} (usual {percent(a.mean)})"
    else:
        what = f"offered {a.value:,.0f} (usual {a.mean:,.1f})"
    return f"{a.start:%Y-%m-%d %H:%M}  {visible(a.queue)}: {what}, z {a.z:+.1f}"


def anomaly_lines(preview: Preview) -> list[str]:
    if not preview.anomalies:
        return [f"No anomalies ({baseline_words(preview)})."]
    noun = "anomaly" if len(preview.anomalies) == 1 else "anomalies"
    lines = [f"{len(preview.anomalies)} {noun} ({baseline_words(preview)}):"]
    return lines + [f"  {anomaly_text(a)}" for a in preview.anomalies]


# -- --conversations --------------------------------------------------------------------------


def _conversation_document(row: Conversation) -> dict[str, Any]:
    return {
        "conversationId": row.conversation_id,
        "start": row.start,
        "mediaType": row.media_type,
        "direction": row.direction,
        "queue": row.queue,
        "agent": row.agent,
        "waitSeconds": row.wait_s,
        "handleSeconds": row.handle_s,
        "abandoned": row.abandoned,
    }


def render_conversations(found: Conversations, output_format: str) -> str:
    rows = [_conversation_document(r) for r in found.rows]
    if output_format == "json":
        window = {"start": iso(found.window.start), "end": iso(found.window.end)}
        document = {"segment": found.segment, "window": window, "total": found.total}
        return json.dumps({**document, "conversations": rows}, indent=2, ensure_ascii=False)
    if output_format == "csv":
        return _csv(CONVERSATION_COLUMNS, rows)
    headers = ("Conversation", "Start", "Media", "Direction", "Queue", "Agent", "Wait", "Handle")
    cells = [
        [
            r.conversation_id,
            r.start,
            r.media_type,
            r.direction,
            r.queue,
            r.agent or ("(abandoned)" if r.abandoned else ""),
            duration(r.wait_s),
            duration(r.handle_s),
        ]
        for r in found.rows
    ]
    shown = f"the first {len(found.rows):,}" if len(found.rows) < found.total else "all"
    title = f"{visible(found.segment)}: {found.total:,} conversations match; {shown} shown"
    return "\n".join([title, "", *table(headers, cells, left=6)])
