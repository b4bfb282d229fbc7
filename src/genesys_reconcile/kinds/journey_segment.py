"""`JourneySegment`: which web and app visitors a journey segment classifies.

Manages: the segments at `/api/v2/journey/segments`, active and inactive: displayName, and
    each of description, color, isActive, shouldDisplayToAgent, assignmentExpirationDays,
    context and journey only when the file sets it (a segment's other fields, such as an
    external segment, are left to whoever set them).
Identity: the segment's `displayName` (the file's `name`).
Writes: POST to create; a PATCH of the fields that differ, with the live `version`; DELETE. A
    stale PATCH is a 409 (or a 400 or 408 in words, as the platform's own provider allows);
    apply then reads the segment again and writes again only if the change still holds.
Settles: at once: the segment is ready when it reads back as written.
Options: none.

Patterns, criteria and values are sets (the platform's provider models them so): their order
in a file or on the server is not a difference. A criterion without an operator compares with
`equal`, without `ignoreCase` case-sensitively, and a journey pattern without a count counts
once; plans show the API's field names.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds.base import Kind, differing, mappings, no_options
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.settings import Settings

SEGMENTS = "/api/v2/journey/segments"
# The file's fields and the API's, for those the file spells otherwise.
_RENAMED = {
    "name": "displayName",
    "active": "isActive",
    "showToAgents": "shouldDisplayToAgent",
}
_AS_IS = ("description", "color", "assignmentExpirationDays")
# The context keys the platform accepts (Terraform's provider checks against this list).
CONTEXT_KEYS = (
    "device.category",
    "device.type",
    "device.osFamily",
    "browser.family",
    "browser.lang",
    "browser.version",
    "mktCampaign.source",
    "mktCampaign.medium",
    "mktCampaign.name",
    "mktCampaign.term",
    "mktCampaign.content",
    "mktCampaign.clickId",
    "mktCampaign.network",
    "geolocation.countryName",
    "geolocation.locality",
    "geolocation.region",
    "geolocation.postalCode",
    "geolocation.country",
    "ipOrganization",
    "referrer.url",
    "referrer.medium",
    "referrer.hostname",
    "authenticated",
)
_JOURNEY_KEY = re.compile(r"eventName|searchQuery|page\.[A-Za-z][\w.]*|attributes\..+\.value")
_JOURNEY_KEYS = "eventName, searchQuery, page.<field> or attributes.<name>.value"


class JourneySegment(Kind):
    kind: ClassVar[str] = "JourneySegment"
    schema_file: ClassVar[str] = "journey-segment.schema.json"
    identity_field: ClassVar[str] = "name"
    directory: ClassVar[str] = "journeys"
    options_schema: ClassVar[Mapping[str, Any]] = no_options("JourneySegment")
    collection: ClassVar[str] = SEGMENTS
    update_method: ClassVar[str] = "PATCH"
    name_field: ClassVar[str] = "displayName"
    managed: ClassVar[tuple[str, ...]] = (
        "displayName",
        "description",
        "color",
        "isActive",
        "shouldDisplayToAgent",
        "assignmentExpirationDays",
        "context",
        "journey",
    )

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        for i, pattern in mappings(data, "context"):
            for j, criterion in mappings(pattern, "criteria"):
                key = criterion.get("key")
                if isinstance(key, str) and key not in CONTEXT_KEYS:
                    yield Finding(("context", i, "criteria", j, "key"), _unknown_context(key))
        for i, pattern in mappings(data, "journey"):
            for j, criterion in mappings(pattern, "criteria"):
                key = criterion.get("key")
                if isinstance(key, str) and not _JOURNEY_KEY.fullmatch(key):
                    yield Finding(
                        ("journey", i, "criteria", j, "key"),
                        f"'{key}' is not a journey key the platform accepts; use {_JOURNEY_KEYS}",
                    )
            stream, session = pattern.get("streamType"), pattern.get("sessionType")
            if isinstance(stream, str) and isinstance(session, str) and stream.lower() != session:
                yield Finding(
                    ("journey", i, "sessionType"),
                    f"sessionType {session} does not go with streamType {stream}; "
                    f"use {stream.lower()}",
                )

    # -- planning ------------------------------------------------------------------------------

    def live_entities(self, live: LiveState) -> list[dict[str, Any]]:
        """Active and inactive segments: the platform lists either, by `isActive`, and what
        it lists without it is not documented."""

        def both() -> list[dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for active in ("true", "false"):
                for entity in live.listing(f"{SEGMENTS}?isActive={active}"):
                    found.setdefault(self.id_of(entity), entity)
            return list(found.values())

        return live.memo((self.kind, "listing"), both)

    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        return normalised(self.written(data))

    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        fields = desired.keys() if desired is not None else self.managed
        return normalised({k: entity.get(k) for k in fields if desired is not None or k in entity})

    def canonical(self, data: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        return self.export(self.written(data), live)

    def export(self, entity: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        """The segment as its file writes it: criteria with the file's keys, patterns and
        values in one order (the platform's sets), defaults (operator `equal`, count 1, case
        kept) written out."""
        view = normalised({k: entity[k] for k in self.managed if k in entity})
        data: dict[str, Any] = {"kind": self.kind}
        for key in ("name", "description", "color", "active", "showToAgents"):
            api = _RENAMED.get(key, key)
            if view.get(api) is not None:
                data[key] = view[api]
        if view.get("assignmentExpirationDays") is not None:
            data["assignmentExpirationDays"] = view["assignmentExpirationDays"]
        for field in ("context", "journey"):
            patterns = (view.get(field) or {}).get("patterns") or []
            if patterns:
                data[field] = [_file_pattern(p) for p in patterns]
        return data

    # -- applying ------------------------------------------------------------------------------

    def written(self, data: dict[str, Any]) -> dict[str, Any]:
        """The file as a `JourneySegmentRequest`: the API's names, every criterion with its
        operator, case rule and (for context) entity type, every value as text."""
        body: dict[str, Any] = {_RENAMED[k]: data[k] for k in _RENAMED if k in data}
        body |= {k: data[k] for k in _AS_IS if k in data}
        if isinstance(data.get("context"), list):
            body["context"] = {
                "patterns": [
                    {"criteria": [_criterion(c, visit=True) for _, c in mappings(p, "criteria")]}
                    for _, p in mappings(data, "context")
                ]
            }
        if isinstance(data.get("journey"), list):
            body["journey"] = {"patterns": [_pattern(p) for _, p in mappings(data, "journey")]}
        return body

    def update_body(
        self, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        return differing(self.written(data), entity, normalised)


def _unknown_context(key: str) -> str:
    close = difflib.get_close_matches(key, CONTEXT_KEYS, n=1, cutoff=0.6)
    hint = f"did you mean '{close[0]}'?" if close else f"use one of {', '.join(CONTEXT_KEYS)}"
    return f"'{key}' is not a context key the platform accepts; {hint}"


def _criterion(criterion: Mapping[str, Any], visit: bool) -> dict[str, Any]:
    values = criterion.get("values")
    made: dict[str, Any] = {
        "key": criterion.get("key"),
        "values": [_text(v) for v in (values if isinstance(values, list) else [])],
        "operator": criterion.get("operator", "equal"),
        "shouldIgnoreCase": bool(criterion.get("ignoreCase", False)),
    }
    return made | {"entityType": "visit"} if visit else made


def _pattern(pattern: Mapping[str, Any]) -> dict[str, Any]:
    made: dict[str, Any] = {
        "criteria": [_criterion(c, visit=False) for _, c in mappings(pattern, "criteria")],
        "count": pattern.get("count", 1),
        "streamType": pattern.get("streamType"),
        "sessionType": pattern.get("sessionType"),
    }
    if "eventName" in pattern:
        made["eventName"] = pattern["eventName"]
    return made


def _file_pattern(pattern: Mapping[str, Any]) -> dict[str, Any]:
    """A live pattern as the file writes it (the context's `entityType` is always visit)."""
    made: dict[str, Any] = {k: pattern[k] for k in ("streamType", "sessionType") if k in pattern}
    made |= {k: pattern[k] for k in ("count", "eventName") if pattern.get(k) is not None}
    made["criteria"] = [
        {
            "key": c["key"],
            "operator": c["operator"],
            "values": c["values"],
            "ignoreCase": c["shouldIgnoreCase"],
        }
        for c in pattern.get("criteria") or []
    ]
    return made


def _text(value: Any) -> str:
    """A value as the API holds it: text (a YAML true is "true", not "True")."""
    return str(value).lower() if isinstance(value, bool) else str(value)


def normalised(body: Mapping[str, Any]) -> dict[str, Any]:
    """Comparable: patterns, criteria and values as sorted sets, the server's defaults filled
    in (an absent `context` or `journey` has no patterns)."""
    view = dict(body)
    for field in ("context", "journey"):
        if field in view:
            view[field] = {"patterns": _patterns(view[field], visit=field == "context")}
    return view


def _patterns(value: Any, visit: bool) -> list[Any]:
    patterns = value.get("patterns") if isinstance(value, dict) else None
    made = []
    for pattern in patterns if isinstance(patterns, list) else []:
        if not isinstance(pattern, dict):
            continue
        shaped = dict(pattern)
        if not visit:
            shaped["count"] = pattern.get("count") or 1
        criteria = pattern.get("criteria")
        shaped["criteria"] = _sorted(
            _settled(c, visit) for c in (criteria if isinstance(criteria, list) else [])
        )
        made.append({k: v for k, v in shaped.items() if v is not None})
    return _sorted(made)


def _settled(criterion: Any, visit: bool) -> Any:
    if not isinstance(criterion, dict):
        return criterion
    values = criterion.get("values")
    made = {
        "key": criterion.get("key"),
        "values": sorted(str(v) for v in (values if isinstance(values, list) else [])),
        "operator": criterion.get("operator") or "equal",
        "shouldIgnoreCase": bool(criterion.get("shouldIgnoreCase")),
    }
    return made | {"entityType": criterion.get("entityType") or "visit"} if visit else made


def _sorted(items: Iterator[Any] | list[Any]) -> list[Any]:
    return sorted(items, key=lambda item: json.dumps(item, sort_keys=True))
