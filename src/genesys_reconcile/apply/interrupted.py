"""Changes an earlier run started and never recorded.

A run killed between a write and its result (SIGKILL, a lost CI machine) leaves a
`change.intent` line with no `change.result`: the write may or may not have happened. The next
apply, holding the run lock, settles each such intent against the org it has just read. When
the org holds what the intent would have made, the change happened: it is recorded as applied,
with its webhook event, so it is announced at least once. Otherwise it is recorded as not
applied, and this run's own plan does whatever is still needed. Either way the intent gets
exactly one result, so no change is lost or counted twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.holding import holds
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.plan.run import Planned

CONFIRMED = "an earlier run stopped before recording it; the org holds it, read again"
NOT_MADE = "an earlier run stopped before recording it; the org does not hold it"


@dataclass(frozen=True)
class Intent:
    run: str
    kind: str
    name: str
    action: str
    id: str | None
    fields: list[str]  # the changed fields' paths, for its event
    digest: str | None  # of what it would make; None for a delete

    @property
    def key(self) -> tuple[str, str, str, str]:
        return (self.run, self.kind, self.name, self.action)


def unsettled(audit_log: Path) -> list[Intent]:
    """The intents in the audit trail that no result answers, oldest first."""
    if not audit_log.is_file():
        return []
    intents: dict[tuple[str, str, str, str], Intent] = {}
    with audit_log.open(encoding="utf-8", errors="replace") as handle:
        for line in handle:
            if '"change.' not in line:
                continue  # most lines are neither an intent nor a result: not parsed
            entry = _entry(line)
            if entry is None:
                continue  # damaged lines are reported where events are delivered
            key = (str(entry.get("settles") or entry.get("run")), *_what(entry))
            if entry.get("event") == "change.intent":
                intents[key] = _intent(entry)
            elif entry.get("event") == "change.result":
                intents.pop(key, None)
    return list(intents.values())


def settle(
    audit: Audit, ready: Planned, webhooks: Webhooks | None, intents: list[Intent]
) -> list[str]:
    """Record a result for each of the `unsettled` intents; one line for people per intent."""
    lines = []
    for intent in intents:
        ident, held = holds(
            ready, intent.kind, intent.name, intent.action, intent.id, intent.digest
        )
        fields: dict[str, Any] = {
            "kind": intent.kind,
            "name": intent.name,
            "action": intent.action,
            "outcome": "applied" if held else "not-applied",
            "settles": intent.run,
            "id": ident,
            "detail": CONFIRMED if held else NOT_MADE,
        }
        if held and webhooks:
            event = webhooks.event(intent.kind, intent.name, intent.action, ident, intent.fields)
            fields["webhook"] = event
        audit.event("change.result", **fields)
        verdict = "made" if held else "not made"
        lines.append(f"{intent.action} {intent.kind} {intent.name!r}: {verdict} by a stopped run")
    if lines and webhooks:
        webhooks.wake()
    return lines


def _entry(line: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def _what(entry: dict[str, Any]) -> tuple[str, str, str]:
    return (str(entry.get("kind")), str(entry.get("name")), str(entry.get("action")))


def _intent(entry: dict[str, Any]) -> Intent:
    fields = entry.get("fields")
    ident, digest = entry.get("id"), entry.get("afterDigest")
    return Intent(
        run=str(entry.get("run")),
        kind=str(entry.get("kind")),
        name=str(entry.get("name")),
        action=str(entry.get("action")),
        id=str(ident) if ident is not None else None,
        fields=[str(f) for f in fields] if isinstance(fields, list) else [],
        digest=str(digest) if isinstance(digest, str) else None,
    )
