"""Which answer each URL gets: a pure function of the board and the path, so the server around
it only speaks HTTP."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import unquote, urlsplit

from genesys_reconcile.dashboard.board import Board, Failure, Segment
from genesys_reconcile.dashboard.pages import (
    METRICS,
    failure_page,
    index_page,
    metrics_document,
    not_found_page,
    segment_page,
)
from genesys_reconcile.preview.render import render_csv, render_json

HTML = "text/html; charset=utf-8"
JSON = "application/json"
CSV = "text/csv; charset=utf-8"
_PREFIX = "/segments/"


@dataclass(frozen=True)
class Reply:
    status: int
    content_type: str
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def _json(status: int, data: Any) -> Reply:
    return Reply(status, JSON, json.dumps(data, indent=2, ensure_ascii=False) + "\n")


def reply_to(board: Board, target: str) -> Reply:
    """The answer to a GET of `target` (a path with an optional query, which is ignored)."""
    path = unquote(urlsplit(target).path)
    if path == "/":
        return Reply(200, HTML, index_page(board.segments))
    if path == METRICS:
        outcomes = [(s, board.preview_of(s)) for s in board.segments]
        return _json(200, metrics_document(datetime.now(UTC), outcomes))
    if path.startswith(_PREFIX):
        return _segment_reply(board, path)
    return Reply(404, HTML, not_found_page(path))


def _segment_reply(board: Board, path: str) -> Reply:
    name = path.removeprefix(_PREFIX)
    slug, _, extension = name.rpartition(".")
    if extension not in ("json", "csv"):
        slug, extension = name, ""
    segment = board.find(slug)
    if segment is None:
        if extension == "json":
            return _json(404, {"error": f"no segment at {path}; {METRICS} lists them all"})
        return Reply(404, HTML, not_found_page(path))
    outcome = board.preview_of(segment)
    if extension == "json":
        if isinstance(outcome, Failure):
            return _json(outcome.status, {"segment": segment.name, "error": outcome.message})
        return Reply(200, JSON, render_json(outcome) + "\n")
    if extension == "csv":
        if isinstance(outcome, Failure):
            return Reply(outcome.status, "text/plain; charset=utf-8", outcome.message + "\n")
        return Reply(200, CSV, render_csv(outcome), _attachment(segment))
    if isinstance(outcome, Failure):
        return Reply(outcome.status, HTML, failure_page(outcome))
    return Reply(200, HTML, segment_page(segment, outcome))


def _attachment(segment: Segment) -> dict[str, str]:
    # The slug is [a-z0-9-] only: nothing in it can break out of the header's quotes.
    return {"Content-Disposition": f'attachment; filename="{segment.slug}.csv"'}
