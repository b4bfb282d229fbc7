"""Journey segments, as the real platform serves them at `/api/v2/journey/segments`.

A segment is named by `displayName`. POST takes a `JourneySegmentRequest`, PATCH a
`PatchSegment` carrying the live `version` (a stale one is a 409 `version.mismatch`, which the
platform's own provider retries on); DELETE answers 204. Bodies are checked in
`journey_shape`. What the server fills in on a create, and every answer carries: `isActive`
true, a `color`, `shouldDisplayToAgent` false, empty `context` and `journey` patterns and a
`scope`.

Listings take `isActive`: true lists only active segments, false only inactive ones.
[unverified] What the platform lists without it; the sandbox lists only active segments then,
the narrowest reading, so that a client that wants every segment must ask for both.
"""

from __future__ import annotations

import copy
from typing import Any

from genesys_reconcile.sandbox.errors import bad_request
from genesys_reconcile.sandbox.http import (
    Org,
    Request,
    Response,
    body_object,
    check_version,
    page,
)
from genesys_reconcile.sandbox.journey_shape import PATCH_CHECK, REQUEST_CHECK, checked
from genesys_reconcile.sandbox.state import Entity, public

BASE = "/api/v2/journey/segments"
COLLECTION = "journeySegments"
WHAT = "journey segment"
# [inferred] The server's color when a body has none (the SDK: "Defaults if not provided").
DEFAULT_COLOR = "#1C6ECE"
# Fields a PATCH null resets to the server's default instead of removing.
_DEFAULTS: dict[str, Any] = {
    "color": DEFAULT_COLOR,
    "shouldDisplayToAgent": False,
    "context": {"patterns": []},
    "journey": {"patterns": []},
}
_MAX_IDS = 100


def list_segments(org: Org, request: Request) -> Response:
    found = list(org.state.journeySegments.values())
    ids = request.query.get("segmentIds")
    if ids is not None:
        wanted = [i for i in ids.split(",") if i]
        if len(wanted) > _MAX_IDS:
            raise bad_request(f"segmentIds takes at most {_MAX_IDS} ids", "segmentIds")
        return page(request, [e for e in found if e["id"] in wanted])
    active = request.query.get("isActive", "true").lower()
    if active not in ("true", "false"):
        raise bad_request("isActive must be true or false", "isActive")
    return page(request, [e for e in found if e["isActive"] == (active == "true")])


def get_segment(org: Org, request: Request) -> Response:
    return Response(200, public(org.find(COLLECTION, request.params["id"], WHAT)))


def create_segment(org: Org, request: Request) -> Response:
    body = checked(body_object(request), REQUEST_CHECK)
    _unique(org, body["displayName"], None)
    ident = org.new_id()
    entity: Entity = {
        "id": ident,
        "isActive": True,
        **copy.deepcopy(_DEFAULTS),
        **{k: copy.deepcopy(v) for k, v in body.items() if k != "version" and v is not None},
        "version": 1,
        "createdDate": org.timestamp(),
        "modifiedDate": org.timestamp(),
        "selfUri": f"{BASE}/{ident}",
    }
    entity["scope"] = _scope(entity)
    org.state.journeySegments[ident] = entity
    org.changed = True
    return Response(200, public(entity))


def patch_segment(org: Org, request: Request) -> Response:
    entity = org.find(COLLECTION, request.params["id"], WHAT)
    body = body_object(request)
    checked({k: v for k, v in body.items() if v is not None}, PATCH_CHECK)
    if "displayName" in body and body["displayName"] is None:
        raise bad_request("displayName cannot be cleared", "displayName")
    if body.get("version") is None:
        raise bad_request("version is required for updates", "version", "field.required")
    check_version(entity, body)
    if "displayName" in body:
        _unique(org, body["displayName"], entity["id"])
    for field, value in body.items():
        if field == "version" or (field == "isActive" and value is None):
            continue
        if value is None and field in _DEFAULTS:
            entity[field] = copy.deepcopy(_DEFAULTS[field])
        elif value is None:
            entity.pop(field, None)
        elif field == "externalSegment":
            entity[field] = {**entity.get(field, {}), **value}
        else:
            entity[field] = copy.deepcopy(value)
    entity["scope"] = _scope(entity)
    entity["version"] += 1
    entity["modifiedDate"] = org.timestamp()
    org.changed = True
    return Response(200, public(entity))


def delete_segment(org: Org, request: Request) -> Response:
    entity = org.find(COLLECTION, request.params["id"], WHAT)
    del org.state.journeySegments[entity["id"]]
    org.changed = True
    return Response(204)


def _unique(org: Org, name: str, ident: str | None) -> None:
    # [unverified] whether the platform refuses a second segment of one name; the sandbox
    # does, so that a client never makes one by mistake unnoticed.
    for other in org.state.journeySegments.values():
        if other["displayName"] == name and other["id"] != ident:
            raise bad_request(
                f"a journey segment named '{name}' already exists ({other['id']})",
                "displayName",
                "duplicate.value",
            )


def _scope(entity: Entity) -> str:
    # [unverified] how the platform derives it: a segment with journey patterns looks at a
    # visitor's session, one without at the customer.
    return "Session" if entity["journey"].get("patterns") else "Customer"
