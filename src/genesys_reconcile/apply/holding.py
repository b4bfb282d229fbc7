"""Whether the org already holds what a change would make.

Asked of a change whose result is not known from its own write: one a stopped run started but
never recorded, or one of a reviewed plan that a fresh plan no longer needs (applied by an
earlier run of the same plan). It compares the org as just read with what the files ask, and
with what the change itself would have made, recognised by a digest.
"""

from __future__ import annotations

from typing import Any

from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, Kind
from genesys_reconcile.plan.document import checksum
from genesys_reconcile.plan.planner import differences
from genesys_reconcile.plan.run import Planned
from genesys_reconcile.validation import Resource


def after_digest(after: dict[str, Any] | None) -> str | None:
    """What a change would make, in brief: to recognise it later."""
    return None if after is None else checksum(after)


def filled(saved: Any, fresh: Any) -> Any:
    """`saved` with the ids it could not know taken from `fresh`: a reference to a resource the
    same plan creates is planned by name, with id None, and has an id once that is created."""
    if isinstance(saved, dict) and isinstance(fresh, dict):
        if "id" in saved and saved["id"] is None and saved.get("name") == fresh.get("name"):
            return {**saved, "id": fresh.get("id")}
        return {key: filled(value, fresh.get(key)) for key, value in saved.items()}
    if isinstance(saved, list) and isinstance(fresh, list) and len(saved) == len(fresh):
        return [filled(a, b) for a, b in zip(saved, fresh, strict=True)]
    return saved


def matches(kind: Kind, entity: dict[str, Any], after: dict[str, Any], live: LiveState) -> bool:
    """Whether a live resource already is what `after` asks, and has settled into it."""
    current = kind.current(entity, after, live)
    return not differences(current, after) and kind.unconverged(entity) is None


def holds(
    ready: Planned,
    kind_name: str,
    name: str,
    action: str,
    ident: str | None,
    digest: str | None,
    saved_after: dict[str, Any] | None = None,
) -> tuple[str | None, bool]:
    """The resource's id, and whether the org holds what the change would have made: a delete
    is gone; a create or update is what the files ask, and that is what the change made
    (`digest`, or `saved_after` itself; None when unknown)."""
    kind = KINDS.get(kind_name)
    if kind is None:
        return ident, False
    if action == "delete":
        return ident, kind.with_id(ready.live, ident) is None
    entity = kind.named(ready.live, name)
    resource = _by_name(ready).get((kind_name, name))
    if entity is None or resource is None:
        return ident, False
    after = kind.desired(resource.document.data, ready.live)
    if saved_after is not None:
        digest = after_digest(filled(saved_after, after))
    if digest is not None and digest != after_digest(after):
        return kind.id_of(entity), False  # the files ask for something else now
    return kind.id_of(entity), matches(kind, entity, after, ready.live)


def _by_name(ready: Planned) -> dict[tuple[str, str], Resource]:
    """The desired resources by (kind, name), indexed once per run, not searched per change."""
    return ready.live.memo(
        "resources by name", lambda: {(r.kind.kind, r.name): r for r in ready.resources}
    )
