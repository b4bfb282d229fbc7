from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.server import SandboxServer

CREDENTIALS = ("sandbox-client", "sandbox-secret")


class FakeClock:
    """Time that moves only when a test says so (token expiry, index rebuilds, rate limits)."""

    def __init__(self, now: float = 1_750_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Api:
    """Raw HTTP to a running sandbox: what any client would send."""

    def __init__(self, url: str, credentials: tuple[str, str] | None = CREDENTIALS) -> None:
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=10)
        self.credentials = credentials
        self.token = self.new_token() if credentials else ""

    def new_token(self) -> str:
        answer = self.http.post(
            "/oauth/token", data={"grant_type": "client_credentials"}, auth=self.credentials
        )
        assert answer.status_code == 200, answer.text
        token: str = answer.json()["access_token"]
        return token

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        headers = {"Authorization": f"Bearer {self.token}", **kwargs.pop("headers", {})}
        return self.http.request(method, path, headers=headers, **kwargs)

    def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", path, **kwargs)

    def post(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.request("POST", path, json=body, **kwargs)

    def patch(self, path: str, body: Any, **kwargs: Any) -> httpx.Response:
        return self.request("PATCH", path, json=body, **kwargs)

    def delete(self, path: str, **kwargs: Any) -> httpx.Response:
        return self.request("DELETE", path, **kwargs)

    def admin(self, method: str, path: str, body: Any = None) -> Any:
        answer = self.http.request(method, f"/_sandbox/{path}", json=body)
        assert answer.status_code < 300, answer.text
        return answer.json() if answer.content else None

    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = self.admin("GET", "journal")["counts"]
        return counts

    def named(self, collection: str, name: str) -> dict[str, Any]:
        listing = self.get(collection, params={"pageSize": 100}).json()
        return next(e for e in listing["entities"] if e["name"] == name)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


@pytest.fixture
def server(sandbox: Sandbox) -> Iterator[SandboxServer]:
    with SandboxServer(sandbox) as running:
        yield running


@pytest.fixture
def api(server: SandboxServer) -> Iterator[Api]:
    client = Api(server.url)
    yield client
    client.http.close()
