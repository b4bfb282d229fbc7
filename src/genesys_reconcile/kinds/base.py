"""What every resource kind provides. The planner, applier and renderers see only this.

A kind declares its wire contract as class attributes, and the defaults below read, write and
delete its resources through the client's generic verbs:

- `collection`: the listing and create path, such as "/api/v2/analytics/segments"; one
  resource is at `collection/{id}`.
- `update_method`: "PATCH" (the body carries only the fields that changed) or "PUT" (the whole
  resource, as read, with the file's fields over it).
- `name_field`: the field a file's name matches ("name"; a journey segment's "displayName").
- `managed`: the body fields a file sets; what a create sends and an update compares.
- `version_of(entity)`: the live version a write carries (default `entity["version"]`).
- `delete_params(entity)`: query parameters of a delete (default none).
- `is_stale(error)`: whether a refused write means the resource moved since it was read
  (default: the code `version.mismatch`, or a 409 or 400 whose message names the version,
  as the outbound and journey APIs answer); apply then reads it again and retries.
- `settling`, `depends_on`, `creatable`: below.
- `write(...)`: an update with steps around it (stop, write, start), through `Steps`;
  `WriteRefused` fails that change alone. `remark(...)`: what the plan says about it.

A kind overrides only what differs from these, such as a body the API builds from the file.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, ClassVar, Protocol, TypeGuard, TypeVar

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.errors import (
    Conflict,
    GenesysError,
    IndexRebuildInProgress,
    ValidationFailed,
    VersionMismatch,
)
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds.stand_ins import StandIns
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.settings import Settings

# "does not match the current version", "the version number ... must match": a stale write in
# the words of APIs that give it no code of its own.
_STALE_WORDS = re.compile(r"version.*\bmatch|\bmatch.*version", re.IGNORECASE)


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

    def counts(
        self, path: str, body: Mapping[str, Any], fields: Sequence[str]
    ) -> Mapping[str, int]:
        """The whole-number `fields` of what a reading POST of `body` to `path` answers (a
        filter preview's counts): only these are kept, never the rest of the answer."""
        ...


class WriteRefused(ReconcileError):
    """A write the kind will not make in the resource's present state (a running campaign
    whose change needs it off): that change fails alone, the others go on."""


class Steps(Protocol):
    """What a kind's write may ask of the apply running it."""

    def record(self, step: str, **fields: Any) -> None:
        """A step of the write (such as stopping a campaign), for the audit trail."""
        ...

    def settle(self, entity: dict[str, Any]) -> dict[str, Any]:
        """The resource read again until `settled` no longer says False (bounded by the
        settle timeout); raises once the wait is given up."""
        ...

    def say(self, text: str) -> None:
        """What the change's outcome must tell, such as the fields a write left undone."""
        ...


def no_options(kind: str) -> dict[str, Any]:
    """The settings schema of a kind that has no settings yet: an empty section."""
    return {
        "title": f"{kind} settings".strip(),
        "description": "None yet.",
        "type": "object",
        "additionalProperties": False,
        "properties": {},
    }


class Kind(ABC):
    kind: ClassVar[str]
    schema_file: ClassVar[str]
    identity_field: ClassVar[str]
    # Whether the reconciler may create resources of this kind, or delete unmanaged ones.
    creatable: ClassVar[bool] = True
    # The kinds whose resources this kind's may rely on: written before it, deleted after it.
    depends_on: ClassVar[tuple[str, ...]] = ()
    # Where a repository keeps this kind's files when reconcile.yaml names no paths.
    directory: ClassVar[str] = ""
    # The JSON schema of this kind's section of reconcile.yaml (`kinds: {<kind>: ...}`), as
    # schemas/reconcile-config.schema.json carries it for editors.
    options_schema: ClassVar[Mapping[str, Any]] = no_options("")
    # What a written resource does before it is ready, in words ("index rebuild"), for the
    # progress line and errors; see `settled`.
    settling: ClassVar[str] = "settling"
    # The wire contract (see the module's docstring).
    collection: ClassVar[str]
    update_method: ClassVar[str] = "PATCH"
    name_field: ClassVar[str] = "name"
    managed: ClassVar[tuple[str, ...]] = ()
    # A file's keys that hold no field of the resource: what plans never compare.
    file_only: ClassVar[tuple[str, ...]] = ("kind",)
    # Mappings of which a file manages only the keys it lists (a campaign's `settings`).
    partial: ClassVar[tuple[str, ...]] = ()

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

    def export(self, entity: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        """A live resource as its file's document: the file's keys in the file's order,
        references by name (or `{unresolved: id}` when the named resource is gone), no server
        fields or server-filled defaults; None when this kind cannot be exported. Export
        checks that the document plans no change against the resource before writing it."""
        return None

    def needs(self, data: dict[str, Any]) -> Iterator[tuple[str, str]]:
        """The (kind, name) of each resource a valid file binds, which the repository may
        create: a plan that targets this resource covers them too."""
        return iter(())

    def canonical(self, data: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        """A valid file's document in the one spelling `export` writes, so that a plan can
        compare it with the live resource read back the same way; None when it has none."""
        return data

    def stand_ins(self, data: dict[str, Any], live: LiveState) -> StandIns | None:
        """On an org that does not serve this kind, the documents of other kinds a valid file
        means there (or why it cannot); None where the org serves the kind, or where the file
        has no meaning without it."""
        return None

    # -- planning: both sides in the comparable wire shape ------------------------------------

    def live_entities(self, live: LiveState) -> list[dict[str, Any]]:
        """Every live resource of this kind, managed or not."""
        return live.listing(self.collection)

    def keys(self, entity: dict[str, Any]) -> tuple[str, ...]:
        """What a file may call this live resource: its name."""
        return (str(entity.get(self.name_field)),)

    def name_of(self, entity: dict[str, Any]) -> str:
        """A live resource's name, as plans and outputs show it ("" when it has none)."""
        return str(entity.get(self.name_field, ""))

    def id_of(self, entity: dict[str, Any]) -> str:
        return str(entity["id"])

    def version_of(self, entity: dict[str, Any]) -> Any:
        """The live version a write based on `entity` carries; None when it has none."""
        return entity.get("version")

    def path_of(self, ident: str) -> str:
        return f"{self.collection}/{ident}"

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
            return {self.id_of(e): e for e in self.live_entities(live)}

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
        live: LiveState | None = None,
    ) -> str | None:
        """What creating (`entity` None) or updating the resource does to the data it selects
        over `window`, as one line for the plan; None when there is nothing to say. `live` is
        the plan's view of the org, for kinds whose files name other resources."""
        return None

    # -- applying -------------------------------------------------------------------------------

    def written(self, data: dict[str, Any]) -> dict[str, Any]:
        """The body fields a file sets, as the API takes them."""
        return {k: data[k] for k in self.managed if k in data}

    def create(self, client: GenesysClient, data: dict[str, Any]) -> dict[str, Any]:
        if not self.creatable:  # the planner plans no creates for such kinds
            raise ReconcileError(f"{self.kind} resources are never created")
        return client.create(self.collection, self.written(data))

    def update_body(
        self, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        """What an update sends, but the version: a PATCH only the fields that differ (it
        leaves the rest to whoever else manages them); a PUT the whole resource."""
        wanted = self.written(data)
        if self.update_method == "PUT":
            return {**entity, **wanted}
        return {k: v for k, v in wanted.items() if v != entity.get(k)}

    def update(
        self, client: GenesysClient, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        """Write the file's managed fields with the live version; returns the new entity."""
        body = {**self.update_body(entity, data, live), "version": self.version_of(entity)}
        return client.update(self.update_method, self.path_of(self.id_of(entity)), body)

    def write(
        self,
        client: GenesysClient,
        entity: dict[str, Any],
        data: dict[str, Any],
        live: LiveState,
        steps: Steps,
    ) -> dict[str, Any]:
        """An update as apply makes it: `update`, unless the kind takes steps around it."""
        return self.update(client, entity, data, live)

    def remark(
        self, entity: dict[str, Any], data: dict[str, Any], changed: Sequence[str]
    ) -> str | None:
        """What a reviewer must know about how apply makes an update of the fields `changed`
        (a running campaign's policy), for the plan; None when nothing."""
        return None

    def delete_params(self, entity: dict[str, Any]) -> dict[str, Any] | None:
        return None

    def delete(self, client: GenesysClient, entity: dict[str, Any]) -> None:
        if not self.creatable:  # the planner plans no deletes for such kinds
            raise ReconcileError(f"{self.kind} resources are never deleted")
        client.delete(self.path_of(self.id_of(entity)), self.delete_params(entity))

    def is_stale(self, error: GenesysError) -> bool:
        """Whether a refused write means the resource moved since it was read."""
        if isinstance(error, VersionMismatch):
            return True
        if isinstance(error, IndexRebuildInProgress):
            return False
        worded = isinstance(error, Conflict | ValidationFailed) and error.status in (400, 409)
        return worded and _STALE_WORDS.search(error.message) is not None

    def settled(self, entity: dict[str, Any]) -> bool | str:
        """True once a written resource is ready for use, False while it is still settling,
        or the reason it failed."""
        return True

    def unconverged(self, entity: dict[str, Any]) -> str | None:
        """Why a live resource does not hold what its file asks even when its fields match,
        and what apply does about it; None when its fields say it all."""
        return None

    def reread(self, client: GenesysClient, ident: str) -> dict[str, Any]:
        """One resource, read again after a write or a conflict."""
        return client.get(self.path_of(ident))

    @abstractmethod
    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        """A live entity's managed fields, normalised like `desired`; with `desired`, only the
        fields the file manages."""


def differing(
    written: dict[str, Any], entity: dict[str, Any], normalised: Callable[[dict[str, Any]], Any]
) -> dict[str, Any]:
    """The written fields that differ from the entity's once both are normalised, not merely
    spelled or ordered apart: what a PATCH needs to carry."""
    return {
        k: v for k, v in written.items() if normalised({k: v}) != normalised({k: entity.get(k)})
    }


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


def contact_text(value: Any) -> str:
    """A file's value as the platform holds every contact value: a string (`true`, `25`,
    `2.5`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def contact_number(value: Any) -> Any:
    """A contact value as the number it spells (`"25"` -> 25, `"2.5"` -> 2.5), as a file
    writes it; any other value as it is."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return value
    return int(number) if number.is_integer() else number
