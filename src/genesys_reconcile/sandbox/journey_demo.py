"""The demo org's journey segments, as the server holds them: one the example repository
manages (with one difference), one it does not, and one inactive."""

from __future__ import annotations

from typing import Any

from genesys_reconcile.sandbox.ids import entity_id


def _visit(key: str, operator: str, *values: str) -> dict[str, Any]:
    return {
        "key": key,
        "values": list(values),
        "operator": operator,
        "shouldIgnoreCase": True,
        "entityType": "visit",
    }


def _pattern(count: int, *criteria: dict[str, Any]) -> dict[str, Any]:
    return {"criteria": list(criteria), "count": count, "streamType": "Web", "sessionType": "web"}


_SEGMENTS: dict[str, dict[str, Any]] = {
    "Returning mobile visitors from paid search": {
        "isActive": True,
        "description": "Mobile visitors from paid search who viewed pricing twice",
        "color": "#008000",
        "shouldDisplayToAgent": True,
        "assignmentExpirationDays": 14,
        "context": {
            "patterns": [
                {
                    "criteria": [
                        _visit("device.category", "equal", "mobile"),
                        _visit("mktCampaign.medium", "equal", "cpc"),
                    ]
                }
            ]
        },
        "journey": {
            "patterns": [
                _pattern(
                    2,
                    {
                        "key": "page.url",
                        "values": ["/pricing"],
                        "operator": "containsAny",
                        "shouldIgnoreCase": True,
                    },
                )
            ]
        },
    },
    "Visitors from Ireland": {
        "isActive": True,
        "color": "#169B62",
        "shouldDisplayToAgent": False,
        "context": {"patterns": [{"criteria": [_visit("geolocation.country", "equal", "IE")]}]},
        "journey": {"patterns": []},
    },
    "Spring sale browsers": {
        "isActive": False,
        "description": "Last spring's sale pages; kept for its reports",
        "color": "#FF8800",
        "shouldDisplayToAgent": False,
        "context": {"patterns": []},
        "journey": {
            "patterns": [
                _pattern(
                    1,
                    {"key": "page.url", "values": ["/spring-sale"], "operator": "startsWith"},
                )
            ]
        },
    },
}


def journey_segments(now: str) -> list[dict[str, Any]]:
    return [_segment(name, fields, now) for name, fields in _SEGMENTS.items()]


def _segment(name: str, fields: dict[str, Any], now: str) -> dict[str, Any]:
    ident = entity_id("journeysegment", name)
    return {
        "id": ident,
        "displayName": name,
        **fields,
        "scope": "Session" if fields["journey"]["patterns"] else "Customer",
        "version": 1,
        "createdDate": now,
        "modifiedDate": now,
        "selfUri": f"/api/v2/journey/segments/{ident}",
    }
