from __future__ import annotations

import io
import random
from collections.abc import Iterator

import pytest

from genesys_reconcile import log
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.regions import endpoints
from genesys_reconcile.genesys.transport import Policy, Transport
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.server import SandboxServer
from tests.sandbox.conftest import Api, FakeClock

SECRET = "client-secret-under-test-42"


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock, client_id="reconcile-test", client_secret=SECRET)


@pytest.fixture
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with SandboxServer(sandbox) as running:
        yield running


@pytest.fixture
def admin(server: SandboxServer) -> Iterator[Api]:
    """The sandbox's admin endpoints, to switch faults and read the journal."""
    api = Api(server.url, credentials=None)
    yield api
    api.http.close()


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """Every log line the client writes, at debug level, as JSON."""
    stream = io.StringIO()
    log.configure("debug", stream, json=True)
    yield stream
    log.configure()


def make_client(
    server: SandboxServer, clock: FakeClock, secret: str = SECRET, **policy: float
) -> GenesysClient:
    """A client whose waits advance the sandbox's clock: backoff and Retry-After cost no time."""
    hosts = endpoints(api_url=server.url, login_url=server.url)
    transport = Transport(
        hosts,
        "reconcile-test",
        Secret(secret),
        Policy(**policy),  # type: ignore[arg-type]
        clock=clock,
        sleep=clock.advance,
        rng=random.Random(1),
    )
    return GenesysClient(transport)


@pytest.fixture
def client(server: SandboxServer, clock: FakeClock) -> Iterator[GenesysClient]:
    with make_client(server, clock) as made:
        yield made
