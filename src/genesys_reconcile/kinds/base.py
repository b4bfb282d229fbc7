"""What every resource kind provides. The planner, applier and renderers see only this."""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, TypeGuard, TypeVar

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.settings import Settings


class Span(Protocol):
    """The interval an impact line counts conversations in."""

    @property
    def days(self) -> float: ...


# Generic in the window, so that a reader taking its own window type (the preview's `Window`)
# fits without this layer knowing that type.
SpanT = TypeVar("SpanT", bound=Span)
SpanT_contra = TypeVar("SpanT_contra", bound=Span, contravariant=True)


class Selections(Protocol[SpanT_contra]):
    """What impact lines read from the org's analytics (the preview's reader is one); a kind
    knows its queries, never how they are sent or cached."""

    def matched(
        self, query: Mapping[str, Any], window: SpanT_contra, where: Callable[[int], str]
    ) -> int:
        """How many conversations a segment query selects in `window`; `where(i)` names
        predicate i's place in errors."""
        ...


class Kind(ABC):
    kind: ClassVar[str]
    schema_file: ClassVar[str]
    identity_field: ClassVar[str]
    # Whether the reconciler may create resources of this kind, or delete unmanaged ones.
    creatable: ClassVar[bool] = True
    # The kinds whose resources this kind's may rely on: written before it, deleted after it.
    depends_on: ClassVar[tuple[str, ...]] = ()
    # What a written resource does before it is ready, in words ("index rebuild"), for the
    # progress line and errors; see `settled`.
    settling: ClassVar[str] = "settling"

    def identity(self, data: dict[str, Any]) -> str | None:
        """The resource's name, unique within its kind; None when the file lacks one."""
        value = data.get(self.identity_field)
        return value if isinstance(value, str) and value else None

    @abstractmethod
    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        """Semantic checks beyond the schema. They run on files that may also break the schema,
        so they look only at the parts that have the right shape."""

    def check_across(self, documents: Sequence[dict[str, Any]]) -> Iterator[tuple[int, Finding]]:
        """Checks across all valid files of this kind; each finding names its file's index."""
        return iter(())

    def check_live(self, data: dict[str, Any], live: LiveState) -> Iterator[Finding]:
        """Checks of a valid file against the org's live state."""
        return iter(())

    # -- planning: both sides in the comparable wire shape ------------------------------------

    @abstractmethod
    def live_entities(self, live: LiveState) -> list[dict[str, Any]]:
        """Every live resource of this kind, managed or not."""

    def keys(self, entity: dict[str, Any]) -> tuple[str, ...]:
        """What a file may call this live resource: its name."""
        return (str(entity.get("name")),)

    def named(self, live: LiveState, name: str) -> dict[str, Any] | None:
        """The live resource a file's name refers to (the first, if several answer to it)."""

        def index() -> dict[str, dict[str, Any]]:
            found: dict[str, dict[str, Any]] = {}
            for entity in self.live_entities(live):
                for key in self.keys(entity):
                    found.setdefault(key, entity)
            return found

        return live.memo((self.kind, "keys"), index).get(name)

    def with_id(self, live: LiveState, ident: str | None) -> dict[str, Any] | None:
        def index() -> dict[str, dict[str, Any]]:
            return {str(e["id"]): e for e in self.live_entities(live)}

        return live.memo((self.kind, "ids"), index).get(str(ident))

    @abstractmethod
    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        """What the file asks for, as the API would hold it, normalised."""

    def impact(
        self,
        data: dict[str, Any],
        entity: dict[str, Any] | None,
        analytics: Selections[SpanT],
        window: SpanT,
    ) -> str | None:
        """What creating (`entity` None) or updating the resource does to the data it selects
        over `window`, as one line for the plan; None when there is nothing to say."""
        return None

    # -- applying -------------------------------------------------------------------------------

    def create(self, client: GenesysClient, data: dict[str, Any]) -> dict[str, Any]:
        # The planner plans no creates for kinds that are not `creatable`.
        raise ReconcileError(f"{self.kind} resources are never created")

    @abstractmethod
    def update(
        self, client: GenesysClient, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        """Write the file's managed fields with the live version; returns the new entity."""

    def delete(self, client: GenesysClient, entity: dict[str, Any]) -> None:
        # The planner plans no deletes for kinds that are not `creatable`.
        raise ReconcileError(f"{self.kind} resources are never deleted")

    def settled(self, entity: dict[str, Any]) -> bool | str:
        """True once a written resource is ready for use, False while it is still settling,
        or the reason it failed."""
        return True

    def unconverged(self, entity: dict[str, Any]) -> str | None:
        """Why a live resource does not hold what its file asks even when its fields match,
        and what apply does about it; None when its fields say it all."""
        return None

    @abstractmethod
    def reread(self, client: GenesysClient, ident: str) -> dict[str, Any]:
        """One resource, read again after a write or a conflict."""

    @abstractmethod
    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        """A live entity's managed fields, normalised like `desired`; with `desired`, only the
        fields the file manages."""


def file_stem_for(name: str) -> str:
    """The file stem expected for a resource: `Spring Outreach` -> `spring-outreach`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def mappings(container: Any, key: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """The mapping items of the list at `container[key]`, with their indexes; nothing when the
    shape is wrong (the schema reports that)."""
    items = container.get(key) if isinstance(container, dict) else None
    for index, item in enumerate(items if isinstance(items, list) else []):
        if isinstance(item, dict):
            yield index, item


def iso(moment: datetime) -> str:
    """An instant as the API and the outputs spell it: UTC, to the second."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def is_number(value: Any) -> TypeGuard[int | float]:
    return isinstance(value, int | float) and not isinstance(value, bool)
