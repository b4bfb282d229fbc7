"""What a resource handler sees and returns, and the platform's conventions they share."""

from __future__ import annotations

import math
import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.faults import FaultSettings
from genesys_reconcile.sandbox.state import Entity, OrgState, public

MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 25


@dataclass
class Request:
    method: str
    path: str
    params: dict[str, str]  # from the route, such as {"id": ...}
    query: dict[str, str]
    body: Any  # parsed JSON, or None
    headers: dict[str, str] = field(default_factory=dict)  # without Authorization
    raw: str = ""  # the body as sent, for receivers that check signatures over it


@dataclass
class Response:
    status: int
    body: Any = None  # JSON-serialisable; None for an empty body
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Org:
    """The org as a handler changes it, under the sandbox's lock."""

    state: OrgState
    faults: FaultSettings
    rng: random.Random
    now: float  # seconds since the epoch
    seed: int = 0  # the sandbox's --seed, which also fixes the analytics data set
    api: str = "demo"  # "genesys": the real platform's API only, without the demo extension
    changed: bool = False

    def timestamp(self) -> str:
        return iso(self.now)

    def new_id(self) -> str:
        """An id no entity of the org has. The n-th id an org hands out depends only on the
        seed and n, and n is kept in the state: a fresh org with a given seed hands out the
        same ids, a restarted one goes on with new ones, and none repeats an existing id (a
        create must never replace anything, whatever state file it was given)."""
        while True:
            self.state.ids_issued += 1
            draw = random.Random(f"{self.seed}:{self.state.ids_issued}")  # noqa: S311
            ident = str(uuid.UUID(int=draw.getrandbits(128), version=4))
            if not self.state.holds(ident):
                self.changed = True  # the count must reach the state file
                return ident

    def find(self, collection: str, ident: str, what: str) -> Entity:
        entity = self.state.collection(collection).get(ident)
        if entity is None:
            raise ApiError(404, "not.found", f"{what} {ident} not found")
        return entity


Handler = Callable[[Org, Request], Response]


def iso(seconds: float) -> str:
    return (
        datetime.fromtimestamp(seconds, UTC)
        .isoformat(timespec="milliseconds")
        .replace("+00:00", "Z")
    )


def page(request: Request, entities: Sequence[Entity]) -> Response:
    """The Genesys listing envelope over `entities`, sorted by name then id."""
    size = _positive(request.query, "pageSize", DEFAULT_PAGE_SIZE)
    number = _positive(request.query, "pageNumber", 1)
    if size > MAX_PAGE_SIZE:
        raise bad_request(f"pageSize must be at most {MAX_PAGE_SIZE}", "pageSize")
    ordered = sorted(entities, key=lambda e: (str(e.get("name", "")), e["id"]))
    count = math.ceil(len(ordered) / size)
    uri = f"{request.path}?pageSize={size}&pageNumber={{}}"
    body: dict[str, Any] = {
        "entities": [public(e) for e in ordered[(number - 1) * size : number * size]],
        "pageSize": size,
        "pageNumber": number,
        "total": len(ordered),
        "pageCount": count,
        "firstUri": uri.format(1),
        "selfUri": uri.format(number),
        "lastUri": uri.format(max(count, 1)),
    }
    if number < count:
        body["nextUri"] = uri.format(number + 1)
    if 1 < number <= count + 1:
        body["previousUri"] = uri.format(number - 1)
    return Response(200, body)


def _positive(query: Mapping[str, str], name: str, default: int) -> int:
    text = query.get(name)
    if text is None:
        return default
    if not text.isdigit() or int(text) < 1:
        raise bad_request(f"{name} must be a whole number of at least 1", name)
    return int(text)


def body_object(request: Request) -> dict[str, Any]:
    if not isinstance(request.body, dict):
        raise bad_request("the request body must be a JSON object")
    return request.body


def reject_unknown(body: Mapping[str, Any], allowed: set[str], prefix: str = "") -> None:
    for name in sorted(set(body) - allowed):
        path = f"{prefix}{name}"
        raise bad_request(f"unknown field {path}", path, "field.unknown")


def check_version(entity: Entity, body: Mapping[str, Any]) -> None:
    """Optimistic concurrency: a write names the version it was based on."""
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad_request("version is required: the version this change is based on", "version")
    if version != entity["version"]:
        raise ApiError(
            409,
            "version.mismatch",
            f"The version number {version} does not match the current version "
            f"{entity['version']} of {entity['id']}",
            [{"fieldName": "version", "errorCode": "version.mismatch"}],
        )
