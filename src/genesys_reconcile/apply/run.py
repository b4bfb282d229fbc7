"""An apply run: a fresh or a reviewed plan, written with an audit trail and webhooks, then
read back."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from genesys_reconcile.apply.applier import Applier, Outcome, moved
from genesys_reconcile.apply.audit import Audit, AuditUnwritable, run_context
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.errors import ConfigError, ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.genesys.regions import checked_url
from genesys_reconcile.manifest.validation import validate
from genesys_reconcile.plan import document
from genesys_reconcile.plan.model import Change
from genesys_reconcile.plan.run import Planned, Selection, input_files, planned, safety
from genesys_reconcile.redaction import Secret
from genesys_reconcile.settings import Settings


@dataclass
class Applied:
    outcomes: list[Outcome]
    drifted: list[Change]  # applied, yet read back different
    not_started: list[Change] = field(default_factory=list)
    stopped: KeyboardInterrupt | ReconcileError | None = None  # what cut the run short

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes) and not self.drifted and not self.not_started


def reviewed(
    config: Settings,
    client: GenesysClient,
    plan_file: Path,
    allow_partial: bool,
    refused: Callable[[str], None],
) -> Planned:
    """A saved plan, if it still holds: same org, same files, and no resource moved."""
    plan, data = document.load(plan_file)
    if data["apiUrl"] != client.origin:
        raise ReconcileError(f"the plan was made against {data['apiUrl']}, not {client.origin}")
    inputs = input_files(config)
    if document.input_digest(inputs) != data["inputDigest"]:
        raise ReconcileError("the files changed since the plan was made; plan again")
    live = LiveState(client)
    report = validate(list(config.paths), config, live)
    if report.failed():
        raise ReconcileError("the files are no longer valid against the org; plan again")
    plan.safety = safety(config)
    stale = moved(plan, live)
    for change, reason in stale:
        refused(f"refused: {change.kind} {change.name!r} {reason}")
    if stale and not allow_partial:
        raise ReconcileError(
            f"{len(stale)} planned change(s) no longer hold; nothing was applied "
            "(plan again, or --allow-partial to apply the rest)"
        )
    gone = {id(change) for change, _ in stale}
    plan.changes = [c for c in plan.changes if id(c) not in gone]
    return Planned(plan, report.resources, live, inputs)


def webhook_secret(config: Settings, env: Mapping[str, str] | None = None) -> Secret | None:
    """The webhook's signing secret, when a webhook is configured (its URL checked too)."""
    if not config.webhook_url:
        return None
    checked_url(config.webhook_url, "webhook.url")
    secret = (os.environ if env is None else env).get(config.webhook_secret_env, "")
    if not secret:
        raise ConfigError(f"set {config.webhook_secret_env} to the webhook's signing secret")
    return Secret(secret)


def retry_outbox(config: Settings, secret: Secret, audit_log: Path) -> None:
    """Deliveries that failed in earlier runs go out even when nothing changes."""
    with Audit(audit_log) as audit:
        hooks = Webhooks(str(config.webhook_url), secret, audit)
        hooks.retry_outbox()
        hooks.close()


def apply_plan(
    config: Settings,
    client: GenesysClient,
    ready: Planned,
    selection: Selection,
    audit_log: Path,
    index_timeout: float,
    secret: Secret | None,
    progress: Progress,
) -> Applied:
    with Audit(audit_log) as audit:
        audit.event("run.start", **run_context(), planChecksum=document.plan_checksum(ready.plan))
        hooks = Webhooks(str(config.webhook_url), secret, audit) if secret else None
        try:
            applier = Applier(
                client, ready.live, ready.resources, audit, index_timeout, webhooks=hooks
            )
            applier.progress, applier.waiting = progress.finished, progress.waiting
            ran = applier.run(ready.plan)
        finally:
            progress.close()
            if hooks:
                hooks.close()
        done = {(o.change.kind, o.change.name) for o in ran.outcomes if o.ok}
        drifted: list[Change] = []
        stopped = ran.stopped
        if stopped is None:
            try:
                drifted = _drifted(config, client, selection, done)
            except KeyboardInterrupt as exc:  # all was applied; only the read-back is cut short
                stopped = exc
        applied = Applied(ran.outcomes, drifted, ran.not_started, stopped)
        if not isinstance(stopped, AuditUnwritable):  # else there is nowhere to record it
            audit.event("run.end", **_totals(applied))
    return applied


def _totals(applied: Applied) -> dict[str, int | bool]:
    """The run's end, as `run.end` records it."""
    done = sum(o.ok for o in applied.outcomes)
    return {
        "applied": done,
        "failed": len(applied.outcomes) - done,
        "notStarted": len(applied.not_started),
        "readBackMismatches": len(applied.drifted),
        "interrupted": isinstance(applied.stopped, KeyboardInterrupt),
    }


def _drifted(
    config: Settings, client: GenesysClient, selection: Selection, done: set[tuple[str, str]]
) -> list[Change]:
    """The applied changes that a fresh plan still shows: read back differently."""
    again = planned(config, client, Selection(False, selection.targets, selection.excludes))
    return [c for c in again.plan.changes if (c.kind, c.name) in done]
