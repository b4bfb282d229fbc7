"""An apply run: a fresh or a reviewed plan, written with an audit trail and webhooks, then
read back."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit, AuditUnwritable, run_context
from genesys_reconcile.apply.interrupted import settle, unsettled
from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.apply.owned import recorded
from genesys_reconcile.apply.progress import Progress
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.errors import ConfigError, ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.genesys.regions import checked_url
from genesys_reconcile.kinds import KINDS
from genesys_reconcile.plan import document
from genesys_reconcile.plan.model import Action, Change
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.plan.run import Planned, Selection, selector
from genesys_reconcile.redaction import Secret
from genesys_reconcile.settings import Settings


@dataclass
class Applied:
    outcomes: list[Outcome]
    not_started: list[Change] = field(default_factory=list)
    stopped: KeyboardInterrupt | ReconcileError | None = None  # what cut the run short
    settled: list[str] = field(default_factory=list)  # what stopped runs left, now recorded
    drifted: list[Change] = field(default_factory=list)  # applied, yet read back different
    vanished: list[Change] = field(default_factory=list)  # applied, yet gone when read back
    webhooks: str | None = None  # how this run's deliveries went, for the summary
    owned: str | None = None  # how the run changed reconcile.owned.yaml, for the summary

    @property
    def ok(self) -> bool:
        held = not self.drifted and not self.vanished and not self.not_started
        return held and all(o.ok for o in self.outcomes)

    def read_back(self) -> list[str]:
        """One line per applied change the org does not hold as planned."""
        lines = [f"read back: {c.kind} {c.name!r} no longer exists" for c in self.vanished]
        for change in self.drifted:
            paths = ", ".join(f.path for f in change.fields)
            lines.append(f"read back differs: {change.kind} {change.name!r}: {paths}")
        return lines


def webhook_secret(config: Settings, env: Mapping[str, str] | None = None) -> Secret | None:
    """The webhook's signing secret, when a webhook is configured (its URL checked too)."""
    if not config.webhook_url:
        return None
    checked_url(config.webhook_url, "webhook.url")
    secret = (os.environ if env is None else env).get(config.webhook_secret_env, "")
    if not secret:
        raise ConfigError(f"set {config.webhook_secret_env} to the webhook's signing secret")
    return Secret(secret)


def settle_earlier_runs(
    config: Settings, client: GenesysClient, ready: Planned, secret: Secret | None, audit_log: Path
) -> list[str]:
    """With nothing to change: settle what a stopped run left unrecorded, and deliver the events
    earlier runs could not."""
    intents = unsettled(audit_log)
    if secret is None and not intents:
        return []
    with Audit(audit_log) as audit:
        hooks = None
        if secret:
            org = client.organization()
            hooks = Webhooks(str(config.webhook_url), secret, audit, org=org).start()
        try:
            return settle(audit, ready, hooks, intents)
        finally:
            if hooks:
                hooks.close()


def apply_plan(
    config: Settings,
    client: GenesysClient,
    ready: Planned,
    selection: Selection,
    audit_log: Path,
    settle_timeout: float,
    secret: Secret | None,
    progress: Progress,
) -> Applied:
    with Audit(audit_log) as audit:
        org = client.organization()
        audit.event(
            "run.start",
            **run_context(),
            org={"id": org.id, "name": org.name},
            planChecksum=document.plan_checksum(ready.plan),
        )
        hooks = None
        if secret:
            hooks = Webhooks(str(config.webhook_url), secret, audit, org=org).start()
        try:
            settled = settle(audit, ready, hooks, unsettled(audit.path))
            applier = Applier(
                client, ready.live, ready.resources, audit, settle_timeout, webhooks=hooks
            )
            applier.starting, applier.progress = progress.starting, progress.finished
            applier.waiting = progress.waiting
            ran = applier.run(ready.plan)
        finally:
            progress.close()
            if hooks:
                hooks.close()
        applied = Applied(ran.outcomes, ran.not_started, ran.stopped, settled)
        applied.owned = recorded(config.root, ran.outcomes)
        applied.webhooks = hooks.report() if hooks else None
        if applied.stopped is None:
            try:
                read_back(client, ready, selection, applied)
            except KeyboardInterrupt as exc:  # all was applied; only the read-back is cut short
                applied.stopped = exc
        if not isinstance(applied.stopped, AuditUnwritable):  # else there is nowhere to record it
            audit.event("run.end", **_totals(applied))
        if isinstance(applied.stopped, KeyboardInterrupt):
            progress.stopped(applied.outcomes, applied.not_started, audit.path)
    return applied


def _totals(applied: Applied) -> dict[str, int | bool]:
    """The run's end, as `run.end` records it."""
    done = sum(o.ok for o in applied.outcomes)
    return {
        "applied": done,
        "failed": len(applied.outcomes) - done,
        "notStarted": len(applied.not_started),
        "readBackMismatches": len(applied.drifted) + len(applied.vanished),
        "interrupted": isinstance(applied.stopped, KeyboardInterrupt),
    }


def read_back(
    client: GenesysClient, ready: Planned, selection: Selection, applied: Applied
) -> None:
    """What a fresh read of the org says of the applied changes: each resource applied must
    still exist, by its id, and plan no change."""
    live = LiveState(client)
    # The resources as they were applied: the org is compared with what was written, and a
    # resource gone from the org is a finding, not a file that no longer validates.
    again = make_plan(
        ready.resources,
        live,
        targets=[selector(t) for t in selection.targets],
        excludes=[selector(e) for e in selection.excludes],
    )
    done = [o for o in applied.outcomes if o.ok]
    applied.vanished = [o.change for o in done if not _exists(o, live)]
    gone = {(c.kind, c.name) for c in applied.vanished}
    held = {(o.change.kind, o.change.name) for o in done} - gone
    applied.drifted = [c for c in again.changes if (c.kind, c.name) in held]


def _exists(outcome: Outcome, live: LiveState) -> bool:
    """Whether an applied resource is still in the org under its id and name (a deleted one
    is rightly absent)."""
    if outcome.change.action is Action.DELETE:
        return True
    kind = KINDS[outcome.change.kind]
    entity = kind.with_id(live, outcome.id)
    return entity is not None and outcome.change.name in kind.keys(entity)
