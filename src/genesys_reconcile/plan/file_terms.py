"""Differences in the file's own terms: what a reviewer compares with the file they changed.

The live resource is read back into its file's model (the kind's `export`) and the file is put
in the same spelling (the kind's `canonical`); the two are compared key by key. A list of
plain values (the regions a criterion allows, the DNC lists a campaign checks) is one change
whose members were added or removed; a list of named items (rules) is compared by name; other
lists item by item. Where the live resource cannot be read back (rules edited by hand in the
console, say), or the two agree while the API's fields differ, the plan shows the API's fields
instead and says why.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import Kind
from genesys_reconcile.plan.model import FieldChange

UNREADABLE = (
    "the live resource does not read back into its file's terms (changed outside this "
    "repository?); the API's fields are shown"
)
SPELLING = (
    "the file and the org differ only in how the API holds the same values; the API's fields "
    "are shown"
)


def as_file(kind: Kind, document: dict[str, Any] | None) -> dict[str, Any] | None:
    """A document without the keys that are the file's alone (`kind`, a description)."""
    if document is None:
        return None
    return {k: v for k, v in document.items() if k not in kind.file_only}


def file_changes(
    kind: Kind, entity: dict[str, Any], data: dict[str, Any], live: LiveState
) -> tuple[FieldChange, ...] | None:
    """The differences between the live resource and the file, in the file's terms; None
    when either cannot be put in them."""
    try:
        before = as_file(kind, kind.export(entity, live))
        after = as_file(kind, kind.canonical(data, live))
    except (ReconcileError, KeyError, TypeError, ValueError):
        return None
    if before is None or after is None:
        return None
    if not kind.creatable:  # it manages only the keys its file lists
        before = {k: before.get(k) for k in after}
    for key in kind.partial:
        if isinstance(before.get(key), dict) and isinstance(after.get(key), dict):
            before[key] = {k: before[key].get(k) for k in after[key]}
    return tuple(_differences(before, after, ""))


def _differences(before: Any, after: Any, path: str) -> Iterator[FieldChange]:
    if _equal(before, after):
        return
    if isinstance(before, dict) and isinstance(after, dict):
        for key in [*after, *(k for k in before if k not in after)]:
            yield from _differences(before.get(key), after.get(key), _join(path, key))
    elif _named_items(before) and _named_items(after):
        old, new = [i["name"] for i in before], [i["name"] for i in after]
        if [n for n in old if n in new] != [n for n in new if n in old]:
            yield FieldChange(f"{path} (order)", old, new)
        yield from _differences(_by_name(before), _by_name(after), path)
    elif _records(before) and _records(after) and len(before) == len(after):
        for index, (old, new) in enumerate(zip(before, after, strict=True)):
            yield from _differences(old, new, f"{path}[{index}]")
    elif _records(before) and _records(after):  # items came or went: each one that did
        yield from (FieldChange(f"{path}[{i}]", v, None) for i, v in _missing(before, after))
        yield from (FieldChange(f"{path}[{i}]", None, v) for i, v in _missing(after, before))
    else:
        yield FieldChange(path, before, after)


def _equal(before: Any, after: Any) -> bool:
    """Equal as values: 3 and 3.0 alike, True and 1 not."""
    if isinstance(before, bool) or isinstance(after, bool):
        return type(before) is type(after) and before == after
    return bool(before == after)


def _join(path: str, key: str) -> str:
    plain = key.replace("_", "").isalnum() and not key[:1].isdigit()
    name = key if plain else f'"{key}"'
    return f"{path}.{name}" if path and plain else (f"{path}[{name}]" if path else name)


def _missing(items: list[Any], others: list[Any]) -> Iterator[tuple[int, Any]]:
    """The items of `items` that `others` lacks, with their places."""
    rest = list(others)
    for index, item in enumerate(items):
        found = next((i for i, o in enumerate(rest) if _equal(o, item)), None)
        if found is None:
            yield index, item
        else:
            del rest[found]


def _records(value: Any) -> bool:
    return isinstance(value, list) and any(isinstance(v, dict | list) for v in value)


def _named_items(value: Any) -> bool:
    """A list of mappings each with its own `name`: rules, compared by name."""
    if not isinstance(value, list) or not value:
        return False
    names = [v.get("name") if isinstance(v, dict) else None for v in value]
    return all(isinstance(n, str) for n in names) and len(set(names)) == len(names)


def _by_name(items: list[dict[str, Any]]) -> dict[str, Any]:
    return {item["name"]: {k: v for k, v in item.items() if k != "name"} for item in items}
