"""Keeping reconcile.owned.yaml as apply changes the org: what a run creates becomes the
repository's own, so that removing its file later lets --prune delete it; what a run deletes
is forgotten."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.ownership import FILE_NAME, Ownership
from genesys_reconcile.plan.model import Action


def recorded(root: Path, outcomes: Sequence[Outcome]) -> str | None:
    """Record the run's creates and forget its deletes; the summary's line on the record when
    it changed (or could not be written), else None."""
    # A create whose answer never came may have happened: owning a name the org lacks costs
    # nothing, while a resource the record missed could never be pruned.
    made = [_pair(o) for o in outcomes if o.change.action is Action.CREATE and _maybe(o)]
    gone = [_pair(o) for o in outcomes if o.change.action is Action.DELETE and o.ok]
    if not made and not gone:
        return None
    try:
        record = Ownership.load(root)
        added, forgotten = record.add(made), record.forget(gone)
        record.save()
    except (OSError, ReconcileError) as exc:
        return f"{FILE_NAME} was not updated ({exc}); run `reconcile own` and commit it."
    return _said(len(added), len(forgotten))


def _said(added: int, forgotten: int) -> str | None:
    parts = []
    if added:
        parts.append(f"records {added} new resource{'s' if added != 1 else ''}")
    if forgotten:
        parts.append(f"forgets {forgotten} deleted resource{'s' if forgotten != 1 else ''}")
    return f"{FILE_NAME} {' and '.join(parts)}; commit it." if parts else None


def _maybe(outcome: Outcome) -> bool:
    return outcome.ok or outcome.status == "unknown"


def _pair(outcome: Outcome) -> tuple[str, str]:
    return (outcome.change.kind, outcome.change.name)
