"""The admin endpoints under `/_sandbox/`: the journal, fault settings, reset, the org's
state, out-of-band edits and captured webhook deliveries.

They are methods of the sandbox they control (`Sandbox` inherits `AdminEndpoints`), which the
app calls under its lock once it has checked that the caller is on loopback.
"""

from __future__ import annotations

import random
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from genesys_reconcile.sandbox import state
from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.faults import FaultSettings, RateLimiter, WindowLimiter
from genesys_reconcile.sandbox.http import Org, Request, Response, iso
from genesys_reconcile.sandbox.state import OrgState


class AdminEndpoints:
    """The admin endpoints, and what they share with the API: the rate limiter the fault
    settings make, and saving the org."""

    state: OrgState
    state_file: Path | None
    faults: FaultSettings
    initial_faults: FaultSettings
    limiter: RateLimiter | WindowLimiter | None
    journal: deque[dict[str, Any]]
    counts: Counter[str]
    webhooks: deque[dict[str, Any]]
    clock: Callable[[], float]
    rng: random.Random
    seed: int

    def _limiter(self) -> RateLimiter | WindowLimiter | None:
        rate = self.faults.rate_limit
        if not rate:
            return None
        model = WindowLimiter if self.faults.rate_limit_model == "window" else RateLimiter
        return model(int(rate), self.clock)

    def _save(self) -> None:
        if self.state_file:
            state.save(self.state, self.state_file)

    def _hold_webhook(self) -> None:
        """Wait `webhook_delay` seconds of real time before the receiver answers; lowering the
        setting meanwhile releases the requests already waiting."""
        start = time.monotonic()
        while time.monotonic() - start < self.faults.webhook_delay:
            time.sleep(0.05)

    def journal_view(self, _: Request) -> Response:
        counts = dict(sorted(self.counts.items()))
        return Response(200, {"entries": list(self.journal), "counts": counts})

    def clear_journal(self, _: Request) -> Response:
        self.journal.clear()
        self.counts.clear()
        return Response(204)

    def faults_view(self, _: Request) -> Response:
        return Response(200, self.faults.as_json())

    def set_faults(self, request: Request) -> Response:
        if not isinstance(request.body, dict):
            raise bad_request("the body must be an object of fault settings")
        self.faults = self.faults.updated(request.body)
        self.limiter = self._limiter()
        return self.faults_view(request)

    def reset(self, _: Request) -> Response:
        # The same org with its content reset: its id stays, and ids already handed out are
        # never handed out again.
        kept = self.state
        self.state = OrgState.demo(iso(self.clock()))
        self.state.organization, self.state.ids_issued = kept.organization, kept.ids_issued
        self.faults = self.initial_faults
        self.limiter = self._limiter()
        self.journal.clear()
        self.counts.clear()
        self.webhooks.clear()
        self._save()
        return Response(204)

    def state_view(self, _: Request) -> Response:
        data = self.state.to_json()
        for name in state.COLLECTIONS:
            data[name] = [state.public(e) for e in data[name]]
        return Response(200, data)

    def edit(self, request: Request) -> Response:
        """An out-of-band change, as someone clicking in the admin console would make."""
        edit = _OutOfBandEdit.from_body(request.body)
        org = Org(self.state, self.faults, self.rng, self.clock(), self.seed)
        response = edit.apply(org)
        self._save()
        return response

    def capture_webhook(self, request: Request) -> Response:
        delivery = {"at": iso(self.clock()), "headers": request.headers, "body": request.raw}
        self.webhooks.append(delivery)
        return Response(self.faults.webhook_status, {"received": True})

    def webhooks_view(self, _: Request) -> Response:
        return Response(200, {"deliveries": list(self.webhooks)})

    def clear_webhooks(self, _: Request) -> Response:
        self.webhooks.clear()
        return Response(204)


ADMIN_ROUTES: dict[tuple[str, str], Callable[[AdminEndpoints, Request], Response]] = {
    ("GET", "/_sandbox/journal"): AdminEndpoints.journal_view,
    ("DELETE", "/_sandbox/journal"): AdminEndpoints.clear_journal,
    ("GET", "/_sandbox/faults"): AdminEndpoints.faults_view,
    ("POST", "/_sandbox/faults"): AdminEndpoints.set_faults,
    ("POST", "/_sandbox/reset"): AdminEndpoints.reset,
    ("GET", "/_sandbox/state"): AdminEndpoints.state_view,
    ("POST", "/_sandbox/edit"): AdminEndpoints.edit,
    ("POST", "/_sandbox/webhooks"): AdminEndpoints.capture_webhook,
    ("GET", "/_sandbox/webhooks"): AdminEndpoints.webhooks_view,
    ("DELETE", "/_sandbox/webhooks"): AdminEndpoints.clear_webhooks,
}


_EDITABLE = ("segments", "campaigns", "ruleSets", "contactListFilters", "journeySegments")
# How the real platform's entities spell their dates; the seed's are createdDate, modifiedDate.
_DATES = {"contactListFilters": ("dateCreated", "dateModified")}


@dataclass(frozen=True)
class _OutOfBandEdit:
    resource: str
    action: str
    ident: str | None
    name: str | None
    changes: dict[str, Any]

    @classmethod
    def from_body(cls, body: Any) -> _OutOfBandEdit:
        if not isinstance(body, dict) or body.get("resource") not in _EDITABLE:
            raise bad_request(f"resource must be one of {', '.join(_EDITABLE)}", "resource")
        action = body.get("action", "update")
        if action not in ("update", "create", "delete"):
            raise bad_request("action must be update, create or delete", "action")
        changes = body.get("set", {})
        if not isinstance(changes, dict):
            raise bad_request("set must be an object of fields", "set")
        return cls(body["resource"], action, body.get("id"), body.get("name"), changes)

    def apply(self, org: Org) -> Response:
        collection = org.state.collection(self.resource)
        if self.action == "create":
            ident = org.new_id()
            collection[ident] = {"id": ident, **self.changes, "version": 1}
            created, modified = _DATES.get(self.resource, ("createdDate", "modifiedDate"))
            collection[ident] |= {created: org.timestamp(), modified: org.timestamp()}
            return Response(201, state.public(collection[ident]))
        target = self._target(org, collection)
        if self.action == "delete":
            del collection[target["id"]]
            return Response(204)
        # Real outbound entities say dateModified; the demo extension's say modifiedDate.
        stamp = "dateModified" if "dateModified" in target else "modifiedDate"
        target.update(self.changes, version=target["version"] + 1, **{stamp: org.timestamp()})
        return Response(200, state.public(target))

    def _target(self, org: Org, collection: Mapping[str, state.Entity]) -> state.Entity:
        if self.ident:
            return org.find(self.resource, self.ident, self.resource[:-1])
        found = next(org.state.named(self.resource, self.name or ""), None)
        if found is None:
            raise ApiError(404, "not.found", f"no {self.resource[:-1]} named {self.name!r}")
        return found
