"""Webhooks: one event per applied change, for downstream systems (a CDP, a warehouse).

Each delivery carries an event id (`X-Event-Id`, for idempotent receivers) and an HMAC-SHA256
signature of the exact body (`X-Signature-256: sha256=<hex>`) under a secret named by an
environment variable. A failed delivery is kept in an outbox and tried again at the start of
the next run; it never fails the apply.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from genesys_reconcile import __version__
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.redaction import Secret

OUTBOX = Path(".reconcile") / "webhook-outbox.jsonl"


def signature(secret: Secret, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.reveal().encode(), body, hashlib.sha256).hexdigest()


class Webhooks:
    def __init__(self, url: str, secret: Secret, audit: Audit, outbox: Path = OUTBOX) -> None:
        self.url, self.secret, self.audit, self.outbox = url, secret, audit, outbox
        self.lock = threading.Lock()  # deliveries come from parallel changes
        self.http = httpx.Client(
            timeout=10, headers={"User-Agent": f"genesys-reconcile/{__version__}"}
        )

    def close(self) -> None:
        self.http.close()

    def event(
        self, kind: str, name: str, action: str, ident: str | None, fields: list[str]
    ) -> dict[str, Any]:
        return {
            "eventId": str(uuid.uuid4()),
            "type": f"change.{action}",
            "occurredAt": datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z"),
            "run": self.audit.run_id,
            "resource": {"kind": kind, "name": name, "id": ident},
            "changedFields": fields,
        }

    def send(self, event: dict[str, Any]) -> None:
        """Deliver now, or keep it in the outbox for the next run."""
        if not self._deliver(event):
            self._queue([event])

    def retry_outbox(self) -> None:
        """Deliver what earlier runs could not, keeping only what still fails."""
        if not self.outbox.exists():
            return
        lines = self.outbox.read_text(encoding="utf-8").splitlines()
        pending = [json.loads(line) for line in lines if line.strip()]
        still = [event for event in pending if not self._deliver(event)]
        self.outbox.unlink()
        if still:
            self._queue(still)

    def _deliver(self, event: dict[str, Any]) -> bool:
        body = json.dumps(event, sort_keys=True, separators=(",", ":")).encode()
        headers = {
            "Content-Type": "application/json",
            "X-Event-Id": event["eventId"],
            "X-Signature-256": signature(self.secret, body),
        }
        try:
            answer = self.http.post(self.url, content=body, headers=headers)
            delivered, status = answer.is_success, answer.status_code
        except httpx.HTTPError as exc:
            delivered, status = False, 0
            self.audit.event("webhook.failed", eventId=event["eventId"], error=type(exc).__name__)
        if delivered:
            self.audit.event("webhook.delivered", eventId=event["eventId"], status=status)
        elif status:
            self.audit.event("webhook.failed", eventId=event["eventId"], status=status)
        return delivered

    def _queue(self, events: list[dict[str, Any]]) -> None:
        self.outbox.parent.mkdir(parents=True, exist_ok=True)
        with self.lock, self.outbox.open("a", encoding="utf-8") as handle:
            for event in events:
                handle.write(json.dumps(event, sort_keys=True) + "\n")
                self.audit.event("webhook.queued", eventId=event["eventId"])
