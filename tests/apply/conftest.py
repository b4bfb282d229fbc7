# The client tests' fixtures: a sandbox and a client sharing one fake clock; and a webhook
# receiver.
from __future__ import annotations

from collections.abc import Iterator

import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.server import SandboxServer
from tests.genesys.conftest import admin, client, clock, sandbox, server  # noqa: F401
from tests.sandbox.conftest import Api, FakeClock


@pytest.fixture
def receiver(clock: FakeClock) -> Iterator[Api]:  # noqa: F811 (the imported fixture)
    """A webhook receiver: another sandbox's /_sandbox/webhooks, which records deliveries."""
    with SandboxServer(Sandbox(clock=clock)) as running:
        api = Api(running.url, credentials=None)
        yield api
        api.admin("POST", "faults", {"webhook_delay": 0})  # release any delivery it holds
