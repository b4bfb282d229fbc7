"""The simulated org: its entities, kept in memory and optionally in a state file.

Entities are the wire's JSON objects. Fields starting with `_` are the sandbox's own
bookkeeping (such as when an index rebuild ends) and are never sent to clients. The state also
counts the ids it has handed out, so a restarted sandbox goes on from there instead of handing
the same ids out again.
"""

from __future__ import annotations

import copy
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genesys_reconcile.files import write_atomically
from genesys_reconcile.sandbox import demo

FORMAT_VERSION = 2
COLLECTIONS = (
    "segments",
    "contactLists",
    "campaigns",
    "queues",
    "users",
    "dncLists",
    "callableTimeSets",
    "wrapupCodes",
    "ruleSets",
    "contactListFilters",
    "journeySegments",
)

Entity = dict[str, Any]


@dataclass
class OrgState:
    segments: dict[str, Entity] = field(default_factory=dict)
    contactLists: dict[str, Entity] = field(default_factory=dict)
    campaigns: dict[str, Entity] = field(default_factory=dict)
    queues: dict[str, Entity] = field(default_factory=dict)
    users: dict[str, Entity] = field(default_factory=dict)
    dncLists: dict[str, Entity] = field(default_factory=dict)
    callableTimeSets: dict[str, Entity] = field(default_factory=dict)
    wrapupCodes: dict[str, Entity] = field(default_factory=dict)
    ruleSets: dict[str, Entity] = field(default_factory=dict)
    contactListFilters: dict[str, Entity] = field(default_factory=dict)
    journeySegments: dict[str, Entity] = field(default_factory=dict)
    ids_issued: int = 0  # how many ids this org has handed out, over all its runs
    # Which org this is (`GET /api/v2/organizations/me`). Every org of a region shares one API
    # URL, so clients tell orgs apart by this id: each new state gets its own.
    organization: Entity = field(default_factory=lambda: new_organization())

    @classmethod
    def demo(cls, now: str) -> OrgState:
        return cls.from_json(demo.org(now))

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> OrgState:
        collections = {name: {e["id"]: e for e in data.get(name, [])} for name in COLLECTIONS}
        made = cls(**collections, ids_issued=int(data.get("idsIssued", 0)))
        if isinstance(data.get("organization"), dict):
            made.organization = data["organization"]
        return made

    def to_json(self) -> dict[str, Any]:
        return {
            "formatVersion": FORMAT_VERSION,
            "organization": self.organization,
            "idsIssued": self.ids_issued,
            **{name: list(getattr(self, name).values()) for name in COLLECTIONS},
        }

    def collection(self, name: str) -> dict[str, Entity]:
        collection: dict[str, Entity] = getattr(self, name)
        return collection

    def holds(self, ident: str) -> bool:
        """Whether any entity of the org has this id."""
        return any(ident in self.collection(name) for name in COLLECTIONS)

    def named(self, name: str, entity_name: str) -> Iterator[Entity]:
        return (e for e in self.collection(name).values() if e.get("name") == entity_name)


def new_organization() -> Entity:
    """A new org's identity: random, not seeded, so two state files are never one org."""
    ident = str(uuid.uuid4())
    return {
        "id": ident,
        "name": f"Sandbox {ident[:8]}",
        "defaultLanguage": "en-us",
        "state": "active",
        "version": 1,
        "selfUri": f"/api/v2/organizations/{ident}",
    }


def public(entity: Entity) -> Entity:
    """The entity as clients see it: without the sandbox's bookkeeping, and a copy."""
    return {k: copy.deepcopy(v) for k, v in entity.items() if not k.startswith("_")}


def load(path: Path) -> OrgState:
    data = json.loads(path.read_text(encoding="utf-8"))
    if data.get("formatVersion") not in (1, FORMAT_VERSION):
        raise ValueError(f"{path}: not a sandbox state file of format {FORMAT_VERSION}")
    older = data.get("formatVersion") != FORMAT_VERSION or "organization" not in data
    older = older or any(name not in data for name in COLLECTIONS)
    loaded = OrgState.from_json(upgraded(data))
    if older:
        save(loaded, path)  # its new org id and collections must hold from now on
    return loaded


def upgraded(data: dict[str, Any]) -> dict[str, Any]:
    """A format-1 state in format 2: the real platform's collections it lacks come from the
    demo org, its contact lists, read-only then, are the demo's real-shaped ones, and its
    campaigns gain the real platform's fields. A format-2 state saved before a collection
    existed (journey segments) gains the demo's."""
    now = str(data.get("organization", {}).get("dateCreated", "")) or _EPOCH
    missing = [name for name in COLLECTIONS if name not in data]
    if data.get("formatVersion") == FORMAT_VERSION:
        return {**data, **_demo_collections(missing, now)} if missing else data
    demo_org = demo.org(now)
    added = {name: demo_org[name] for name in missing}
    campaigns = [_with_real_fields(c, now) for c in data.get("campaigns", [])]
    return {**data, **added, "contactLists": demo_org["contactLists"], "campaigns": campaigns}


def _demo_collections(names: list[str], now: str) -> dict[str, Any]:
    demo_org = demo.org(now)
    return {name: demo_org[name] for name in names}


def _with_real_fields(campaign: Entity, now: str) -> Entity:
    """A format-1 campaign (segmentation only) with the real platform's fields: it dials the
    first list its rules name, or the demo's first."""
    by_id = {demo.entity_id("list", name): name for name in demo.LISTS}
    first = next(iter(demo.LISTS))
    for rule in campaign.get("rules") or []:
        found = [n for ident, n in by_id.items() if ident in str(rule.get("expression", ""))]
        if rule.get("type") == "list" and found:
            first = found[0]
            break
    mode = str(campaign.get("dialingMode", "preview"))
    dated = campaign.get("createdDate", now)
    real = demo.real_campaign(str(campaign.get("name")), first, mode, str(dated))
    return {**real, **campaign}


_EPOCH = "2024-01-01T00:00:00.000Z"


def save(state: OrgState, path: Path) -> None:
    write_atomically(path, json.dumps(state.to_json(), indent=1, sort_keys=True))
