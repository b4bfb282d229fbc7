"""References by name: files name contact lists, filters, rule sets and the like; the API
takes `{id}`. Names are resolved at plan time by exact match (a listing's `name=` is a prefix
match on the platform, so the whole listing is read and compared here), and the resolved ids
travel in the plan, so that apply writes exactly what was reviewed.

Names are not known to be unique on the platform: a name that several resources answer to is
an error naming their ids, never a guess.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.manifest.yaml import JsonPath


def matching(live: LiveState, collection: str, name: str) -> list[dict[str, Any]]:
    """The live resources of `collection` named exactly `name`."""

    def index() -> dict[str, list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for entity in live.listing(collection):
            found.setdefault(str(entity.get("name")), []).append(entity)
        return found

    return live.memo((collection, "by name"), index).get(name, [])


def one(live: LiveState, collection: str, name: Any) -> dict[str, Any] | None:
    """The one live resource of `collection` named `name`; None when no name is given, or
    none or several resources answer to it (the reference's own finding says which)."""
    if not isinstance(name, str):
        return None
    found = matching(live, collection, name)
    return found[0] if len(found) == 1 else None


def problem(live: LiveState, collection: str, name: str, what: str) -> str | None:
    """Why `name` does not name exactly one `what` in the org; None when it does."""
    found = matching(live, collection, name)
    if not found:
        return f"{what} '{name}' does not exist in the org"
    if len(found) > 1:
        ids = ", ".join(sorted(str(e["id"]) for e in found))
        return f"{len(found)} {what}s are named '{name}' (ids {ids}); rename all but one"
    return None


def findings(
    live: LiveState, path: JsonPath, collection: str, name: Any, what: str
) -> Iterator[Finding]:
    """A finding at `path` when `name` (a file's value) does not name exactly one `what`."""
    if isinstance(name, str):
        found = problem(live, collection, name, what)
        if found:
            yield Finding(path, found)


def ref(live: LiveState, collection: str, name: str, what: str) -> dict[str, str]:
    """`{id}` of the one `what` named `name`. Validation reports a missing or ambiguous name at
    its line before planning; this error is for a caller that skipped it."""
    found = problem(live, collection, name, what)
    if found:
        raise ReconcileError(found)
    return {"id": str(matching(live, collection, name)[0]["id"])}


def name_of(live: LiveState, collection: str, reference: Any) -> str | None:
    """The name of the resource a live `{id}` reference points at; None when none has it (the
    reference outlived its resource)."""
    ident = reference.get("id") if isinstance(reference, dict) else None

    def index() -> dict[str, str]:
        return {str(e["id"]): str(e.get("name")) for e in live.listing(collection)}

    return live.memo((collection, "names"), index).get(str(ident))


def name_or_unresolved(live: LiveState, collection: str, reference: Any) -> str | dict[str, str]:
    """A live reference as a file writes it: the name of what it points at, or, when nothing
    in the org has its id any more, `{unresolved: id}`, which validation reports, so that an
    export never drops a reference silently."""
    name = name_of(live, collection, reference)
    if name is not None:
        return name
    ident = reference.get("id") if isinstance(reference, dict) else reference
    return {"unresolved": str(ident)}
