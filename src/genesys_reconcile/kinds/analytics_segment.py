"""`AnalyticsSegment`: a named conversation query.

Manages: the segments at `/api/v2/analytics/segments`: name, description, type, query.
Identity: the segment's `name`, unique in the org.
Writes: POST to create; PATCH of the fields that differ, with the live `version`; DELETE with
    `?version=`. A stale write is a 409 `version.mismatch` (or a refusal naming the version).
Settles: at once.
Options: `kinds.AnalyticsSegment.fields` in reconcile.yaml adds the field paths a query may
    name (`segments.fields`, its older spelling, still counts).
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds.base import (
    Kind,
    Selections,
    SpanT,
    differing,
    is_number,
    iso,
    mappings,
)
from genesys_reconcile.kinds.segment_fields import BUILTIN_FIELDS, is_duration, uncountable
from genesys_reconcile.manifest.diagnostics import Finding, Severity
from genesys_reconcile.settings import Settings

SEGMENTS = "/api/v2/analytics/segments"
# The body fields a file sets; the server adds id, version, dates and selfUri.
MANAGED = ("name", "description", "type", "query")
MAX_WINDOW = timedelta(days=180)

_ORDERING = {"GREATERTHAN", "GREATERTHANOREQUAL", "LESSTHAN", "LESSTHANOREQUAL"}
_NUMERIC_STATISTICS = {"SUM", "AVG", "MIN", "MAX"}
_RFC3339 = re.compile(r"\d{4}-\d\d-\d\d[Tt]\d\d:\d\d:\d\d(\.\d+)?([Zz]|[+-]\d\d:\d\d)")

Path = tuple[str | int, ...]


class AnalyticsSegment(Kind):
    kind: ClassVar[str] = "AnalyticsSegment"
    schema_file: ClassVar[str] = "analytics-segment.schema.json"
    identity_field: ClassVar[str] = "name"
    collection: ClassVar[str] = SEGMENTS
    directory: ClassVar[str] = "segments"
    options_schema: ClassVar[Mapping[str, Any]] = {
        "title": "AnalyticsSegment settings",
        "description": "Settings for AnalyticsSegment files.",
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "fields": {
                "title": "Extra field paths",
                "description": (
                    "Field paths allowed in segment queries in addition to the built-in ones, "
                    "each with its type: number (metrics) or text (dimensions)."
                ),
                "type": "object",
                "propertyNames": {
                    "pattern": "^[A-Za-z][A-Za-z0-9_]*(\\.[A-Za-z][A-Za-z0-9_]*)*$",
                    "patternErrorMessage": (
                        "must be a dotted field path such as conversation.metrics.talkDuration"
                    ),
                },
                "additionalProperties": {
                    "title": "Field type",
                    "description": (
                        "number: a metric, compared with numbers and aggregated; text: a "
                        "dimension, compared for equality and grouped by."
                    ),
                    "enum": ["number", "text"],
                },
            }
        },
    }
    managed: ClassVar[tuple[str, ...]] = MANAGED

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        query = data.get("query")
        if not isinstance(query, dict):
            return
        fields = {**BUILTIN_FIELDS, **settings.options(self.kind).get("fields", {})}
        window = query.get("timeWindow")
        if isinstance(window, dict):
            yield from _window_findings(window)
        for index, predicate in mappings(query.get("filter"), "predicates"):
            yield from _predicate_findings(
                ("query", "filter", "predicates", index), predicate, fields
            )
        yield from _preview_findings(query.get("filter"))
        yield from _aggregation_findings(query, fields)
        group_by = query.get("groupBy")
        for index, field in enumerate(group_by if isinstance(group_by, list) else []):
            path: Path = ("query", "groupBy", index)
            if not isinstance(field, str):
                continue
            if field not in fields:
                yield _unknown_field(path, field, fields)
            elif fields[field] == "number":
                yield Finding(
                    path,
                    f"cannot group by {field}, a numeric metric; group by a text field "
                    "such as queue.name",
                )

    # -- planning ------------------------------------------------------------------------------

    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        return _normalised(self.written(data))

    def canonical(self, data: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        return _normalised(data)

    def export(self, entity: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        return {"kind": self.kind} | _normalised(
            {k: entity[k] for k in self.managed if k in entity}
        )

    def impact(
        self,
        data: dict[str, Any],
        entity: dict[str, Any] | None,
        analytics: Selections[SpanT],
        window: SpanT,
        live: LiveState | None = None,
    ) -> str | None:
        # Same window on both sides, so the numbers differ only by what the filters select.
        before = entity.get("query") if entity else None
        if isinstance(before, dict) and _filter_of(before) == _filter_of(data["query"]):
            return None  # the filter did not change, so neither did what it selects

        def where(index: int) -> str:
            return f"predicate {index + 1}"

        after = analytics.matched(data["query"], window, where)
        line = f"matches {after:,} conversations in the last {window.days:g} days"
        if not isinstance(before, dict):
            return line
        was = analytics.matched(before, window, where)
        change = f", {(after - was) / was:+.0%}" if was else ""
        return f"{line} (was {was:,}{change})"

    def update_body(
        self, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        return differing(self.written(data), entity, _normalised)

    def delete_params(self, entity: dict[str, Any]) -> dict[str, Any] | None:
        return {"version": self.version_of(entity)}  # the API refuses a stale delete too

    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        fields = desired.keys() if desired is not None else self.managed
        return _normalised({k: entity[k] for k in fields if k in entity})


def _normalised(body: dict[str, Any]) -> dict[str, Any]:
    """Comparable: instants in one spelling, and predicates (which AND and OR combine in any
    order) sorted, so only real differences show."""
    # Copied only along the paths it changes (a deep copy was half the cost of a plan's diff);
    # the rest is shared with the file's data or the live entity, and only ever read.
    query = body.get("query")
    if not isinstance(query, dict):
        return dict(body)
    query = dict(query)
    window = query.get("timeWindow")
    if isinstance(window, dict):
        window = query["timeWindow"] = dict(window)
        for key in ("start", "end"):
            instant = _parse_instant(str(window.get(key, "")))
            if instant is not None:
                window[key] = iso(instant)
    filter_ = query.get("filter")
    if isinstance(filter_, dict) and isinstance(filter_.get("predicates"), list):
        predicates = sorted(filter_["predicates"], key=lambda p: json.dumps(p, sort_keys=True))
        query["filter"] = {**filter_, "predicates": predicates}
    return {**body, "query": query}


def _preview_findings(filter_: Any) -> Iterator[Finding]:
    """A warning where the preview and impact lines cannot count what the filter selects (the
    file stays valid: the segments endpoint stores it, and --conversations lists it)."""
    if not isinstance(filter_, dict) or not isinstance(filter_.get("predicates"), list):
        return
    predicates = filter_["predicates"]
    durations = [isinstance(p, dict) and is_duration(p.get("field")) for p in predicates]
    found = uncountable(durations, str(filter_.get("type", "AND")))
    if found is not None:
        index, message = found
        yield Finding(("query", "filter", "predicates", index, "field"), message, Severity.WARNING)


def _window_findings(window: dict[str, Any]) -> Iterator[Finding]:
    bounds: dict[str, datetime] = {}
    for key in ("start", "end"):
        text = window.get(key)
        if not isinstance(text, str):
            continue
        instant = _parse_instant(text)
        if instant is None:
            yield Finding(
                ("query", "timeWindow", key),
                f"{text!r} is not a date-time with a time zone, such as 2024-07-01T00:00:00Z",
            )
        else:
            bounds[key] = instant
    if len(bounds) < 2:
        return
    start, end = bounds["start"], bounds["end"]
    where: Path = ("query", "timeWindow", "end")
    if end <= start:
        yield Finding(
            where,
            "the time window ends before it starts"
            if end < start
            else "the time window ends when it starts",
        )
    elif end - start > MAX_WINDOW:
        days = (end - start) / timedelta(days=1)
        yield Finding(
            where, f"the time window spans {days:.1f} days; at most {MAX_WINDOW.days} are allowed"
        )


def _parse_instant(text: str) -> datetime | None:
    if not _RFC3339.fullmatch(text):
        return None
    try:
        return datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:  # well-formed but impossible, such as month 13
        return None


def _predicate_findings(
    path: Path, predicate: dict[str, Any], fields: Mapping[str, str]
) -> Iterator[Finding]:
    field, operator, value = predicate.get("field"), predicate.get("type"), predicate.get("value")
    if not isinstance(field, str):
        return
    if field not in fields:
        yield _unknown_field((*path, "field"), field, fields)
        return
    if fields[field] == "text" and operator in _ORDERING:
        yield Finding(
            (*path, "type"),
            f"{operator} compares numbers, but {field} is a text field; use EQUAL or NOTEQUAL",
        )
    if fields[field] == "number" and isinstance(value, str):
        yield Finding((*path, "value"), f"{field} is a number, but the value is the text {value!r}")
    if fields[field] == "text" and is_number(value):
        yield Finding(
            (*path, "value"), f"{field} is text, but the value is the number {value}; quote it"
        )


def _aggregation_findings(query: dict[str, Any], fields: Mapping[str, str]) -> Iterator[Finding]:
    seen: dict[tuple[Any, Any], int] = {}
    for index, aggregation in mappings(query, "aggregations"):
        path: Path = ("query", "aggregations", index)
        field, statistic = aggregation.get("field"), aggregation.get("type")
        if not isinstance(field, str):
            continue
        if field not in fields:
            yield _unknown_field((*path, "field"), field, fields)
        elif fields[field] == "text" and statistic in _NUMERIC_STATISTICS:
            yield Finding(
                (*path, "type"),
                f"{statistic} needs a numeric field, but {field} is text; use COUNT",
            )
        key = (statistic, field)
        if key in seen:
            yield Finding(path, f"repeats aggregations[{seen[key]}]", Severity.WARNING)
        seen.setdefault(key, index)


def _unknown_field(path: Path, field: str, fields: Mapping[str, str]) -> Finding:
    close = difflib.get_close_matches(field, list(fields), n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"known fields: {', '.join(sorted(fields))}"
    return Finding(
        path,
        f"unknown field path {field!r}; {hint} "
        "(add fields under kinds.AnalyticsSegment.fields in reconcile.yaml)",
    )


def _filter_of(query: dict[str, Any]) -> Any:
    return _normalised({"query": {"filter": query.get("filter") or {}}})["query"]["filter"]
