"""Webhooks: one event per applied change, for downstream systems (a CDP, a warehouse),
delivered at least once and never on the write path.

An event is built in one place (`Webhooks.event`) and written into its change's
`change.result` audit line, so it is on disk before the next write. A background thread reads
the audit trail (`pending.Backlog`) and posts whatever is not yet delivered, while the changes
go on. Each delivery carries the event id (`X-Event-Id`, by which receivers drop repeats) and
an HMAC-SHA256 signature of the exact body (`X-Signature-256: sha256=<hex>`) under a secret
named by an environment variable.

A receiver that answers with an error is tried again with the next run; one that does not
answer in time or cannot be reached is not tried again in this run. When the run ends, the
deliveries still going on get a bounded time to finish; what is left stays pending in the audit
trail for the next run. Nothing about delivery ever fails the apply.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import sys
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import httpx

from genesys_reconcile import __version__
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.pending import Backlog, Warn, migrate_outbox
from genesys_reconcile.genesys.client import Organization
from genesys_reconcile.redaction import Secret

TIMEOUT = 5.0  # seconds a receiver has to answer one delivery
DEADLINE = 15.0  # seconds the end of a run waits for the deliveries still going on
POLL = 1.0  # seconds between reads of the audit trail when nothing wakes the deliverer


def signature(secret: Secret, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.reveal().encode(), body, hashlib.sha256).hexdigest()


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


class Webhooks:
    def __init__(
        self,
        url: str,
        secret: Secret,
        audit: Audit,
        warn: Warn = _to_stderr,
        timeout: float = TIMEOUT,
        deadline: float = DEADLINE,
        org: Organization | None = None,
    ) -> None:
        self.url, self.secret, self.audit, self.warn = url, secret, audit, warn
        self.org = org  # which org the events are about: receivers may serve several
        self.timeout, self.deadline = timeout, deadline
        self.wakeup = threading.Event()
        self.closing = False
        # Once the run has stopped waiting, a delivery still going on records nothing: the
        # audit trail and the cursor may already belong to the next run.
        self.guard = threading.Lock()
        self.abandoned = False
        self.thread: threading.Thread | None = None
        self.delivered = 0
        self.failures: list[str] = []  # each failed attempt: the status, or the error's name
        self.pending = 0  # events left for the next run, once closed

    def event(
        self, kind: str, name: str, action: str, ident: str | None, fields: list[str]
    ) -> dict[str, Any]:
        """The body of the event that announces one applied change."""
        event = {
            "eventId": str(uuid.uuid4()),
            "type": f"change.{action}",
            "occurredAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "run": self.audit.run_id,
            "resource": {"kind": kind, "name": name, "id": ident},
            "changedFields": fields,
        }
        if self.org:
            event["org"] = {"id": self.org.id, "name": self.org.name}
        return event

    def start(self) -> Webhooks:
        """Deliver, in the background, what earlier runs left pending and what this run adds."""
        migrate_outbox(self.audit, self.warn)
        backlog = Backlog(self.audit.path, self.warn)
        self.thread = threading.Thread(
            target=self._deliver_all, args=(backlog,), name="webhooks", daemon=True
        )
        self.thread.start()
        return self

    def wake(self) -> None:
        """A change's event is on disk: deliver it now rather than at the next poll."""
        self.wakeup.set()

    def close(self) -> int:
        """Give deliveries up to `deadline` seconds to finish; say how many stay pending."""
        if self.thread is None:
            return 0
        self.closing = True
        self.wakeup.set()
        self.thread.join(self.deadline)
        with self.guard:
            self.abandoned = True
        left = Backlog(self.audit.path, lambda line: None)  # its warnings were given already
        left.read()
        self.pending = len(left.events)
        if left.events:
            self.warn(
                f"warning: {len(left.events)} webhook event(s) not delivered yet; they stay "
                f"pending in {self.audit.path} and go out with the next apply"
            )
        return len(left.events)

    def _deliver_all(self, backlog: Backlog) -> None:
        http = httpx.Client(
            timeout=self.timeout, headers={"User-Agent": f"genesys-reconcile/{__version__}"}
        )
        try:
            self._deliver_until_closed(backlog, http)
        except OSError as exc:  # the audit trail or its cursor cannot be read or written
            self.warn(f"warning: webhook deliveries stopped: {exc}")
        finally:
            http.close()

    def _deliver_until_closed(self, backlog: Backlog, http: httpx.Client) -> None:
        tried: set[str] = set()  # once per run: a failing receiver gets the rest next run
        answering = True
        while True:
            self.wakeup.clear()
            closing = self.closing  # read before the audit trail: then it holds every event
            backlog.read()
            for event in backlog.pending():
                if event["eventId"] not in tried:
                    tried.add(event["eventId"])
                    answering = self._deliver(backlog, http, event)
                if not answering:
                    break  # not answering: the rest wait for the next run
            with self.guard:
                if self.abandoned:
                    return
                backlog.save()
            if closing or not answering:
                return
            self.wakeup.wait(POLL)

    def _deliver(self, backlog: Backlog, http: httpx.Client, event: dict[str, Any]) -> bool:
        """Post one event and record how it went; False when the receiver did not answer."""
        body = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Event-Id": event["eventId"],
            "X-Signature-256": signature(self.secret, body),
        }
        try:
            answer = http.post(self.url, content=body, headers=headers)
        except httpx.HTTPError as exc:
            if self._record("webhook.failed", eventId=event["eventId"], error=type(exc).__name__):
                self.failures.append(type(exc).__name__)
            return False
        if answer.is_success:
            if self._record(
                "webhook.delivered", eventId=event["eventId"], status=answer.status_code
            ):
                backlog.done(event["eventId"])
                self.delivered += 1
        elif self._record("webhook.failed", eventId=event["eventId"], status=answer.status_code):
            self.failures.append(f"HTTP {answer.status_code}")
        return True

    def report(self) -> str | None:
        """The run's deliveries in one line for apply's summary; None when none was tried."""
        if not (self.delivered or self.failures or self.pending):
            return None
        line = f"Webhooks: {self.delivered} delivered, {len(self.failures)} failed"
        if self.failures:
            line += " (" + ", ".join(sorted(set(self.failures))) + ")"
        if self.pending:
            line += f"; {self.pending} pending for the next apply"
        return line + "."

    def _record(self, event: str, /, **fields: Any) -> bool:
        with self.guard:
            if self.abandoned:
                return False
            self.audit.event(event, **fields)
            return True
