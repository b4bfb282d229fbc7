"""Applying a reviewed plan: what the reviewer saw, and nothing a fresh plan would not do.

A saved plan is a file anyone can edit and re-checksum, so apply trusts the repository and the
org, not the file: it plans again from the same files (with this command's own --prune,
--target and --exclude) against the org the credentials belong to, and applies a saved change
only where the fresh plan makes exactly the same one. Everything else is refused by name, with
the reason; a fresh change the reviewer never saw is not applied either. A saved change the
org already holds exactly (an earlier, interrupted run of the same plan made it) is done: so
applying a plan again converges.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from pathlib import Path

from genesys_reconcile.apply.holding import filled, holds
from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.plan import document
from genesys_reconcile.plan.model import Action, Change
from genesys_reconcile.plan.run import Planned, Selection, input_files, planned
from genesys_reconcile.settings import Settings


def reviewed(
    config: Settings,
    client: GenesysClient,
    plan_file: Path,
    selection: Selection,
    allow_partial: bool,
    say: Callable[[str], None],
) -> Planned:
    """The saved plan's changes that a fresh plan still makes identically, ready to apply."""
    saved, data = document.load(plan_file)
    made_for, here = document.organization(data), client.organization()
    if made_for.id != here.id:
        raise ReconcileError(
            f"the plan was made for org {made_for}, but the credentials are for org {here}; "
            "plan again against this org"
        )
    if document.input_digest(input_files(config)) != data["inputDigest"]:
        raise ReconcileError("the files changed since the plan was made; plan again")
    fresh = planned(config, client, selection)
    kept, held, refusals = matching(saved.changes, fresh, selection)
    for change in held:
        say(f"already in the org: {change.action.sign} {change.kind} {change.name!r}")
    for change, reason in refusals:
        say(f"refused: {change.action.sign} {change.kind} {change.name!r}: {reason}")
    if refusals and not allow_partial:
        raise ReconcileError(
            f"{len(refusals)} planned change(s) do not hold; nothing was applied "
            "(plan again, or --allow-partial to apply the rest)"
        )
    fresh.plan.changes = kept
    fresh.refused = refusals
    return fresh


def matching(
    saved: Sequence[Change], fresh: Planned, selection: Selection
) -> tuple[list[Change], list[Change], list[tuple[Change, str]]]:
    """The fresh changes equal to saved ones; the saved changes the org already holds (an
    earlier run of this plan made them); and each other saved change, with why it is refused."""
    now = {(c.kind, c.name): c for c in fresh.plan.changes}
    kept: list[Change] = []
    held: list[Change] = []
    refusals: list[tuple[Change, str]] = []
    seen: set[tuple[str, str]] = set()
    for change in saved:
        key = (change.kind, change.name)
        if key not in seen and key not in now and _held(change, fresh):
            seen.add(key)
            held.append(change)
            continue
        reason = "appears twice in the plan" if key in seen else _why_not(change, now.get(key))
        seen.add(key)
        if reason:
            refusals.append((change, reason))
        else:
            kept.append(now[key])
    if not selection.prune:
        refusals = [(c, _needs_prune(c, r)) for c, r in refusals]
    return kept, held, refusals


def _why_not(saved: Change, fresh: Change | None) -> str:
    """Why a saved change is not the fresh plan's change for the same resource; '' if it is."""
    if fresh is None:
        return "a fresh plan of the files makes no such change"
    saved = _with_ids_of(saved, fresh)
    if fresh.action is not saved.action:
        return f"a fresh plan would {fresh.action.value} it instead"
    if fresh.version != saved.version:
        return f"moved from version {saved.version} to {fresh.version} since the plan"
    if _compared(fresh) != _compared(saved):
        return "differs from what a fresh plan of the files would do; plan again"
    return ""


def _with_ids_of(saved: Change, fresh: Change) -> Change:
    """The saved change with the ids of resources the plan itself created filled in, as the
    fresh plan now knows them (planned by name, they had none)."""
    after = {f.path: f.after for f in fresh.fields}
    fields = tuple(
        dataclasses.replace(f, after=filled(f.after, after.get(f.path))) for f in saved.fields
    )
    return dataclasses.replace(saved, fields=fields, after=filled(saved.after, fresh.after))


def _held(change: Change, fresh: Planned) -> bool:
    """Whether the org already holds exactly what the saved change would make."""
    action = change.action.value
    return holds(fresh, change.kind, change.name, action, change.id, None, change.after)[1]


def _compared(change: Change) -> str:
    # What apply would send and check, as JSON (a saved change has been through JSON once).
    # The impact line is commentary that may have moved on since.
    # Fields by path: a listing may hold an entity's keys in another order from read to read.
    fields = sorted(([f.path, f.before, f.after] for f in change.fields), key=lambda f: f[0])
    return json.dumps([change.id, fields, change.before, change.after], sort_keys=True, default=str)


def _needs_prune(change: Change, reason: str) -> str:
    if change.action is Action.DELETE and reason.startswith("a fresh plan"):
        return f"{reason} (deletes need --prune on apply)"
    return reason
