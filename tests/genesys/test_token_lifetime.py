"""A token that expires as soon as it is granted is a lifetime problem, not a credentials one:
the client says so, and the sandbox refuses to be set up that way."""

from __future__ import annotations

import subprocess
import sys

import pytest

from genesys_reconcile.genesys import errors
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.server import SandboxServer
from tests.genesys.conftest import make_client
from tests.sandbox.conftest import FakeClock

SEGMENTS = "/api/v2/analytics/segments"


class Jumping:
    """A server clock that moves on by more than a token's lifetime every time it is read."""

    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        self.now += 10
        return self.now


def test_a_token_granted_for_no_time_is_reported_as_expired_not_as_bad_credentials(
    server: SandboxServer, sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.token_ttl = 0
    with make_client(server, clock) as client, pytest.raises(errors.GenesysError) as caught:
        client.list_all(SEGMENTS)
    assert str(caught.value) == (
        "POST /oauth/token: the token expired immediately (granted for 0 s); "
        "check the token lifetime the login server grants"
    )


def test_a_token_refused_as_soon_as_it_was_granted_is_reported_as_expired(
    server: SandboxServer, sandbox: Sandbox, clock: FakeClock
) -> None:
    sandbox.token_ttl = 5
    sandbox.clock = Jumping(clock())
    with make_client(server, clock) as client, pytest.raises(errors.GenesysError) as caught:
        client.list_all(SEGMENTS)
    message = str(caught.value)
    assert message.startswith(
        "GET /api/v2/analytics/segments: 401 bad.credentials: a token just granted was refused: "
        "the token expired immediately (granted for 5 s); "
        "check the token lifetime the login server grants"
    )
    assert "GENESYS_CLIENT_SECRET" not in message


def test_serve_refuses_a_token_lifetime_below_one_second() -> None:
    answer = subprocess.run(
        [sys.executable, "-m", "genesys_reconcile", "sandbox", "serve", "--token-ttl", "0"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert (answer.returncode, answer.stdout) == (1, "")
    assert "Invalid value for '--token-ttl': 0 is not in the range x>=1." in answer.stderr
    assert "Traceback" not in answer.stderr
