"""A kind that declares only its wire contract is validated, planned, applied, retried after a
stale write and pruned by the generic code: nothing outside the kind's own module names it.

The kind here stands for a real one whose API differs from the seed's segments at each point
the contract covers: updates are PUTs of the whole resource, files and the API name it by
`displayName`, and a stale write is a 400 whose message says so, with no code of its own.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, RANK
from genesys_reconcile.kinds.base import Kind
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.plan.model import Plan
from genesys_reconcile.sandbox import routes
from genesys_reconcile.sandbox.errors import ApiError
from genesys_reconcile.sandbox.http import Org, Request, Response, body_object, page
from genesys_reconcile.settings import Settings
from tests.conftest import own
from tests.kinds.planning import planned
from tests.sandbox.conftest import Api, FakeClock

BADGES = "/api/v2/test/badges"
SCHEMA = {
    "type": "object",
    "required": ["kind", "displayName", "color"],
    "additionalProperties": False,
    "properties": {
        "kind": {"const": "Badge"},
        "displayName": {"type": "string", "minLength": 1},
        "color": {"type": "string", "pattern": "^#[0-9a-f]{6}$"},
    },
}


class Badge(Kind):
    kind: ClassVar[str] = "Badge"
    schema_file: ClassVar[str] = ""  # written by the fixture, as a path of its own
    identity_field: ClassVar[str] = "displayName"
    collection: ClassVar[str] = BADGES
    update_method: ClassVar[str] = "PUT"
    name_field: ClassVar[str] = "displayName"
    managed: ClassVar[tuple[str, ...]] = ("displayName", "color")

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        return iter(())

    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        return self.written(data)

    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        fields = desired.keys() if desired is not None else self.managed
        return {k: entity[k] for k in fields if k in entity}


class BadgeApi:
    """The badges' endpoints: whole-resource PUTs, and a 400 in words for a stale version."""

    def __init__(self) -> None:
        self.badges: dict[str, dict[str, Any]] = {}
        self.puts: list[str] = []

    def add(self, name: str, color: str, **more: Any) -> dict[str, Any]:
        ident = f"badge-{len(self.badges) + 1}"
        badge = {"id": ident, "displayName": name, "color": color, "version": 1, **more}
        self.badges[ident] = badge
        return badge

    def named(self, name: str) -> dict[str, Any]:
        return next(b for b in self.badges.values() if b["displayName"] == name)

    def routes(self) -> tuple[routes.Route, ...]:
        return (
            routes.Route("GET", BADGES, self.listing),
            routes.Route("POST", BADGES, self.create),
            routes.Route("GET", BADGES + "/{id}", self.get),
            routes.Route("PUT", BADGES + "/{id}", self.put),
            routes.Route("DELETE", BADGES + "/{id}", self.delete),
        )

    def listing(self, org: Org, request: Request) -> Response:
        return page(request, list(self.badges.values()))

    def create(self, org: Org, request: Request) -> Response:
        body = body_object(request)
        return Response(200, dict(self.add(body["displayName"], body["color"])))

    def get(self, org: Org, request: Request) -> Response:
        return Response(200, dict(self._found(request)))

    def put(self, org: Org, request: Request) -> Response:
        badge, body = self._found(request), body_object(request)
        self.puts.append(badge["displayName"])
        if body.get("version") != badge["version"]:
            message = f"The version {body.get('version')} does not match the current version"
            raise ApiError(400, "bad.request", message)
        badge.clear()
        badge.update(body, id=request.params["id"], version=body["version"] + 1)
        return Response(200, dict(badge))

    def delete(self, org: Org, request: Request) -> Response:
        del self.badges[self._found(request)["id"]]
        return Response(204)

    def _found(self, request: Request) -> dict[str, Any]:
        badge = self.badges.get(request.params["id"])
        if badge is None:
            raise ApiError(404, "not.found", f"badge {request.params['id']} not found")
        return badge


@pytest.fixture
def badges(repo: Path, monkeypatch: pytest.MonkeyPatch) -> BadgeApi:
    """The Badge kind registered, the sandbox serving it, and badge files in the repository;
    all of it gone after the test."""
    schema = repo / "badge.schema.json"
    schema.write_text(json.dumps(SCHEMA), encoding="utf-8")
    monkeypatch.setattr(Badge, "schema_file", str(schema))
    monkeypatch.setitem(KINDS, Badge.kind, Badge())
    monkeypatch.setitem(RANK, Badge.kind, len(RANK))
    api = BadgeApi()
    monkeypatch.setattr(routes, "API_ROUTES", routes.API_ROUTES + api.routes())
    (repo / "badges").mkdir()
    for name, color in (("Silver", "#c0c0c0"), ("Gold", "#ffd700")):
        text = f"kind: Badge\ndisplayName: {name}\ncolor: '{color}'\n"
        (repo / "badges" / f"{name.lower()}.yaml").write_text(text, encoding="utf-8")
    (repo / "reconcile.yaml").write_text("paths: [segments, campaigns, badges]\n")
    api.add("Silver", "#aaaaaa", description="kept by the console")  # the file changes its colour
    api.add("Bronze", "#cd7f32")  # in no file, and owned: pruned
    own(repo, (("Badge", "Bronze"),))
    return api


def badge_changes(plan: Plan) -> list[tuple[str, str, list[str]]]:
    return [
        (c.action.value, c.name, [f.path for f in c.fields])
        for c in plan.changes
        if c.kind == "Badge"
    ]


def test_a_kind_declaring_its_contract_is_planned_applied_retried_and_pruned(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, badges: BadgeApi
) -> None:
    report, live, plan = planned(client)
    assert not report.failed(), report.diagnostics
    assert sorted(r.name for r in report.resources if r.kind.kind == "Badge") == ["Gold", "Silver"]
    assert badge_changes(plan) == [
        ("create", "Gold", ["displayName", "color"]),
        ("update", "Silver", ["color"]),
        ("delete", "Bronze", ["displayName", "color"]),
    ]
    silver = badges.named("Silver")
    silver.update(version=2, description="edited meanwhile")  # a console edit of another field

    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        outcomes = {o.change.name: o.status for o in applier.run(plan).outcomes}

    assert {name: outcomes[name] for name in ("Gold", "Silver", "Bronze")} == {
        "Gold": "applied",
        "Silver": "applied",
        "Bronze": "applied",
    }
    assert badges.puts == ["Silver", "Silver"]  # refused as stale, read again, written again
    assert {k: v for k, v in badges.named("Silver").items() if k != "id"} == {
        "displayName": "Silver",
        "color": "#c0c0c0",
        "description": "edited meanwhile",  # a PUT carries what it does not manage, as read
        "version": 3,
    }
    assert sorted(b["displayName"] for b in badges.badges.values()) == ["Gold", "Silver"]
    assert planned(client)[2].changes == []
