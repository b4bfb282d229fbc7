"""Desired against live: match by (kind, name), normalise both sides, diff field by field.

Live state comes from one listing per kind (pages of 100, read concurrently), never from one
request per resource; every kind's rules for normalising live in its own module.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from deepdiff import DeepDiff

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.errors import NotFound
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, RANK, Kind
from genesys_reconcile.ownership import Ownership
from genesys_reconcile.plan.file_terms import SPELLING, UNREADABLE, as_file, file_changes
from genesys_reconcile.plan.model import Action, Change, FieldChange, Plan, Safety, Selector
from genesys_reconcile.plan.selection import selected
from genesys_reconcile.validation import Resource


def make_plan(
    resources: Sequence[Resource],
    live: LiveState,
    prune: bool = False,
    targets: Sequence[Selector] = (),
    excludes: Sequence[Selector] = (),
    safety: Safety | None = None,
    ownership: Ownership | None = None,
) -> Plan:
    """With `prune`, a live resource no file declares is deleted only when `ownership` records
    it (none: nothing is owned); the others are left alone and named."""
    plan = Plan(targets=tuple(targets), excludes=tuple(excludes), safety=safety or Safety())

    def chosen(kind: Kind, name: str) -> bool:
        wanted = not targets or any(s.matches(kind.kind, name) for s in targets)
        return wanted and not any(s.matches(kind.kind, name) for s in excludes)

    covered = {id(r) for r in selected(resources, targets, excludes)}
    names: set[tuple[str, str]] = {(r.kind.kind, r.name) for r in resources}
    names.update(r.stands_for for r in resources if r.stands_for is not None)
    for kind in KINDS.values():
        desired = [r for r in resources if r.kind is kind and id(r) in covered]
        try:
            every = kind.live_entities(live)
        except NotFound as missing:  # the path the org does not serve, which the notice names
            plan.unserved[kind.kind] = missing.path.split("?")[0]
            continue
        names.update((kind.kind, kind.name_of(e)) for e in every)
        plan.existing[kind.kind] = len(every)
        entities = [e for e in every if chosen(kind, kind.name_of(e))]
        matched: set[str] = set()
        for resource in desired:
            entity = kind.named(live, resource.name)
            change = _change(kind, resource, entity, live)
            if entity is not None:
                matched.add(kind.id_of(entity))
            if change is None:
                plan.unchanged += 1
            else:
                plan.changes.append(change)
        unmanaged = [e for e in entities if kind.id_of(e) not in matched]
        if kind.creatable:
            _leftovers(plan, kind, unmanaged, live, prune, ownership)
    plan.changes.sort(key=apply_order)
    plan.unmatched = tuple(t for t in targets if not any(t.matches(*n) for n in names))
    return plan


def _leftovers(
    plan: Plan,
    kind: Kind,
    unmanaged: list[dict[str, Any]],
    live: LiveState,
    prune: bool,
    ownership: Ownership | None,
) -> None:
    """The live resources of a kind that no file declares: the owned ones deleted with prune,
    the rest left alone, and those not owned named, as nobody here made them."""
    owned: list[dict[str, Any]] = []
    strangers: list[dict[str, Any]] = []
    for entity in unmanaged:
        mine = ownership is not None and ownership.owns(kind.kind, kind.name_of(entity))
        (owned if mine else strangers).append(entity)
    if prune:
        plan.changes.extend(_deletion(kind, e, live) for e in owned)
    left = len(strangers) + (0 if prune else len(owned))
    if left:
        plan.unmanaged[kind.kind] = left
    if strangers:
        plan.unowned[kind.kind] = tuple(sorted(kind.name_of(e) or kind.id_of(e) for e in strangers))


def apply_order(change: Change) -> tuple[int, int, int, str]:
    """Where a change goes in a plan and in apply: creates and updates kind by kind in
    dependency order, then deletes in the reverse order (what relies on a resource lets go of
    it before it goes); by name within a kind."""
    rank = RANK[change.kind]
    if change.action is Action.DELETE:
        return (1, -rank, 0, change.name)
    return (0, rank, 0 if change.action is Action.CREATE else 1, change.name)


def _change(
    kind: Kind, resource: Resource, entity: dict[str, Any] | None, live: LiveState
) -> Change | None:
    after = kind.desired(resource.document.data, live)
    source = str(resource.document.locate((kind.identity_field,)))
    if entity is None:
        fields = tuple(FieldChange(path, None, value) for path, value in _leaves(after))
        document = {k: v for k, v in resource.document.data.items() if k != "kind"}
        return Change(
            kind.kind,
            resource.name,
            Action.CREATE,
            fields,
            after=after,
            source=source,
            document=document,
        )
    before = kind.current(entity, after, live)
    fields = differences(before, after)
    reason = kind.unconverged(entity)
    if not fields and reason is None:
        return None
    if fields:
        remark = kind.remark(entity, resource.document.data, [f.path for f in fields])
        reason = "; ".join(r for r in (reason, remark) if r) or None
    unchanged = sum(1 for path, _ in _leaves(after) if not _touched(path, fields))
    shown = file_changes(kind, entity, resource.document.data, live) if fields else ()
    note = UNREADABLE if shown is None else (SPELLING if fields and not shown else None)
    return Change(
        kind.kind,
        resource.name,
        Action.UPDATE,
        fields,
        id=kind.id_of(entity),
        version=kind.version_of(entity),
        before=before,
        after=after,
        source=source,
        unchanged_fields=unchanged,
        reason=reason,
        shown=shown or None,
        shown_note=note,
    )


def _deletion(kind: Kind, entity: dict[str, Any], live: LiveState) -> Change:
    before = kind.current(entity, None, live)
    fields = tuple(FieldChange(path, value, None) for path, value in _leaves(before))
    try:
        document = as_file(kind, kind.export(entity, live))
    except (ReconcileError, KeyError, TypeError, ValueError):
        document = None  # the API's fields say what goes
    return Change(
        kind.kind,
        kind.name_of(entity) or kind.id_of(entity),
        Action.DELETE,
        fields,
        id=kind.id_of(entity),
        version=kind.version_of(entity),
        before=before,
        document=document,
    )


def differences(before: Any, after: Any) -> tuple[FieldChange, ...]:
    """Field-level differences, by path; 300 and 300.0 are the same number."""
    if _same(before, after):
        return ()  # most resources match the org, and deepdiff takes up to a millisecond each
    before, after = _without_shared_fields(before, after)
    diff = DeepDiff(before, after, ignore_numeric_type_changes=True, view="tree")
    changes = []
    for items in diff.values():
        for item in items:
            old = None if _absent(item.t1) else item.t1
            new = None if _absent(item.t2) else item.t2
            changes.append(FieldChange(_path(item.path(output_format="list")), old, new))
    return tuple(sorted(changes, key=lambda c: _sort_key(c.path)))


def _without_shared_fields(before: Any, after: Any) -> tuple[Any, Any]:
    """Both sides without the fields they share, in every mapping with the same keys on both
    sides: such fields add nothing to the diff, and deepdiff would walk every one of them.
    Mappings whose keys differ stay whole, as deepdiff weighs their shared keys against the
    others to decide whether to report them whole."""
    if type(before) is not dict or type(after) is not dict or before.keys() != after.keys():
        return before, after
    pairs = {
        key: _without_shared_fields(value, after[key])
        for key, value in before.items()
        if not _same(value, after[key])
    }
    kept_before = {key: pair[0] for key, pair in pairs.items()}
    kept_after = {key: pair[1] for key, pair in pairs.items()}
    return kept_before, kept_after


def _same(before: Any, after: Any) -> bool:
    """Whether JSON-shaped values are certainly equal to deepdiff: numbers by value, everything
    else of one type. When unsure (true against 1, say) it answers False, and deepdiff decides."""
    if type(before) is dict:
        return (
            type(after) is dict
            and before.keys() == after.keys()
            and all(map(_same, before.values(), map(after.__getitem__, before)))
        )
    if type(before) is list:
        return type(after) is list and len(before) == len(after) and all(map(_same, before, after))
    if type(before) in _NUMBERS:
        return type(after) in _NUMBERS and before == after
    return type(before) is type(after) and type(before) in _PLAIN and before == after


_NUMBERS = (int, float)
_PLAIN = (str, bool, type(None))


def _touched(leaf: str, fields: Sequence[FieldChange]) -> bool:
    """Whether a changed field is this leaf, lies inside it, or contains it."""
    return any(
        f.path == leaf
        or f.path.startswith((leaf + ".", leaf + "["))
        or leaf.startswith((f.path + ".", f.path + "["))
        for f in fields
    )


def _absent(value: Any) -> bool:
    return type(value).__name__ == "NotPresent"  # deepdiff's marker for a missing side


def _path(parts: Sequence[str | int]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _sort_key(path: str) -> list[Any]:
    # Numeric indexes in order: items[2] before items[10].
    return [
        int(p) if p.isdigit() else p for p in path.replace("[", ".").replace("]", "").split(".")
    ]


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """Each field of a created or deleted resource, as `path, value`; lists of plain values
    stay whole, as a reviewer reads them."""
    if isinstance(value, dict) and value:
        for key, item in value.items():
            yield from _leaves(item, f"{prefix}.{key}" if prefix else key)
    elif isinstance(value, list) and any(isinstance(v, dict | list) for v in value):
        for index, item in enumerate(value):
            yield from _leaves(item, f"{prefix}[{index}]")
    else:
        yield prefix, value
