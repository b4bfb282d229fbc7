"""The sandbox as a WSGI application: each request through faults, auth and routing to its
handler, and into the request journal. Routing is in `routes`, the token endpoint and its check in
`auth`, the admin endpoints in `admin`, reading and writing WSGI in `wsgi`.

One lock serialises the org's changes, so concurrent writes behave as on the real platform
(one PATCH of a version wins, the rest get 409). Injected latency is slept outside the lock,
so concurrent clients still overlap their waits, as they would against the real API.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from genesys_reconcile.loopback import is_loopback
from genesys_reconcile.sandbox import auth, state
from genesys_reconcile.sandbox.admin import ADMIN_ROUTES, AdminEndpoints
from genesys_reconcile.sandbox.errors import ApiError
from genesys_reconcile.sandbox.faults import FaultSettings, ScriptedFault
from genesys_reconcile.sandbox.http import Org, Response, iso
from genesys_reconcile.sandbox.routes import API_ROUTES, TOKEN_ROUTE, Target, target_of
from genesys_reconcile.sandbox.state import OrgState
from genesys_reconcile.sandbox.wsgi import DropConnection, catching, parsed_request, respond

__all__ = [
    "ADMIN_ROUTES",
    "API_ROUTES",
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_TOKEN_TTL",
    "TOKEN_ROUTE",
    "DropConnection",
    "Sandbox",
]

# Documented in docs/sandbox.md; anyone can read them, so they guard nothing but a typo.
DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"  # noqa: S105
DEFAULT_TOKEN_TTL = 86_400
JOURNAL_ENTRIES = 50_000  # the newest kept; counts cover every request
# "demo": the real platform's API plus the demo extension (analytics segments, segmentation
# rules on campaigns); "genesys": only what the real platform serves.
APIS = ("demo", "genesys")


class Sandbox(AdminEndpoints):
    """The simulator. Call it as a WSGI application, or mount it with httpx.WSGITransport."""

    def __init__(
        self,
        *,
        state_file: Path | None = None,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        token_ttl: int = DEFAULT_TOKEN_TTL,
        faults: FaultSettings | None = None,
        seed: int = 0,
        clock: Callable[[], float] = time.time,
        api: str = "demo",
    ) -> None:
        if api not in APIS:
            raise ValueError(f"unknown API {api!r}; known: {', '.join(APIS)}")
        self.api = api
        self.lock = threading.RLock()
        self.clock = clock
        self.seed = seed
        self.rng = random.Random(seed)  # noqa: S311 (a simulation, not cryptography)
        self.state_file = state_file
        self.credentials = (client_id, client_secret)
        self.token_ttl = token_ttl
        self.initial_faults = faults or FaultSettings()
        self.faults = self.initial_faults
        self.limiter = self._limiter()
        self.tokens: dict[str, float] = {}
        self.journal: deque[dict[str, Any]] = deque(maxlen=JOURNAL_ENTRIES)
        self.counts: Counter[str] = Counter()
        self.webhooks: deque[dict[str, Any]] = deque(maxlen=JOURNAL_ENTRIES)
        if state_file and state_file.exists():
            self.state = state.load(state_file)
        else:
            self.state = OrgState.demo(iso(clock()))
            self._save()

    # -- WSGI ------------------------------------------------------------------------------

    def __call__(
        self, environ: dict[str, Any], start_response: Callable[..., Any]
    ) -> Iterable[bytes]:
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO") or "/"
        correlation = str(uuid.uuid4())
        if path.startswith("/_sandbox/"):
            response = catching(lambda: self._admin(environ, method, path), correlation)
        else:
            response = self._serve(environ, method, path, correlation)
        return respond(start_response, response, correlation)

    def _serve(self, environ: dict[str, Any], method: str, path: str, correlation: str) -> Response:
        target = target_of(method, path, self.api)
        route = target.name
        fault: list[str] = []
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)  # outside the lock: waits overlap
            fault.append("latency")
        try:
            response = catching(
                lambda: self._process(environ, method, path, target, fault), correlation
            )
        except DropConnection:
            self._record(method, path, route, 0, fault, correlation)
            raise
        self._record(method, path, route, response.status, fault, correlation)
        return response

    def _process(
        self, environ: dict[str, Any], method: str, path: str, target: Target, fault: list[str]
    ) -> Response:
        route = target.name
        with self.lock:
            scripted = self._scripted(method, path, route)
            if scripted:
                fault.append(f"script:{scripted.action}")
                if scripted.action == "drop":
                    raise DropConnection
                if scripted.action == "status":
                    raise _scripted_error(scripted)
            budget = self._platform_faults(environ, fault) if path.startswith("/api/") else {}
            try:
                response = self._dispatch(environ, method, path, target)
            except ApiError as error:
                error.headers = {**budget, **error.headers}  # every answer reports the budget
                raise
            if scripted and scripted.action == "drop-after":
                raise DropConnection
            response.headers = {**budget, **response.headers}
            return response

    def _platform_faults(self, environ: dict[str, Any], fault: list[str]) -> dict[str, str]:
        """Injected failures; and the rate limit, whose budget headers (if its model reports
        any) the answer carries."""
        budget: dict[str, str] = {}
        if self.limiter:
            try:
                budget = self.limiter.take(environ.get("HTTP_AUTHORIZATION", ""))
            except ApiError:
                fault.append("rate-limit")
                raise
        if self.faults.drop_rate and self.rng.random() < self.faults.drop_rate:
            fault.append("drop")
            raise DropConnection
        if self.faults.error_rate and self.rng.random() < self.faults.error_rate:
            fault.append("error")
            error = ApiError(503, "service.unavailable", "The service is temporarily unavailable")
            error.headers = budget
            raise error
        return budget

    def _dispatch(
        self, environ: dict[str, Any], method: str, path: str, target: Target
    ) -> Response:
        if path == TOKEN_ROUTE and method == "POST":
            return auth.grant(self, environ)
        if target.route is None:
            if target.known_path:
                raise ApiError(405, "method.not.allowed", f"{method} is not allowed on {path}")
            raise ApiError(404, "not.found", f"no resource at {path}")
        auth.authenticate(self, environ)
        request = parsed_request(environ, method, path, target.params)
        org = Org(self.state, self.faults, self.rng, self.clock(), self.seed, self.api)
        response = target.route.handler(org, request)
        if org.changed:
            self._save()
        return response

    # -- journal, faults -------------------------------------------------------------------

    def _record(
        self, method: str, path: str, route: str, status: int, fault: list[str], correlation: str
    ) -> None:
        entry = {"method": method, "path": path, "route": route, "status": status}
        entry |= {"at": iso(self.clock()), "correlationId": correlation}
        if fault:
            entry["fault"] = ",".join(fault)
        with self.lock:
            self.journal.append(entry)
            self.counts[f"{method} {route}"] += 1

    def _scripted(self, method: str, path: str, route: str) -> ScriptedFault | None:
        for fault in self.faults.script:
            if fault.times > 0 and fault.matches(method, path, route):
                fault.times -= 1
                return fault
        return None

    # -- admin -----------------------------------------------------------------------------

    def _admin(self, environ: dict[str, Any], method: str, path: str) -> Response:
        if not is_loopback(environ.get("REMOTE_ADDR", "")):
            raise ApiError(403, "forbidden", "the sandbox's admin endpoints answer loopback only")
        action = ADMIN_ROUTES.get((method, path))
        if action is None:
            raise ApiError(404, "not.found", f"no admin endpoint {method} {path}")
        request = parsed_request(environ, method, path, {})
        with self.lock:
            response = action(self, request)
        if action is Sandbox.capture_webhook:
            self._hold_webhook()  # outside the lock: a slow receiver must not hold up the API
        return response


def _scripted_error(fault: ScriptedFault) -> ApiError:
    if fault.status == 429:
        return ApiError(
            429,
            "too.many.requests.retry.after",
            "Rate limit exceeded the maximum",
            headers={"Retry-After": str(fault.retryAfter)},
        )
    return ApiError(fault.status, fault.code, fault.message or f"a scripted {fault.status} answer")
