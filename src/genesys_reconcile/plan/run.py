"""Planning a repository: check the files against the org, then plan (for plan and apply)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_reconcile import log
from genesys_reconcile.errors import ConfigError, ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.errors import GenesysError
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, Kind
from genesys_reconcile.manifest.discovery import discover
from genesys_reconcile.ownership import FILE_NAME, Ownership
from genesys_reconcile.plan.model import Action, Change, Plan, Safety, Selector
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.preview.query import Window
from genesys_reconcile.preview.source import Analytics
from genesys_reconcile.redaction import redact
from genesys_reconcile.settings import Settings
from genesys_reconcile.validation import InvalidFiles, Resource, validate

_log = log.get("plan")


@dataclass
class Planned:
    plan: Plan
    resources: list[Resource]
    live: LiveState
    inputs: list[Path]  # what the plan was made from, for its digest
    # Changes of a saved plan that apply will not make, each with the reason.
    refused: list[tuple[Change, str]] = dataclasses.field(default_factory=list)
    # What the ownership record names that neither the files nor the org hold.
    gone: list[tuple[str, str]] = dataclasses.field(default_factory=list)

    @property
    def notices(self) -> list[str]:
        """One line per kind the org does not serve, naming the files left out, and one per
        name the ownership record keeps for a resource that is gone."""
        return unserved_notices(self.plan, self.resources) + [
            f"{FILE_NAME} records {kind} {name!r}, which neither the files nor the org hold "
            f"(its delete's record not committed?); `reconcile own --forget {kind}/{name}` "
            "drops it, before another resource takes the name"
            for kind, name in self.gone
        ]


def unserved_notices(plan: Plan, resources: list[Resource]) -> list[str]:
    lines = []
    for kind, path in sorted(plan.unserved.items()):
        files = sorted({r.document.file for r in resources if r.kind.kind == kind})
        if files:
            lines.append(
                f"{kind}: this org serves no {path} (404); left out of the plan: {', '.join(files)}"
            )
        lines.extend(_stand_in_notices(kind, path, resources))
    return lines


def _stand_in_notices(kind: str, path: str, resources: list[Resource]) -> Iterator[str]:
    """Per file of a kind the org does not serve, the real resources planned in its place."""
    made: dict[str, list[str]] = {}
    for resource in resources:
        if resource.stands_for and resource.stands_for[0] == kind:
            made.setdefault(resource.document.file, []).append(
                f"{resource.kind.kind} {resource.name!r}"
            )
    for file, names in sorted(made.items()):
        yield (
            f"{kind}: this org serves no {path} (404); {file} is planned as the real "
            f"resources it stands for: {' and '.join(names)}"
        )


@dataclass(frozen=True)
class Selection:
    """What a plan covers: --prune, --target and --exclude."""

    prune: bool = False
    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


IMPACT_SINCE = "7d"  # the window impact lines count conversations in
IMPACT_QUERIES = 40  # two per changed segment: beyond 20 segments, a plan says "not computed"


@dataclass(frozen=True)
class Impact:
    """Impact lines: over which window, through which reader (cached, with a query budget)."""

    analytics: Analytics
    window: Window


def planned(
    config: Settings,
    client: GenesysClient,
    selection: Selection = Selection(),
    impact: Impact | None = None,
) -> Planned:
    live = LiveState(client)
    report = validate(list(config.paths), config, live)
    if report.failed():
        raise InvalidFiles(report)
    record = Ownership.load(config.root)
    plan = make_plan(
        report.resources,
        live,
        prune=selection.prune,
        targets=[selector(t) for t in selection.targets],
        excludes=[selector(e) for e in selection.excludes],
        safety=safety(config),
        ownership=record,
    )
    if impact is not None:
        plan.changes = _with_impact(plan.changes, report.resources, live, impact)
    planned = Planned(plan, report.resources, live, _with_config(report.paths, config))
    planned.gone = _gone(record, report.resources, live)
    return planned


def _gone(record: Ownership, resources: list[Resource], live: LiveState) -> list[tuple[str, str]]:
    """The names the record owns that no file declares and the org does not hold: left by a
    delete whose record went uncommitted (an apply in CI, say). Kept, a stranger later given
    such a name would be the repository's to prune."""
    declared = {(r.kind.kind, r.name) for r in resources}
    read = {kind for kind, _ in declared}  # kinds of no file read here: paths leave them out
    undeclared: dict[str, list[str]] = {}
    for kind_name, name in record.pairs():
        if kind_name in read and (kind_name, name) not in declared:
            undeclared.setdefault(kind_name, []).append(name)
    gone = []
    for kind_name, owned in undeclared.items():
        kind = KINDS[kind_name]
        try:
            held = {kind.name_of(e) for e in kind.live_entities(live)}
        except GenesysError:  # the org serves no such kind: nothing to say of it
            continue
        gone += [(kind.kind, name) for name in owned if name not in held]
    return gone


def _with_impact(
    changes: list[Change], resources: list[Resource], live: LiveState, impact: Impact
) -> list[Change]:
    files = {(r.kind.kind, r.name): r for r in resources}
    result = []
    for change in changes:
        resource = files.get((change.kind, change.name))
        if change.action is not Action.DELETE and resource is not None:
            kind = KINDS[change.kind]
            entity = kind.with_id(live, change.id) if change.id else None
            line = _impact_line(kind, resource, entity, impact, live)
            change = dataclasses.replace(change, impact=line)
        result.append(change)
    return result


def _impact_line(
    kind: Kind,
    resource: Resource,
    entity: dict[str, Any] | None,
    impact: Impact,
    live: LiveState,
) -> str | None:
    # An impact line is a courtesy to reviewers: whatever goes wrong computing it (no
    # analytics permission, a field without a mapping, an outage, a bug), the plan stands.
    try:
        data = resource.document.data
        return kind.impact(data, entity, impact.analytics, impact.window, live)
    except ReconcileError as exc:
        _log.warning("impact.unavailable", resource=resource.name, reason=str(exc))
        return f"not available: {redact(exc.message)}"
    except Exception as exc:
        _log.warning("impact.failed", resource=resource.name, error=repr(exc))
        return "not available (an internal error; the log has details)"


def input_files(config: Settings) -> list[Path]:
    """What a plan is made from, for its digest: the desired-state files and reconcile.yaml."""
    return _with_config(discover(config.paths, config.root), config)


def _with_config(files: list[Path], config: Settings) -> list[Path]:
    return [*files, *([config.config_file] if config.config_file else [])]


def selector(text: str) -> Selector:
    kind, _, name = text.partition("/")
    if kind not in KINDS or not name:
        known = ", ".join(sorted(KINDS))
        raise ConfigError(f"'{text}' is not KIND/NAME with KIND one of {known}")
    return Selector(kind, name)


def safety(config: Settings) -> Safety:
    defaults = Safety()
    return Safety(
        updates=config.safety.get("updates", defaults.updates),
        deletes=config.safety.get("deletes", defaults.deletes),
        min_existing=int(config.safety.get("minExisting", defaults.min_existing)),
    )


def check_safety(plan: Plan, force: bool) -> None:
    if plan.violations() and not force:
        raise ReconcileError("the plan exceeds the safety thresholds; review it, then use --force")
