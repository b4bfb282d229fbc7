"""A plan is a plain, sortable value: changes, each with its field-level differences."""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"

    @property
    def sign(self) -> str:
        """How plans and progress mark it: + create, ~ update, - delete."""
        return {"create": "+", "update": "~", "delete": "-"}[self.value]


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
    unchanged_fields: int = 0  # managed fields that already match (updates only)
    impact: str | None = None  # what the change does to the data it selects, in words
    reason: str | None = None  # why a resource whose fields match is still not as planned
    # What reviewers read: the differences in the file's own terms (`demographics.region.
    # allowed`), where the kind reads the live resource back into its file's model; None when
    # it cannot, and `fields` (the wire's terms, which apply writes) are shown, `shown_note`
    # saying why.
    shown: tuple[FieldChange, ...] | None = None
    shown_note: str | None = None
    # A created resource as its file has it, a deleted one as its file would: shown as YAML.
    document: dict[str, Any] | None = None

    @property
    def reviewed(self) -> tuple[FieldChange, ...]:
        """The differences a reviewer reads: in the file's terms where there are some."""
        return self.fields if self.shown is None else self.shown


@dataclass(frozen=True)
class Selector:
    """`KIND/NAME` from --target or --exclude; NAME may use shell wildcards (* ? [...])."""

    kind: str
    name: str

    def __str__(self) -> str:
        return f"{self.kind}/{self.name}"

    def matches(self, kind: str, name: str) -> bool:
        return kind == self.kind and fnmatch.fnmatchcase(name, self.name)


@dataclass(frozen=True)
class Safety:
    """octoDNS-style thresholds: a plan that would update or delete more than this share of a
    kind's existing resources, once at least `min_existing` exist, needs --force."""

    updates: float = 0.3
    deletes: float = 0.3
    min_existing: int = 10


@dataclass
class Plan:
    changes: list[Change] = field(default_factory=list)
    unchanged: int = 0
    # Live resources no file declares, left alone, per kind: those the repository owns (when
    # not pruning) and those it does not own (always); `unowned` names the latter.
    unmanaged: dict[str, int] = field(default_factory=dict)
    unowned: dict[str, tuple[str, ...]] = field(default_factory=dict)
    existing: dict[str, int] = field(default_factory=dict)  # live resources per kind
    # Kinds the org does not serve (their listing is a 404), with that listing's path: their
    # files are left out (analytics segments are a demo extension no real org has).
    unserved: dict[str, str] = field(default_factory=dict)
    targets: tuple[Selector, ...] = ()
    excludes: tuple[Selector, ...] = ()
    safety: Safety = field(default_factory=Safety)
    unmatched: tuple[Selector, ...] = ()  # targets that name nothing in the files or the org

    @property
    def partial(self) -> bool:
        return bool(self.targets or self.excludes)

    def violations(self) -> list[str]:
        """Each threshold this plan exceeds, as a sentence."""
        found = []
        for kind, existing in sorted(self.existing.items()):
            if existing < self.safety.min_existing:
                continue
            for action, limit in (
                (Action.UPDATE, self.safety.updates),
                (Action.DELETE, self.safety.deletes),
            ):
                count = sum(c.kind == kind and c.action is action for c in self.changes)
                if count / existing > limit:
                    found.append(
                        f"{count} of {existing} {kind} resources would be {action.value}d "
                        f"({count / existing:.0%}), over the {limit:.0%} threshold"
                    )
        return found

    def count(self, action: Action) -> int:
        return sum(c.action is action for c in self.changes)

    @property
    def has_changes(self) -> bool:
        return bool(self.changes)
