"""What an apply run did: each change's outcome, what never started, and its summary."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Future
from dataclasses import dataclass

from genesys_reconcile.apply.audit import AuditUnwritable
from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.plan.model import Action, Change
from genesys_reconcile.text_safety import visible


@dataclass(frozen=True)
class Outcome:
    change: Change
    status: str  # applied | adopted | failed | stale | unknown
    detail: str = ""
    id: str | None = None  # the resource's id after the change

    @property
    def ok(self) -> bool:
        return self.status in ("applied", "adopted")


@dataclass
class Ran:
    """What a run did: the outcomes of the changes that finished, in plan order, the changes
    it never started, and what stopped it early, if anything did."""

    outcomes: list[Outcome]
    not_started: list[Change]
    stopped: KeyboardInterrupt | ReconcileError | None = None

    def collect(self, changes: Sequence[Change], futures: Sequence[Future[Outcome]]) -> None:
        for change, future in zip(changes, futures, strict=True):
            error = None if future.cancelled() else future.exception()
            if future.cancelled() or _unrecorded(error):
                continue  # never started: it stays in not_started
            self.not_started.remove(change)
            if error is None:
                self.outcomes.append(future.result())
            else:  # it started, then the run stopped under it: what happened is unknown
                reason = str(error) or type(error).__name__
                detail = f"may or may not have taken effect; plan again to see ({reason})"
                self.outcomes.append(Outcome(change, "unknown", detail))


def _unrecorded(error: BaseException | None) -> bool:
    """A change whose intent could not be recorded was never sent."""
    return isinstance(error, AuditUnwritable) and error.event == "change.intent"


def summary(outcomes: Sequence[Outcome], not_started: Sequence[Change] = ()) -> str:
    done = {a: sum(o.ok and o.change.action is a for o in outcomes) for a in Action}
    failed = [o for o in outcomes if not o.ok]
    left = f", {len(not_started)} not started" if not_started else ""
    line = (
        f"Apply: {done[Action.CREATE]} created, {done[Action.UPDATE]} updated, "
        f"{done[Action.DELETE]} deleted, {len(failed)} failed{left}."
    )
    details = [
        f"  {o.status}: {o.change.kind} {o.change.name!r}: {visible(o.detail)}" for o in failed
    ]
    details += [f"  not started: {c.kind} {c.name!r}" for c in not_started]
    return "\n".join([line, *details])
