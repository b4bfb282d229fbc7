"""The steps a kind's write takes around it (stop, write, start): each in the audit trail,
each wait under the apply's settle timeout, and what the change's outcome must tell."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.plan.model import Change


@dataclass
class ChangeSteps:
    """`kinds.base.Steps` for one change of an apply."""

    audit: Audit
    change: Change
    settled: Callable[[dict[str, Any]], dict[str, Any]]  # the applier's bounded wait
    said: dict[tuple[str, str], str]  # what each change's outcome must tell, by (kind, name)

    def record(self, step: str, **fields: Any) -> None:
        change = self.change
        self.audit.event("change.step", kind=change.kind, name=change.name, step=step, **fields)

    def settle(self, entity: dict[str, Any]) -> dict[str, Any]:
        return self.settled(entity)

    def say(self, text: str) -> None:
        self.said[(self.change.kind, self.change.name)] = text
