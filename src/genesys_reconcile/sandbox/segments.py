"""Analytics segments: `/api/v2/analytics/segments`.

The server validates every body itself: `reconcile validate` must catch these problems first,
and the sandbox proves it does by refusing what slips through.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.http import (
    Org,
    Request,
    Response,
    body_object,
    check_version,
    page,
    reject_unknown,
)
from genesys_reconcile.sandbox.state import public

BASE = "/api/v2/analytics/segments"
# The six common paths and a few more that real orgs use; `number` fields are metrics.
FIELDS = {
    "conversation.channel": "text",
    "conversation.direction": "text",
    "conversation.metrics.callDuration": "number",
    "conversation.metrics.holdDuration": "number",
    "conversation.metrics.talkDuration": "number",
    "conversation.metrics.waitDuration": "number",
    "conversation.metrics.wrapUpDuration": "number",
    "queue.name": "text",
    "user.name": "text",
}
OPERATORS = {
    "EQUAL",
    "NOTEQUAL",
    "GREATERTHAN",
    "GREATERTHANOREQUAL",
    "LESSTHAN",
    "LESSTHANOREQUAL",
}
STATISTICS = {"SUM", "AVG", "MIN", "MAX", "COUNT"}
TIME_GROUPS = {"hour", "day", "week", "month"}
MAX_AGGREGATIONS = 20
MAX_WINDOW = timedelta(days=180)
BODY_FIELDS = {"name", "description", "type", "query"}


def list_segments(org: Org, request: Request) -> Response:
    return page(request, list(org.state.segments.values()))


def get_segment(org: Org, request: Request) -> Response:
    return Response(200, public(org.find("segments", request.params["id"], "segment")))


def create_segment(org: Org, request: Request) -> Response:
    body = body_object(request)
    reject_unknown(body, BODY_FIELDS)
    _validate(body)
    _check_unique(org, body["name"])
    ident = org.new_id()
    segment = {
        "id": ident,
        **body,
        "version": 1,
        "createdDate": org.timestamp(),
        "modifiedDate": org.timestamp(),
        "selfUri": f"{BASE}/{ident}",
    }
    org.state.segments[ident] = segment
    org.changed = True
    return Response(201, public(segment))


def patch_segment(org: Org, request: Request) -> Response:
    segment = org.find("segments", request.params["id"], "segment")
    body = body_object(request)
    reject_unknown(body, BODY_FIELDS | {"version"})
    check_version(segment, body)
    changes = {k: v for k, v in body.items() if k != "version"}
    merged = {k: segment[k] for k in BODY_FIELDS if k in segment} | changes
    _validate(merged)
    if merged["name"] != segment["name"]:
        _check_unique(org, merged["name"])
    segment.update(changes, version=segment["version"] + 1, modifiedDate=org.timestamp())
    org.changed = True
    return Response(200, public(segment))


def delete_segment(org: Org, request: Request) -> Response:
    segment = org.find("segments", request.params["id"], "segment")
    version = request.query.get("version")
    if version is not None and version != str(segment["version"]):
        raise ApiError(409, "version.mismatch", f"version {version} is not the current version")
    del org.state.segments[segment["id"]]
    org.changed = True
    return Response(204)


def _check_unique(org: Org, name: str) -> None:
    if any(org.state.named("segments", name)):
        raise ApiError(
            409,
            "duplicate.name",
            f"A segment named '{name}' already exists",
            [{"fieldName": "name", "errorCode": "duplicate.name"}],
        )


def _validate(body: Mapping[str, Any]) -> None:
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise bad_request("name is required", "name", "field.required")
    if not isinstance(body.get("description", ""), str):
        raise bad_request("description must be text", "description")
    if body.get("type") != "conversation":
        raise bad_request("type must be 'conversation'", "type")
    query = body.get("query")
    if not isinstance(query, dict):
        raise bad_request("query is required", "query", "field.required")
    reject_unknown(
        query, {"timeGroup", "timeWindow", "filter", "aggregations", "groupBy"}, "query."
    )
    if "timeGroup" in query and query["timeGroup"] not in TIME_GROUPS:
        raise bad_request(f"timeGroup must be one of {sorted(TIME_GROUPS)}", "query.timeGroup")
    _validate_window(query.get("timeWindow"))
    if "filter" in query:
        _validate_filter(query["filter"])
    _validate_aggregations(query.get("aggregations", []))
    _validate_group_by(query.get("groupBy", []))


def _validate_window(window: Any) -> None:
    if not isinstance(window, dict) or set(window) != {"start", "end"}:
        raise bad_request("timeWindow needs exactly start and end", "query.timeWindow")
    start, end = (_instant(window[k], f"query.timeWindow.{k}") for k in ("start", "end"))
    if end <= start:
        raise bad_request(
            "timeWindow ends before it starts", "query.timeWindow.end", "time.window.invalid"
        )
    if end - start > MAX_WINDOW:
        raise bad_request(
            "timeWindow is longer than 180 days", "query.timeWindow.end", "time.window.too.long"
        )


def _instant(value: Any, field: str) -> datetime:
    try:
        instant = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        raise bad_request(f"{field} is not an ISO-8601 date-time", field) from None
    if instant.tzinfo is None:
        raise bad_request(f"{field} needs a time zone", field)
    return instant


def _validate_filter(query_filter: Any) -> None:
    if not isinstance(query_filter, dict) or query_filter.get("type") not in ("AND", "OR"):
        raise bad_request("filter.type must be AND or OR", "query.filter.type")
    reject_unknown(query_filter, {"type", "predicates"}, "query.filter.")
    predicates = query_filter.get("predicates")
    if not isinstance(predicates, list) or not predicates:
        raise bad_request("filter.predicates must be a non-empty list", "query.filter.predicates")
    for index, predicate in enumerate(predicates):
        _validate_predicate(predicate, f"query.filter.predicates[{index}]")


def _validate_predicate(predicate: Any, where: str) -> None:
    if not isinstance(predicate, dict):
        raise bad_request("a predicate must be an object", where)
    reject_unknown(predicate, {"type", "field", "value"}, f"{where}.")
    operator, value = predicate.get("type"), predicate.get("value")
    kind = _field_type(predicate.get("field"), f"{where}.field")
    if operator not in OPERATORS:
        raise bad_request(f"unknown operator {operator!r}", f"{where}.type")
    if kind == "text" and operator not in ("EQUAL", "NOTEQUAL"):
        raise bad_request(f"{operator} does not apply to a text field", f"{where}.type")
    numeric = isinstance(value, int | float) and not isinstance(value, bool)
    if (kind == "number") != numeric or (kind == "text" and not isinstance(value, str)):
        raise bad_request(f"value must be a {kind}", f"{where}.value", "type.mismatch")


def _validate_aggregations(aggregations: Any) -> None:
    if not isinstance(aggregations, list):
        raise bad_request("aggregations must be a list", "query.aggregations")
    if len(aggregations) > MAX_AGGREGATIONS:
        raise bad_request(
            f"at most {MAX_AGGREGATIONS} aggregations are allowed",
            "query.aggregations",
            "aggregations.limit.exceeded",
        )
    for index, aggregation in enumerate(aggregations):
        where = f"query.aggregations[{index}]"
        if not isinstance(aggregation, dict) or aggregation.get("type") not in STATISTICS:
            raise bad_request(f"type must be one of {sorted(STATISTICS)}", f"{where}.type")
        reject_unknown(aggregation, {"type", "field"}, f"{where}.")
        kind = _field_type(aggregation.get("field"), f"{where}.field")
        if kind == "text" and aggregation["type"] != "COUNT":
            raise bad_request(f"{aggregation['type']} needs a numeric field", f"{where}.type")


def _validate_group_by(group_by: Any) -> None:
    if not isinstance(group_by, list):
        raise bad_request("groupBy must be a list", "query.groupBy")
    for index, name in enumerate(group_by):
        if _field_type(name, f"query.groupBy[{index}]") != "text":
            raise bad_request("cannot group by a metric", f"query.groupBy[{index}]")


def _field_type(name: Any, where: str) -> str:
    if name not in FIELDS:
        raise bad_request(f"unknown field path {name!r}", where, "field.unknown")
    return FIELDS[name]
