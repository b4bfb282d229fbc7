"""Planning a repository: check the files against the org, then plan (for plan and apply)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from genesys_reconcile.errors import ConfigError, ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS
from genesys_reconcile.manifest import diagnostics
from genesys_reconcile.manifest.validation import Report, Resource, discover, validate
from genesys_reconcile.plan.model import Plan, Safety, Selector
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.settings import Settings


@dataclass
class Planned:
    plan: Plan
    resources: list[Resource]
    live: LiveState
    inputs: list[Path]  # what the plan was made from, for its digest


@dataclass(frozen=True)
class Selection:
    """What a plan covers: --prune, --target and --exclude."""

    prune: bool = False
    targets: tuple[str, ...] = ()
    excludes: tuple[str, ...] = ()


class InvalidFiles(ReconcileError):
    """Files that do not hold against the org; the diagnostics go before the one-line error."""

    def __init__(self, report: Report) -> None:
        super().__init__("the files are invalid; nothing was planned")
        self.preface = diagnostics.render_text(report.diagnostics, report.files, color=False)


def planned(config: Settings, client: GenesysClient, selection: Selection = Selection()) -> Planned:
    live = LiveState(client)
    report = validate(list(config.paths), config, live)
    if report.failed():
        raise InvalidFiles(report)
    plan = make_plan(
        report.resources,
        live,
        prune=selection.prune,
        targets=[selector(t) for t in selection.targets],
        excludes=[selector(e) for e in selection.excludes],
        safety=safety(config),
    )
    return Planned(plan, report.resources, live, _with_config(report.paths, config))


def input_files(config: Settings) -> list[Path]:
    """What a plan is made from, for its digest: the desired-state files and reconcile.yaml."""
    return _with_config(discover(config.paths), config)


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
