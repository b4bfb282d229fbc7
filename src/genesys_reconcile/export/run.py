"""Export: every live resource of the chosen kinds as a file in the repository's layout, read
from one listing per kind, each checked to plan no change before it is written.

A resource is written only when its document, planned against the org, shows no difference
from it (the kind's own `desired` and `current`), so export followed by plan says "No
changes"; one that would not is reported with the fields that differ, and not written. A name
several resources share is reported with their ids, and each is written under a file name
that carries its id. A resource a file of the repository already describes is left alone,
and so is every existing file unless the caller forces it: nothing is half-written.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.files import write_atomically
from genesys_reconcile.genesys.errors import NotFound
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, Kind
from genesys_reconcile.kinds.base import file_stem_for
from genesys_reconcile.manifest.diagnostics import Severity
from genesys_reconcile.manifest.discovery import find
from genesys_reconcile.manifest.emit import dump, modeline
from genesys_reconcile.manifest.schema import schema_findings
from genesys_reconcile.manifest.yaml import display_path, load_file
from genesys_reconcile.plan.planner import differences
from genesys_reconcile.settings import Settings
from genesys_reconcile.validation import unresolved

Chosen = Callable[[str, str], bool]
_WRITERS = 8


@dataclass(frozen=True)
class Exported:
    """One live resource as a file: where it goes and what it holds."""

    kind: str
    name: str
    ident: str
    path: Path
    text: str
    unresolved: int = 0  # references to resources the org no longer has


@dataclass
class Outcome:
    files: list[Exported] = field(default_factory=list)  # to write
    described: list[tuple[Exported, str]] = field(default_factory=list)  # by an existing file
    conflicts: list[Exported] = field(default_factory=list)  # would overwrite a file
    skipped: list[tuple[str, str, str, str]] = field(default_factory=list)  # kind, name, id, why
    duplicates: list[tuple[str, str, list[str]]] = field(default_factory=list)  # kind, name, ids
    unserved: dict[str, str] = field(default_factory=dict)  # kind: the path the org lacks


class Conflicts(ReconcileError):
    """Existing files an export would overwrite; nothing was written."""


def exported(
    kinds: Sequence[Kind], live: LiveState, chosen: Chosen, directory: Path, settings: Settings
) -> Outcome:
    """What an export of `kinds` into `directory` writes, leaves alone and cannot write."""
    outcome = Outcome()
    described = _described(directory)
    for kind in kinds:
        try:
            entities = [e for e in kind.live_entities(live) if chosen(kind.kind, kind.name_of(e))]
        except NotFound as missing:
            outcome.unserved[kind.kind] = missing.path.split("?")[0]
            continue
        shared = {n for n, c in Counter(kind.name_of(e) for e in entities).items() if c > 1}
        for name in sorted(shared):
            ids = sorted(kind.id_of(e) for e in entities if kind.name_of(e) == name)
            outcome.duplicates.append((kind.kind, name, ids))
        for entity in entities:
            _export_one(kind, entity, live, directory, settings, shared, described, outcome)
    return outcome


def _export_one(
    kind: Kind,
    entity: dict[str, Any],
    live: LiveState,
    directory: Path,
    settings: Settings,
    shared: set[str],
    described: dict[tuple[str, str], str],
    outcome: Outcome,
) -> None:
    name, ident = kind.name_of(entity), kind.id_of(entity)
    try:
        document = kind.export(entity, live)
    except (KeyError, TypeError, ValueError):  # a live shape beyond what the kind reads
        document = None
    if document is None:
        reason = "its live shape has no form in this kind's files"
        outcome.skipped.append((kind.kind, name, ident, reason))
        return
    markers = sum(1 for _ in unresolved(document))
    problem = None if markers else _difference(kind, entity, document, live, settings)
    if problem:
        outcome.skipped.append((kind.kind, name, ident, problem))
        return
    stem = file_stem_for(name) or kind.kind.lower()
    if name in shared:
        stem = f"{stem}-{ident[:8]}"  # names several resources share: told apart by id
    path = directory / kind.directory / f"{stem}.yaml"
    made = Exported(kind.kind, name, ident, path, _text(kind, document, path, directory), markers)
    where = described.get((kind.kind, name))
    if where is not None and name not in shared:
        outcome.described.append((made, where))
    elif path.exists():
        outcome.conflicts.append(made)
    else:
        outcome.files.append(made)


def _difference(
    kind: Kind,
    entity: dict[str, Any],
    document: dict[str, Any],
    live: LiveState,
    settings: Settings,
) -> str | None:
    """Why the document would not plan equal to the resource; None when it would."""
    findings = schema_findings(kind.schema_file, document)
    findings.extend(kind.check(document, settings))
    errors = [f for f in findings if f.severity is Severity.ERROR]
    if errors:
        where = ".".join(str(p) for p in errors[0].path)
        return f"its file would not be valid ({where}: {errors[0].message})"
    try:
        desired = kind.desired(document, live)
    except ReconcileError as exc:
        return f"its file would not plan: {exc.message}"
    changed = differences(kind.current(entity, desired, live), desired)
    if changed:
        fields = ", ".join(c.path for c in changed[:3]) + (", ..." if len(changed) > 3 else "")
        return f"its file would not plan equal to it (differs in {fields})"
    return None


def _text(kind: Kind, document: dict[str, Any], path: Path, directory: Path) -> str:
    return dump(document, modeline(path.relative_to(directory).as_posix(), kind.schema_file))


def _described(directory: Path) -> dict[tuple[str, str], str]:
    """Which (kind, name) each readable file under `directory` already describes."""
    found: dict[tuple[str, str], str] = {}
    if not directory.is_dir():
        return found
    for path in find([directory], directory).files:
        try:
            data = load_file(path).data
        except ReconcileError:
            continue  # not a desired-state file export could describe
        kind = KINDS.get(str(data.get("kind")))
        name = kind.identity(data) if kind else None
        if kind and name:
            found.setdefault((kind.kind, name), display_path(path))
    return found


def write(outcome: Outcome, force: bool) -> list[Exported]:
    """Write the export's files; with `force`, over the conflicting ones too. Without it, any
    conflict writes nothing and says which files are in the way."""
    if outcome.conflicts and not force:
        paths = ", ".join(display_path(e.path) for e in outcome.conflicts[:5])
        more = len(outcome.conflicts) - 5
        raise Conflicts(
            f"{len(outcome.conflicts)} files exist that do not describe what would be written "
            f"there: {paths}{f' and {more} more' if more > 0 else ''}; nothing was written "
            "(move them, or use --force to overwrite them)"
        )
    written = [*outcome.files, *(outcome.conflicts if force else [])]
    # Each write waits on its fsyncs, not the processor: thousands of files go eight at once.
    with ThreadPoolExecutor(_WRITERS) as pool:
        list(pool.map(lambda made: write_atomically(made.path, made.text), written))
    return written
