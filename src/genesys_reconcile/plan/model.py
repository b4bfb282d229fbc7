"""A plan is a plain, sortable value: changes, each with its field-level differences."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"


_ORDER = {Action.CREATE: 0, Action.UPDATE: 1, Action.DELETE: 2}


@dataclass(frozen=True)
class FieldChange:
    """One difference: `path` such as `query.filter.predicates[1].value`; a missing side is
    None (a field added or removed)."""

    path: str
    before: Any
    after: Any


@dataclass(frozen=True)
class Change:
    kind: str
    name: str
    action: Action
    fields: tuple[FieldChange, ...]
    id: str | None = None  # the live resource, for updates and deletes
    version: int | None = None  # the live version the change was computed from
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    source: str | None = None  # file:line of the desired resource

    @property
    def key(self) -> tuple[str, int, str]:
        return (self.kind, _ORDER[self.action], self.name)


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    unmanaged: dict[str, int] = field(default_factory=dict)  # per kind, left alone (no --prune)

    def count(self, action: Action) -> int:
        return sum(c.action is action for c in self.changes)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)
