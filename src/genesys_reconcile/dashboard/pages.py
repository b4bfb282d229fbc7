"""What the dashboard serves: the index page, the metrics document, and a segment's page with
its way back to the index. A segment's own figures, page and CSV are the preview's renderers,
called as `reconcile preview` calls them."""

from __future__ import annotations

import html
import re
from datetime import datetime
from typing import Any

from genesys_reconcile.dashboard.board import Failure, Segment
from genesys_reconcile.preview.html import render_html
from genesys_reconcile.preview.render import to_document
from genesys_reconcile.preview.run import Preview

METRICS = "/api/dashboard/metrics"


def links(segment: Segment) -> dict[str, str]:
    base = f"/segments/{segment.slug}"
    return {"page": base, "json": f"{base}.json", "csv": f"{base}.csv"}


def metrics_entry(segment: Segment, outcome: Preview | Failure) -> dict[str, Any]:
    """One segment in the metrics document: its figures and alerts (the preview's anomalies),
    or the error that kept them from being read, and where its exports are."""
    entry: dict[str, Any] = {"segment": segment.name, "slug": segment.slug}
    if isinstance(outcome, Failure):
        return {**entry, "error": outcome.message, "links": links(segment)}
    document = to_document(outcome)
    figures = {k: document[k] for k in ("window", "granularity", "totals", "rows")}
    return {**entry, **figures, "alerts": document["anomalies"], "links": links(segment)}


def metrics_document(
    generated: datetime, outcomes: list[tuple[Segment, Preview | Failure]]
) -> dict[str, Any]:
    return {
        "generatedAt": generated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "segments": [metrics_entry(segment, outcome) for segment, outcome in outcomes],
    }


def segment_page(segment: Segment, outcome: Preview) -> str:
    """The preview's page with links back to the index and to its exports above its title."""
    nav = _nav(segment)
    # After the body's opening tag, whatever attributes the preview's page gives it.
    page = render_html(outcome)
    return re.sub(r"<body[^>]*>", lambda tag: f"{tag.group(0)}\n{nav}", page, count=1)


def failure_page(failure: Failure) -> str:
    title = html.escape(f"What {failure.segment.name} selects")
    body = f"<p>The preview failed: {html.escape(failure.message)}</p>"
    return _page(title, f"{_nav(failure.segment)}\n<h1>{title}</h1>\n{body}")


def not_found_page(path: str) -> str:
    message = html.escape(f"No segment at {path}. The index lists the repository's segments.")
    return _page("Not found", f'<h1>Not found</h1>\n<p>{message}</p>\n<p><a href="/">Index</a></p>')


def index_page(segments: list[Segment]) -> str:
    items = "\n".join(
        f'<li><a href="{html.escape(links(s)["page"])}">{html.escape(s.name)}</a> '
        f'(<a href="{html.escape(links(s)["csv"])}">CSV</a>, '
        f'<a href="{html.escape(links(s)["json"])}">JSON</a>)</li>'
        for s in segments
    )
    body = (
        "<h1>Segments</h1>\n"
        f"<p>What each analytics segment of the repository selects. All of them as JSON: "
        f'<a href="{METRICS}">{METRICS}</a>.</p>\n<ul>\n{items}\n</ul>'
    )
    return _page("Segments", body)


def _nav(segment: Segment) -> str:
    link = links(segment)
    return (
        f'<nav><a href="/">All segments</a> · <a href="{html.escape(link["csv"])}">CSV</a> · '
        f'<a href="{html.escape(link["json"])}">JSON</a></nav>'
    )


def _page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n<style>body {{ font: 14px/1.45 system-ui, sans-serif; "
        "margin: 2rem auto; max-width: 72rem; padding: 0 1rem; }</style>\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
