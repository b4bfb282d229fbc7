"""What a segment selects: run its queries against the org and normalise the answers."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_reconcile.kinds.analytics_segment import AnalyticsSegment
from genesys_reconcile.preview.anomalies import Anomaly, Baseline, detect, period_of
from genesys_reconcile.preview.query import (
    PreviewError,
    Window,
    aggregates_body,
    detail_filters,
    pieces,
    segment_window,
    terms,
)
from genesys_reconcile.preview.report import Bucket, Counts, Row, bucket_starts, normalise, total
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.settings import Settings
from genesys_reconcile.validation import InvalidFiles, Resource, validate

PAGE_SIZE = 100


def load_segment(path: Path, settings: Settings) -> Resource:
    """The segment in `path`, validated as `reconcile validate` would."""
    if not path.is_file():
        raise PreviewError(f"no such file: {path}")
    report = validate([path], settings)
    if report.failed():
        raise InvalidFiles(report, "the file is invalid; nothing was previewed")
    (resource,) = report.resources
    if not isinstance(resource.kind, AnalyticsSegment):
        wanted = AnalyticsSegment.kind
        raise PreviewError(
            f"{path} holds a {resource.kind.kind}; preview shows what an {wanted} selects"
        )
    return resource


def _place(resource: Resource) -> Callable[[int], str]:
    def where(index: int) -> str:
        return str(resource.document.locate(("query", "filter", "predicates", index, "field")))

    return where


@dataclass(frozen=True)
class Preview:
    segment: str
    window: Window
    granularity: str
    query: dict[str, Any]  # the aggregates body sent
    rows: list[Row]
    buckets: list[Bucket]
    anomalies: list[Anomaly]
    baseline: Baseline
    queues: dict[str, str]  # id -> name

    @property
    def totals(self) -> Counts:
        return total(r.counts for r in self.rows)


def preview(
    analytics: Analytics,
    resource: Resource,
    window: Window | None = None,
    baseline: Baseline | None = None,
) -> Preview:
    """The segment's conversations by queue and media type over `window` (default: its own)."""
    query = resource.document.data["query"]
    window = window or segment_window(query)
    body = aggregates_body(query, terms(query, analytics.lookup, _place(resource)), window)
    answer = analytics.aggregates(body)
    queues = analytics.queue_names()
    granularity = body["granularity"]
    normal = normalise(answer, queues, bucket_starts(window, granularity), body)
    baseline = baseline or Baseline()
    anomalies = detect(normal.buckets, queues, period_of(granularity), baseline)
    return Preview(
        resource.name,
        window,
        granularity,
        body,
        normal.rows,
        normal.buckets,
        anomalies,
        baseline,
        queues,
    )


# -- --conversations: the details query, flattened ---------------------------------------------


@dataclass(frozen=True)
class Conversation:
    conversation_id: str
    start: str
    media_type: str
    direction: str
    queue: str
    agent: str
    wait_s: float | None
    handle_s: float | None
    abandoned: bool


@dataclass(frozen=True)
class Conversations:
    segment: str
    window: Window
    rows: list[Conversation]
    total: int  # matches in the window, of which `rows` are the first


def conversations(
    analytics: Analytics, resource: Resource, window: Window | None = None, limit: int = 100
) -> Conversations:
    """The first `limit` conversations the segment selects, oldest first, and how many match.

    A details query spans at most 31 days, so a longer window is read in 31-day pieces."""
    query = resource.document.data["query"]
    window = window or segment_window(query)
    filters = detail_filters(query, terms(query, analytics.lookup, _place(resource)))
    rows: list[Conversation] = []
    hits = 0
    for piece in pieces(window):
        number = 1
        while True:
            size = PAGE_SIZE if len(rows) < limit else 1  # past the limit, only count
            body = {"interval": piece.interval, **filters, "order": "asc"}
            body["paging"] = {"pageSize": size, "pageNumber": number}
            answer = analytics.details(body)
            if number == 1:
                hits += int(answer.get("totalHits", 0))
            page = answer.get("conversations", [])
            rows += [_flatten(c) for c in page][: max(0, limit - len(rows))]
            if size == 1 or len(page) < size or len(rows) >= limit:
                break
            number += 1
    return Conversations(resource.name, window, rows, hits)


def _flatten(conversation: Mapping[str, Any]) -> Conversation:
    participants = conversation.get("participants", [])
    by_purpose = {p.get("purpose"): p for p in participants}
    acd, agent = by_purpose.get("acd", {}), by_purpose.get("agent", {})
    session: Mapping[str, Any] = next((s for p in participants for s in p.get("sessions", [])), {})
    acd_metrics = _metrics(acd)
    wait = acd_metrics.get("tAnswered", acd_metrics.get("tAbandon"))
    handle = _metrics(agent).get("tHandle")
    return Conversation(
        conversation_id=str(conversation.get("conversationId", "")),
        start=str(conversation.get("conversationStart", "")),
        media_type=str(session.get("mediaType", "")),
        direction=str(conversation.get("originatingDirection", "")),
        queue=str(acd.get("participantName", "")),
        agent=str(agent.get("participantName", "")),
        wait_s=None if wait is None else wait / 1000,
        handle_s=None if handle is None else handle / 1000,
        abandoned="tAbandon" in acd_metrics,
    )


def _metrics(participant: Mapping[str, Any]) -> dict[str, int]:
    return {
        m["name"]: int(m["value"])
        for s in participant.get("sessions", [])
        for m in s.get("metrics", [])
        if "name" in m and "value" in m
    }
