"""Executing a plan so that a re-run always converges, whatever failed in between.

- Creates and updates apply kind by kind in the order the kinds' dependencies give (segments
  before the campaign segmentation that may rely on them), deletes in the reverse order; a
  failed change does not stop the independent ones after it.
- A create whose answer was lost is never replayed blindly: the resource is looked up by name
  and adopted when it exists.
- An update writes the live version it read. When someone else changed the resource meanwhile
  (a refusal its kind calls stale: a 409, or a 400 naming the version), it is read again and
  re-diffed: the same change is retried once; a different one is reported as stale, for a new
  plan.
- An update or delete whose answer was lost is retried, and the retry is refused (409: the
  version moved; 404: it is gone) because the first one happened. Such a refusal is settled by
  reading the resource again: when the org holds what was planned, the change is applied.
- After a write, a resource that settles (a campaign rebuilding its index) is waited for, with
  backoff, up to a timeout; a failed rebuild is a failed change, with the server's reason.
  Before a write, only a rebuild in progress is waited for: a failed one is what the write
  repairs, as it starts a new rebuild.
- Every intent and result goes to the audit trail before the next write.
"""

from __future__ import annotations

import functools
import itertools
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, NamedTuple

from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.holding import after_digest, matches
from genesys_reconcile.apply.outcomes import Outcome, Ran
from genesys_reconcile.apply.steps import ChangeSteps
from genesys_reconcile.apply.webhooks import Webhooks
from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.errors import (
    AmbiguousWrite,
    GenesysError,
    IndexRebuildInProgress,
    NotFound,
)
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, Kind
from genesys_reconcile.kinds.base import WriteRefused
from genesys_reconcile.plan.model import Action, Change, Plan
from genesys_reconcile.plan.planner import apply_order, differences
from genesys_reconcile.validation import Resource


class Written(NamedTuple):
    status: str  # applied | adopted
    entity: dict[str, Any] | None  # the resource as written; None once deleted
    detail: str = ""  # how the outcome was known, when not from the write's own answer


# Said of a write whose retry was refused as already done, once a fresh read confirms it.
CONFIRMED = "the answer was lost or the write refused; reading it again found the change made"


def _settling(sleep: Callable[[float], None], stopping: threading.Event, seconds: float) -> None:
    """A pause while a written resource settles, given up once the run is stopping."""
    if sleep is time.sleep:
        stopping.wait(seconds)  # as time.sleep, but woken when the run stops
    elif not stopping.is_set():
        sleep(seconds)
    if stopping.is_set():
        raise Stopped("the run stopped before it was ready")


def _steps(changes: Sequence[Change]) -> Iterator[tuple[Kind, list[Change]]]:
    """The changes in apply order (never the order given: a saved plan is only a file), in
    steps of one kind and phase, whose changes are independent of each other."""
    ordered = sorted(changes, key=apply_order)
    for _, step in itertools.groupby(ordered, key=lambda c: apply_order(c)[:2]):
        grouped = list(step)
        yield KINDS[grouped[0].kind], grouped


class ChangeFailed(Exception):
    """A change that cannot go on; its message is the reason recorded and shown."""


class Stopped(ChangeFailed):
    """The run is stopping while a resource settles: the wait is given up."""


class Stale(ChangeFailed):
    """The resource changed since the plan, and differently: it needs a new plan."""


@dataclass
class Applier:
    client: GenesysClient
    live: LiveState
    resources: Sequence[Resource]
    audit: Audit
    settle_timeout: float = 600.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    webhooks: Webhooks | None = None
    starting: Callable[[Change], None] = lambda change: None  # as each change starts
    progress: Callable[[Outcome], None] = lambda outcome: None  # as each change finishes
    waiting: Callable[[str], None] = lambda line: None  # while a resource settles
    parallel: int = 4  # changes of one kind in flight at once; kinds still go in order
    pool: Callable[[int], ThreadPoolExecutor] = ThreadPoolExecutor  # a seam for tests

    def run(self, plan: Plan) -> Ran:
        """Apply the plan. An interrupt, or an audit trail that can no longer be written,
        stops it: no more changes start, the writes in flight finish and are recorded, and
        what finished comes back with what never started."""
        ran = Ran([], list(plan.changes))
        pool = self.pool(max(1, self.parallel))
        # Waiting for a resource to settle is no write: once stopping, it is given up, or an
        # interrupt would wait out a whole index rebuild (CI kills the job long before).
        sleep, stopping = self.sleep, threading.Event()
        self.sleep = functools.partial(_settling, sleep, stopping)
        try:
            for kind, changes in _steps(plan.changes):
                self._run_step(kind, changes, pool, ran, stopping)
        except (KeyboardInterrupt, ReconcileError) as exc:
            ran.stopped = exc
        finally:
            pool.shutdown(wait=False)  # its work is done or cancelled by now
            self.sleep = sleep
        return ran

    def _run_step(
        self,
        kind: Kind,
        changes: list[Change],
        pool: ThreadPoolExecutor,
        ran: Ran,
        stopping: threading.Event,
    ) -> None:
        # Changes of one kind are independent of each other; the client's shared rate limit
        # and concurrency cap still pace what reaches the API.
        # Every future exists before any change starts, so an interrupt landing between two
        # submissions cannot lose track of one that already runs.
        futures: list[Future[Outcome]] = [Future() for _ in changes]
        handed = 0  # futures given to the pool; an interrupt may land between two
        try:
            for change, future in zip(changes, futures, strict=True):
                pool.submit(self._claimed, future, kind, change)
                handed += 1
            for future in futures:
                future.result()  # a stop (or a bug) in any change is raised here
        finally:
            # A write in flight cannot stop halfway: wait for those, start no more.
            stopping.set()
            for index, future in enumerate(futures):
                # The pool notifies the futures it was given; the rest only this can notify.
                if future.cancel() and index >= handed:
                    future.set_running_or_notify_cancel()
            wait(futures)
            stopping.clear()
            ran.collect(changes, futures)

    def _claimed(self, future: Future[Outcome], kind: Kind, change: Change) -> None:
        try:
            if not future.set_running_or_notify_cancel():
                return  # cancelled before it started
        except RuntimeError:
            return  # cancelled, and told so, by a stop that landed as it was handed out
        try:
            future.set_result(self._announced(kind, change))
        except BaseException as exc:  # handed to the main thread, which decides
            future.set_exception(exc)

    def _announced(self, kind: Kind, change: Change) -> Outcome:
        self.starting(change)
        outcome = self._one(kind, change)
        self.progress(outcome)
        if self.webhooks and outcome.ok:
            self.webhooks.wake()  # its event is in the change.result line: deliver it now
        return outcome

    def _one(self, kind: Kind, change: Change) -> Outcome:
        self.audit.event(
            "change.intent",
            kind=change.kind,
            name=change.name,
            action=change.action.value,
            id=change.id,
            version=change.version,
            # Enough to settle and announce the change should this run stop before its result.
            fields=[f.path for f in change.fields],
            afterDigest=after_digest(change.after),
        )
        start = time.perf_counter()
        try:
            written = self._execute(kind, change)
        except (GenesysError, ChangeFailed, WriteRefused) as exc:
            return self._failed(change, start, exc)
        # The write's answer, before waits read again; none when a read settled it.
        answered = None if written.detail else self.client.last_answer()
        said = self._said.pop((change.kind, change.name), "")
        if said:
            written = written._replace(detail="; ".join(d for d in (written.detail, said) if d))
        try:
            if written.entity is not None:
                self._wait_settled(kind, change, written.entity)
        except Stopped:
            # The write was made: it is applied (and announced); only the wait was given up.
            written = written._replace(detail="written; the run stopped before it was ready")
        except (GenesysError, ChangeFailed) as exc:
            return self._failed(change, start, exc)
        status, entity, detail = written
        self._result(change, status, start, entity=entity, answered=answered, detail=detail)
        return Outcome(change, status, detail, id=kind.id_of(entity) if entity else change.id)

    def _failed(self, change: Change, start: float, error: Exception) -> Outcome:
        status = "stale" if isinstance(error, Stale) else "failed"
        self._result(change, status, start, error=error)
        return Outcome(change, status, str(error))

    def _execute(self, kind: Kind, change: Change) -> Written:
        if change.action is Action.CREATE:
            return self._create(kind, change)
        entity = self._live_entity(kind, change)
        if change.action is Action.DELETE:
            return self._delete(kind, entity)
        # A campaign refuses changes mid-rebuild; after a failed one, this write repairs it.
        self._settled(kind, change, entity)
        try:
            return Written("applied", self._write(kind, change, entity))
        except GenesysError as refused:
            # Refused because the resource moved: by someone else, or by this very write
            # when its answer was lost and the transport sent it again. Which refusals say
            # so is the kind's to tell: APIs word a stale version differently.
            stale = kind.is_stale(refused)
            if not stale and not isinstance(refused, IndexRebuildInProgress):
                raise
            fresh = kind.reread(self.client, kind.id_of(entity))
            if change.after is not None and matches(kind, fresh, change.after, self.live):
                return Written("applied", fresh, CONFIRMED)
            if not stale:
                raise
            return Written("applied", self._retry_update(kind, change, fresh))

    def _create(self, kind: Kind, change: Change) -> Written:
        data = self._data(change)
        try:
            return Written("applied", kind.create(self.client, data))
        except AmbiguousWrite:
            existing = self._by_name(kind, change.name)
            if existing is not None:
                return Written("adopted", existing)  # it was created; the answer was lost
            return Written("applied", kind.create(self.client, data))  # known absent: resend

    def _delete(self, kind: Kind, entity: dict[str, Any]) -> Written:
        try:
            kind.delete(self.client, entity)
        except NotFound:
            # A retried delete finds nothing when the first one happened and its answer was
            # lost; the org holds what was planned either way, once a read confirms it.
            if not self._gone(kind, kind.id_of(entity)):
                raise
            return Written("applied", None, CONFIRMED)
        return Written("applied", None)

    def _gone(self, kind: Kind, ident: str) -> bool:
        try:
            kind.reread(self.client, ident)
        except NotFound:
            return True
        return False

    def _retry_update(self, kind: Kind, change: Change, fresh: dict[str, Any]) -> dict[str, Any]:
        """Someone changed the resource since the plan: go on only if the change is the same."""
        data = self._data(change)
        if differences(kind.current(fresh, change.after, self.live), change.after) != change.fields:
            raise Stale(
                f"{change.kind} {change.name!r} changed since the plan (now version "
                f"{kind.version_of(fresh)}); plan again to review the new difference"
            )
        return self._write(kind, change, fresh, data)

    def _write(
        self,
        kind: Kind,
        change: Change,
        entity: dict[str, Any],
        data: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        settle = functools.partial(self._ready, kind, change)
        steps = ChangeSteps(self.audit, change, settle, self._said)
        return kind.write(self.client, entity, data or self._data(change), self.live, steps)

    def _ready(self, kind: Kind, change: Change, entity: dict[str, Any]) -> dict[str, Any]:
        """The resource once settled, as then read; a failed settling fails the change."""
        state, settled = self._settle(kind, change, entity)
        if state is not True:
            raise ChangeFailed(f"{kind.settling} failed: {state}")
        return settled

    def _wait_settled(self, kind: Kind, change: Change, entity: dict[str, Any]) -> None:
        """Wait for a written resource to be ready; a failed rebuild fails the change."""
        state = self._settled(kind, change, entity)
        if state is not True:
            raise ChangeFailed(f"{kind.settling} failed: {state}")

    def _settled(self, kind: Kind, change: Change, entity: dict[str, Any]) -> bool | str:
        """The resource's state once it no longer settles: True, or why it failed."""
        return self._settle(kind, change, entity)[0]

    def _settle(
        self, kind: Kind, change: Change, entity: dict[str, Any]
    ) -> tuple[bool | str, dict[str, Any]]:
        """The resource's state once it no longer settles, and the resource as then read."""
        state = kind.settled(entity)
        if state is not False:
            return state, entity
        deadline, delay, waited = self.clock() + self.settle_timeout, 0.5, 0.0
        while state is False:
            if self.clock() + delay > deadline:
                raise ChangeFailed(f"still not ready after {self.settle_timeout:.0f} s")
            where = f"{change.kind} {change.name!r}"  # last: a narrow status line cuts it first
            self.waiting(f"waiting for the {kind.settling} of {where} ({waited:.0f} s)")
            self.sleep(delay)
            waited += delay
            delay = min(delay * 2, 5.0)
            entity = kind.reread(self.client, kind.id_of(entity))
            state = kind.settled(entity)
        self.audit.event(
            "settle.wait",
            kind=change.kind,
            name=change.name,
            what=kind.settling,
            seconds=waited,
            outcome="ready" if state is True else "failed",
        )
        return state, entity

    def _live_entity(self, kind: Kind, change: Change) -> dict[str, Any]:
        entity = kind.with_id(self.live, change.id)
        if entity is None:
            raise ChangeFailed(f"{change.kind} {change.name!r} no longer exists")
        return entity

    def _by_name(self, kind: Kind, name: str) -> dict[str, Any] | None:
        fresh = LiveState(self.client)  # this run's listing predates the create
        return kind.named(fresh, name)

    def _data(self, change: Change) -> dict[str, Any]:
        return self._files[(change.kind, change.name)]

    @functools.cached_property
    def _said(self) -> dict[tuple[str, str], str]:
        """What each change's write asked its outcome to tell (`Steps.say`)."""
        return {}

    @functools.cached_property
    def _files(self) -> dict[tuple[str, str], dict[str, Any]]:
        """Each desired resource's file data, by (kind, name): found once, not per change."""
        return {(r.kind.kind, r.name): r.document.data for r in self.resources}

    def _result(
        self,
        change: Change,
        status: str,
        start: float,
        entity: dict[str, Any] | None = None,
        error: Exception | None = None,
        answered: tuple[int, str] | None = None,
        detail: str = "",
    ) -> None:
        fields: dict[str, Any] = {
            "kind": change.kind,
            "name": change.name,
            "action": change.action.value,
            "outcome": status,
            "latencyMs": round((time.perf_counter() - start) * 1000),
            "versionBefore": change.version,
        }
        if entity is not None:
            kind = KINDS[change.kind]
            fields |= {"id": entity.get("id"), "versionAfter": kind.version_of(entity)}
        if answered:
            fields |= {"httpStatus": answered[0], "correlationId": answered[1]}
        if isinstance(error, GenesysError):
            fields |= {
                "httpStatus": error.status,
                "code": error.code,
                "correlationId": error.correlation_id,
            }
        if error is not None:
            fields["error"] = str(error)
        if detail:
            fields["detail"] = detail
        if self.webhooks and status in ("applied", "adopted"):
            # The event goes to disk with the result, so a crash cannot lose it (webhooks.py).
            paths = [f.path for f in change.fields]
            ident = fields.get("id") or change.id
            action = change.action.value
            fields["webhook"] = self.webhooks.event(change.kind, change.name, action, ident, paths)
        self.audit.event("change.result", **fields)
