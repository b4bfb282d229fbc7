"""The sandbox inside the reconciler's own process, for `--sandbox`."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.faults import FaultSettings
from genesys_reconcile.sandbox.server import SandboxServer

STATE_FILE = Path(".reconcile") / "sandbox" / "org.json"
CLIENT_ID = "reconcile-embedded"
# The embedded org reports a budget, as the platform does, but a generous one: a client that
# knows no budget paces itself for a real org's limit, which would only slow these runs down.
BUDGET_PER_MINUTE = 10_000


@dataclass
class Embedded:
    server: SandboxServer
    client_id: str
    client_secret: str

    def close(self) -> None:
        self.server.close()


def start(root: Path) -> Embedded:
    """A sandbox on a free loopback port, its org kept under `root`, with credentials made up
    for this run alone."""
    secret = secrets.token_urlsafe(24)
    faults = FaultSettings(rate_limit=BUDGET_PER_MINUTE)
    app = Sandbox(
        state_file=root / STATE_FILE, client_id=CLIENT_ID, client_secret=secret, faults=faults
    )
    return Embedded(SandboxServer(app).start(), CLIENT_ID, secret)
