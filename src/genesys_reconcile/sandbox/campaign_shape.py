"""What a campaign PUT or PATCH body may hold (SDK `Campaign`, `CampaignPatchRequest`): its
fields, their types and enums, and references to resources that must exist in the org.

References are stored as the platform reads them back: `{id, name, selfUri}`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from genesys_reconcile.sandbox.errors import bad_request
from genesys_reconcile.sandbox.http import Org, reject_unknown
from genesys_reconcile.sandbox.state import Entity

# The demo extension's fields (`outbound.py`): served with the `demo` API only; a PUT there
# accepts and ignores them, as only the extension's PATCH changes them.
EXTENSION = frozenset(
    {"rules", "contactFilters", "indexStatus", "indexError", "useOnlyOnce", "createdDate",
     "modifiedDate"}
)  # fmt: skip
DIALING_MODES = ("agentless", "preview", "power", "predictive", "progressive", "external")
STATUSES = ("on", "stopping", "off", "complete", "invalid", "forced_off", "forced_stopping")
DIRECTIONS = ("ASC", "DESC")
MAX_SORTS = 4
REQUIRED = ("name", "contactList", "dialingMode", "phoneColumns", "callerName", "callerAddress")
# Reference fields whose resources the sandbox holds: field -> (collection, what, base path).
# Filters and rule sets are checked against their collections when the org has them.
REFERENCES = {
    "contactList": ("contactLists", "contact list", "/api/v2/outbound/contactlists"),
    "queue": ("queues", "queue", "/api/v2/routing/queues"),
    "callableTimeSet": (
        "callableTimeSets",
        "callable time set",
        "/api/v2/outbound/callabletimesets",
    ),
}
REFERENCE_LISTS = {
    "dncLists": ("dncLists", "DNC list", "/api/v2/outbound/dnclists"),
    "ruleSets": ("ruleSets", "rule set", "/api/v2/outbound/rulesets"),
    "contactListFilters": (
        "contactListFilters",
        "contact list filter",
        "/api/v2/outbound/contactlistfilters",
    ),
}
OTHER_REFERENCES = ("script", "edgeGroup", "site", "callAnalysisResponseSet", "division")
Names = tuple[str, ...]
INTEGERS: Names = ("outboundLineCount", "priority", "noAnswerTimeout", "previewTimeOutSeconds")
INTEGERS += ("maxCallsPerAgent",)
NUMBERS: Names = ("abandonRate", "maxCallsPerAgentDecimal")
TEXTS: Names = ("name", "callerName", "callerAddress", "callAnalysisLanguage", "agentOwnedColumn")
FLAGS: Names = ("skipPreviewDisabled", "alwaysRunning", "previewAutoEnd", "callbackAutoAnswer")
FLAGS += ("preciseDialingEnabled",)
OBJECTS: Names = ("contactSort", "dynamicContactQueueingSettings", "dynamicLineBalancingSettings")
OBJECTS += ("diagnosticsSettings",)
SERVER = ("id", "dateCreated", "dateModified", "selfUri", "errors")
FIELDS = frozenset(
    {"version", "campaignStatus", "dialingMode", "phoneColumns", "contactSorts", "skillColumns"}
    | set(REFERENCES) | set(REFERENCE_LISTS) | set(OTHER_REFERENCES) | set(INTEGERS)
    | set(NUMBERS) | set(TEXTS) | set(FLAGS) | set(OBJECTS) | set(SERVER)
)  # fmt: skip
PATCH_FIELDS = (
    "outboundLineCount",
    "abandonRate",
    "maxCallsPerAgent",
    "dynamicLineBalancingSettings",
    "queue",
)


def checked_put(org: Org, body: dict[str, Any]) -> dict[str, Any]:
    """The fields a PUT sets (without the server's own and the extension's), once valid."""
    allowed = FIELDS | (EXTENSION if org.api == "demo" else frozenset())
    reject_unknown(body, set(allowed))
    for name in (*REQUIRED, "version", "campaignStatus"):
        if body.get(name) is None:
            raise bad_request(f"{name} is required", name, "field.required")
    if not isinstance(body["version"], int) or isinstance(body["version"], bool):
        raise bad_request("version must be a whole number", "version")
    _enum(body, "dialingMode", DIALING_MODES)
    _enum(body, "campaignStatus", STATUSES)
    _scalars(body)
    _phone_columns(body["phoneColumns"])
    _sorts(body.get("contactSorts"))
    filters = body.get("contactListFilters")
    if isinstance(filters, list) and len(filters) > 1:
        raise bad_request("a campaign can only have one contact list filter", "contactListFilters")
    fields = {k: v for k, v in body.items() if k not in EXTENSION and k not in SERVER}
    fields |= _references(org, body)
    return fields


def checked_patch(org: Org, body: dict[str, Any]) -> dict[str, Any]:
    """The fields a `CampaignPatchRequest` sets, once valid."""
    reject_unknown(body, set(PATCH_FIELDS))
    for name in ("outboundLineCount",):
        if name in body and not _is_int(body[name]):
            raise bad_request(f"{name} must be a whole number", name)
    for name in ("abandonRate", "maxCallsPerAgent"):
        if name in body and not _is_number(body[name]):
            raise bad_request(f"{name} must be a number", name)
    balancing = body.get("dynamicLineBalancingSettings")
    if balancing is not None:
        if not isinstance(balancing, dict):
            raise bad_request("must be an object", "dynamicLineBalancingSettings")
        reject_unknown(balancing, {"enabled", "relativeWeight"}, "dynamicLineBalancingSettings.")
    fields = dict(body)
    if "maxCallsPerAgent" in body:
        fields["maxCallsPerAgentDecimal"] = float(body["maxCallsPerAgent"])
        fields["maxCallsPerAgent"] = int(body["maxCallsPerAgent"])
    if "queue" in body:
        fields["queue"] = _ref(org, body["queue"], "queue", *REFERENCES["queue"])
    return fields


def same(stored: Any, sent: Any) -> bool:
    """Whether a sent value is the stored one: references by id, absent as empty."""
    return bool(_comparable(stored) == _comparable(sent))


def _comparable(value: Any) -> Any:
    if value in (None, [], {}):
        return None
    if isinstance(value, dict) and "id" in value:
        return value["id"]
    if isinstance(value, list):
        return [_comparable(v) for v in value]
    return value


def _references(org: Org, body: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = {}
    for name, target in REFERENCES.items():
        if body.get(name) is not None:
            found[name] = _ref(org, body[name], name, *target)
    for name, target in REFERENCE_LISTS.items():
        items = body.get(name)
        if items is None:
            continue
        if not isinstance(items, list):
            raise bad_request(f"{name} must be a list", name)
        found[name] = [_ref(org, r, f"{name}[{i}]", *target) for i, r in enumerate(items)]
    for name in OTHER_REFERENCES:
        value = body.get(name)
        if value is not None and not (isinstance(value, dict) and isinstance(value.get("id"), str)):
            raise bad_request(f"{name} must be a reference {{id}}", name)
    return found


def _ref(org: Org, value: Any, where: str, collection: str, what: str, base: str) -> Entity:
    if not isinstance(value, dict) or not isinstance(value.get("id"), str):
        raise bad_request(f"{where} must be a reference {{id}}", where)
    held = getattr(org.state, collection, None)
    entity = held.get(value["id"]) if isinstance(held, dict) else None
    if entity is None:
        raise bad_request(f"{what} {value['id']} not found", where, "reference.not.found")
    self_uri = entity.get("selfUri") or f"{base}/{entity['id']}"
    return {"id": entity["id"], "name": entity.get("name"), "selfUri": self_uri}


def _enum(body: dict[str, Any], name: str, values: tuple[str, ...]) -> None:
    if body.get(name) not in values:
        raise bad_request(f"{name} must be one of {', '.join(values)}", name)


def _scalars(body: dict[str, Any]) -> None:
    checks: list[tuple[Names, Callable[[Any], bool], str]] = [
        (INTEGERS, _is_int, "a whole number"),
        (NUMBERS, _is_number, "a number"),
    ]
    checks += [(TEXTS, lambda v: isinstance(v, str), "text")]
    checks += [(FLAGS, lambda v: isinstance(v, bool), "true or false")]
    checks += [(OBJECTS, lambda v: isinstance(v, dict), "an object")]
    for names, fits, words in checks:
        for name in names:
            if body.get(name) is not None and not fits(body[name]):
                raise bad_request(f"{name} must be {words}", name)
    priority = body.get("priority")
    if priority is not None and not 1 <= priority <= 5:
        raise bad_request("priority must be between 1 and 5", "priority")


def _phone_columns(columns: Any) -> None:
    if not isinstance(columns, list) or not columns:
        raise bad_request("phoneColumns must be a non-empty list", "phoneColumns")
    for index, column in enumerate(columns):
        where = f"phoneColumns[{index}]"
        if not isinstance(column, dict):
            raise bad_request("a phone column must be an object", where)
        reject_unknown(column, {"columnName", "type"}, f"{where}.")
        for name in ("columnName", "type"):
            if not isinstance(column.get(name), str):
                raise bad_request(f"{name} is required", f"{where}.{name}", "field.required")


def _sorts(sorts: Any) -> None:
    if sorts is None:
        return
    if not isinstance(sorts, list) or len(sorts) > MAX_SORTS:
        raise bad_request(f"contactSorts must be a list of up to {MAX_SORTS}", "contactSorts")
    for index, sort in enumerate(sorts):
        where = f"contactSorts[{index}]"
        if not isinstance(sort, dict):
            raise bad_request("a sort must be an object", where)
        reject_unknown(sort, {"fieldName", "direction", "numeric"}, f"{where}.")
        if not isinstance(sort.get("fieldName"), str):
            raise bad_request("fieldName is required", f"{where}.fieldName", "field.required")
        if sort.get("direction", "ASC") not in DIRECTIONS:
            raise bad_request("direction must be ASC or DESC", f"{where}.direction")


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
