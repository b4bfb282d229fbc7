"""A campaign's contact sorts: the file's `{column, direction, numeric}` and the API's
`{fieldName, direction, numeric}`, each way, with the API's defaults (ASC, not numeric) filled
in, so that a sort written with or without them is the same sort."""

from __future__ import annotations

from typing import Any


def to_api(sorts: Any) -> list[dict[str, Any]]:
    """The file's sorts as the API's."""
    return [
        {
            "fieldName": s["column"],
            "direction": s.get("direction", "ASC"),
            "numeric": s.get("numeric", False),
        }
        for s in sorts
    ]


def from_live(sorts: Any) -> list[dict[str, Any]]:
    """Live sorts in the API's shape, defaults filled in."""
    items = sorts if isinstance(sorts, list) else []
    return [
        {
            "fieldName": s.get("fieldName"),
            "direction": s.get("direction") or "ASC",
            "numeric": bool(s.get("numeric")),
        }
        for s in items
    ]


def to_file(sorts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """API sorts as the file writes them, every key given."""
    return [
        {"column": s["fieldName"], "direction": s["direction"], "numeric": s["numeric"]}
        for s in sorts
    ]


def in_full(sorts: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The file's sorts with the defaults written out."""
    return [{"direction": "ASC", "numeric": False} | s for s in sorts]
