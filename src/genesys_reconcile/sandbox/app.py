"""The sandbox as a WSGI application: auth, routing, faults, the request journal, admin.

One lock serialises the org's changes, so concurrent writes behave as on the real platform
(one PATCH of a version wins, the rest get 409). Injected latency is slept outside the lock,
so concurrent clients still overlap their waits, as they would against the real API.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import random
import re
import secrets
import threading
import time
import uuid
from collections import Counter, deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

from genesys_reconcile.loopback import is_loopback
from genesys_reconcile.sandbox import outbound, segments, state
from genesys_reconcile.sandbox.analytics import Analytics
from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.faults import FaultSettings, RateLimiter, ScriptedFault
from genesys_reconcile.sandbox.http import Handler, Org, Request, Response, iso, page
from genesys_reconcile.sandbox.state import OrgState

# Documented in docs/sandbox.md; anyone can read them, so they guard nothing but a typo.
DEFAULT_CLIENT_ID = "sandbox-client"
DEFAULT_CLIENT_SECRET = "sandbox-secret"  # noqa: S105
DEFAULT_TOKEN_TTL = 86_400
MAX_BODY_BYTES = 512_000
JOURNAL_ENTRIES = 50_000  # the newest kept; counts cover every request
JSON = "application/json"


class DropConnection(Exception):
    """Raised to the server: close the connection without answering."""


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template) + r"\Z"
        object.__setattr__(self, "pattern", re.compile(regex))


Names = tuple[tuple[str, str], ...]


@functools.lru_cache(maxsize=4)
def _engine(seed: int, queues: Names, users: Names, campaigns: Names) -> Analytics:
    # Kept between requests: the engine caches the days of conversations it generated.
    def entities(names: Names) -> list[dict[str, str]]:
        return [{"id": ident, "name": name} for ident, name in names]

    return Analytics(seed, entities(queues), entities(users), entities(campaigns))


def _analytics(query: str) -> Handler:
    def handler(org: Org, request: Request) -> Response:
        names = [
            tuple((e["id"], e["name"]) for e in org.state.collection(c).values())
            for c in ("queues", "users", "campaigns")
        ]
        engine = _engine(org.seed, *names)
        return Response(200, getattr(engine, query)(request.body or {}))

    return handler


def _organization(org: Org, _: Request) -> Response:
    return Response(200, state.public(org.state.organization))


def _directory(collection: str) -> Handler:
    def handler(org: Org, request: Request) -> Response:
        return page(request, list(org.state.collection(collection).values()))

    return handler


API_ROUTES = (
    Route("GET", segments.BASE, segments.list_segments),
    Route("POST", segments.BASE, segments.create_segment),
    Route("GET", segments.BASE + "/{id}", segments.get_segment),
    Route("PATCH", segments.BASE + "/{id}", segments.patch_segment),
    Route("DELETE", segments.BASE + "/{id}", segments.delete_segment),
    Route("GET", "/api/v2/outbound/lists", outbound.list_lists),
    Route("GET", "/api/v2/outbound/lists/{id}", outbound.get_list),
    Route("GET", "/api/v2/outbound/campaigns", outbound.list_campaigns),
    Route("GET", "/api/v2/outbound/campaigns/{id}", outbound.get_campaign),
    Route("PATCH", "/api/v2/outbound/campaigns/{id}", outbound.patch_campaign),
    Route("GET", "/api/v2/organizations/me", _organization),
    Route("GET", "/api/v2/routing/queues", _directory("queues")),
    Route("GET", "/api/v2/users", _directory("users")),
    Route("POST", "/api/v2/analytics/conversations/aggregates/query", _analytics("aggregates")),
    Route("POST", "/api/v2/analytics/conversations/details/query", _analytics("details")),
)
TOKEN_ROUTE = "/oauth/token"  # noqa: S105 (a path, not a password)


class Sandbox:
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
    ) -> None:
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
            response = _catching(lambda: self._admin(environ, method, path), correlation)
        else:
            response = self._serve(environ, method, path, correlation)
        return _respond(start_response, response, correlation)

    def _serve(self, environ: dict[str, Any], method: str, path: str, correlation: str) -> Response:
        target = _target(method, path)
        route = target.name
        fault: list[str] = []
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)  # outside the lock: waits overlap
            fault.append("latency")
        try:
            response = _catching(
                lambda: self._process(environ, method, path, target, fault), correlation
            )
        except DropConnection:
            self._record(method, path, route, 0, fault, correlation)
            raise
        self._record(method, path, route, response.status, fault, correlation)
        return response

    def _process(
        self, environ: dict[str, Any], method: str, path: str, target: _Target, fault: list[str]
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
            if path.startswith("/api/"):
                self._platform_faults(fault)
            response = self._dispatch(environ, method, path, target)
            if scripted and scripted.action == "drop-after":
                raise DropConnection
            return response

    def _platform_faults(self, fault: list[str]) -> None:
        if self.limiter:
            try:
                self.limiter.take()
            except ApiError:
                fault.append("rate-limit")
                raise
        if self.faults.drop_rate and self.rng.random() < self.faults.drop_rate:
            fault.append("drop")
            raise DropConnection
        if self.faults.error_rate and self.rng.random() < self.faults.error_rate:
            fault.append("error")
            raise ApiError(503, "service.unavailable", "The service is temporarily unavailable")

    def _dispatch(
        self, environ: dict[str, Any], method: str, path: str, target: _Target
    ) -> Response:
        if path == TOKEN_ROUTE and method == "POST":
            return self._token(environ)
        if target.route is None:
            if target.known_path:
                raise ApiError(405, "method.not.allowed", f"{method} is not allowed on {path}")
            raise ApiError(404, "not.found", f"no resource at {path}")
        self._authenticate(environ)
        request = _request(environ, method, path, target.params)
        org = Org(self.state, self.faults, self.rng, self.clock(), self.seed)
        response = target.route.handler(org, request)
        if org.changed:
            self._save()
        return response

    # -- auth ------------------------------------------------------------------------------

    def _token(self, environ: dict[str, Any]) -> Response:
        form = dict(parse_qsl(_read(environ).decode("utf-8", "replace")))
        if form.get("grant_type") != "client_credentials":
            return Response(400, _oauth_error("unsupported_grant_type", "use client_credentials"))
        if _basic_credentials(environ) != self.credentials:
            return Response(401, _oauth_error("invalid_client", "client not found"))
        now = self.clock()
        self.tokens = {t: exp for t, exp in self.tokens.items() if exp > now}
        token = secrets.token_urlsafe(32)
        self.tokens[token] = now + self.token_ttl
        body = {"access_token": token, "token_type": "bearer", "expires_in": self.token_ttl}
        return Response(200, body)

    def _authenticate(self, environ: dict[str, Any]) -> None:
        header = environ.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            raise ApiError(
                401,
                "authentication.required",
                "No authentication bearer token specified in authorization header.",
            )
        expiry = self.tokens.get(header.removeprefix("Bearer "))
        if expiry is None or expiry <= self.clock():
            raise ApiError(401, "bad.credentials", "Invalid login credentials.")

    # -- journal, faults, persistence ------------------------------------------------------

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

    def _limiter(self) -> RateLimiter | None:
        rate = self.faults.rate_limit
        return RateLimiter(int(rate), self.clock) if rate else None

    def _save(self) -> None:
        if self.state_file:
            state.save(self.state, self.state_file)

    # -- admin -----------------------------------------------------------------------------

    def _admin(self, environ: dict[str, Any], method: str, path: str) -> Response:
        if not is_loopback(environ.get("REMOTE_ADDR", "")):
            raise ApiError(403, "forbidden", "the sandbox's admin endpoints answer loopback only")
        action = ADMIN_ROUTES.get((method, path))
        if action is None:
            raise ApiError(404, "not.found", f"no admin endpoint {method} {path}")
        request = _request(environ, method, path, {})
        with self.lock:
            response = action(self, request)
        if action is Sandbox.capture_webhook:
            self._hold_webhook()  # outside the lock: a slow receiver must not hold up the API
        return response

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


ADMIN_ROUTES: dict[tuple[str, str], Callable[[Sandbox, Request], Response]] = {
    ("GET", "/_sandbox/journal"): Sandbox.journal_view,
    ("DELETE", "/_sandbox/journal"): Sandbox.clear_journal,
    ("GET", "/_sandbox/faults"): Sandbox.faults_view,
    ("POST", "/_sandbox/faults"): Sandbox.set_faults,
    ("POST", "/_sandbox/reset"): Sandbox.reset,
    ("GET", "/_sandbox/state"): Sandbox.state_view,
    ("POST", "/_sandbox/edit"): Sandbox.edit,
    ("POST", "/_sandbox/webhooks"): Sandbox.capture_webhook,
    ("GET", "/_sandbox/webhooks"): Sandbox.webhooks_view,
    ("DELETE", "/_sandbox/webhooks"): Sandbox.clear_webhooks,
}


@dataclass(frozen=True)
class _OutOfBandEdit:
    resource: str
    action: str
    ident: str | None
    name: str | None
    changes: dict[str, Any]

    @classmethod
    def from_body(cls, body: Any) -> _OutOfBandEdit:
        if not isinstance(body, dict) or body.get("resource") not in ("segments", "campaigns"):
            raise bad_request("resource must be segments or campaigns", "resource")
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
            collection[ident] |= {"createdDate": org.timestamp(), "modifiedDate": org.timestamp()}
            return Response(201, state.public(collection[ident]))
        target = self._target(org, collection)
        if self.action == "delete":
            del collection[target["id"]]
            return Response(204)
        target.update(self.changes, version=target["version"] + 1, modifiedDate=org.timestamp())
        return Response(200, state.public(target))

    def _target(self, org: Org, collection: Mapping[str, state.Entity]) -> state.Entity:
        if self.ident:
            return org.find(self.resource, self.ident, self.resource[:-1])
        found = next(org.state.named(self.resource, self.name or ""), None)
        if found is None:
            raise ApiError(404, "not.found", f"no {self.resource[:-1]} named {self.name!r}")
        return found


@dataclass(frozen=True)
class _Target:
    """What a request addresses, found once for the journal and the dispatch."""

    name: str  # the route's template, as the journal counts it; else the path itself
    route: Route | None  # the route serving this method, if any
    params: dict[str, str]
    known_path: bool  # some route serves this path (with another method: 405, not 404)


def _target(method: str, path: str) -> _Target:
    if path == TOKEN_ROUTE:
        return _Target(path, None, {}, False)
    name, known = path, False
    for route in API_ROUTES:
        found = route.pattern.match(path)
        if found and route.method == method:
            return _Target(route.template, route, found.groupdict(), True)
        if found and not known:
            name, known = route.template, True
    return _Target(name, None, {}, known)


def _scripted_error(fault: ScriptedFault) -> ApiError:
    if fault.status == 429:
        return ApiError(
            429,
            "too.many.requests.retry.after",
            "Rate limit exceeded the maximum",
            headers={"Retry-After": str(fault.retryAfter)},
        )
    return ApiError(fault.status, "scripted.fault", f"a scripted {fault.status} answer")


def _read(environ: dict[str, Any]) -> bytes:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_BODY_BYTES:
        raise ApiError(
            413, "request.entity.too.large", f"request bodies are limited to {MAX_BODY_BYTES} bytes"
        )
    body: bytes = environ["wsgi.input"].read(length) if length else b""
    return body


def _request(environ: dict[str, Any], method: str, path: str, params: dict[str, str]) -> Request:
    raw = _read(environ)
    headers = {
        k.removeprefix("HTTP_").replace("_", "-").title(): v
        for k, v in environ.items()
        if k.startswith("HTTP_") and k != "HTTP_AUTHORIZATION"
    }
    text = raw.decode("utf-8", "replace")
    return Request(method, path, params, _query(environ), _json(raw), headers, text)


def _json(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise bad_request("the request body is not valid JSON") from None


def _catching(produce: Callable[[], Response], correlation: str) -> Response:
    try:
        return produce()
    except ApiError as error:
        body = {
            "message": error.message,
            "code": error.code,
            "status": error.status,
            "contextId": correlation,
            "details": error.details,
            "errors": [],
        }
        return Response(error.status, body, error.headers)


def _query(environ: dict[str, Any]) -> dict[str, str]:
    return dict(parse_qsl(environ.get("QUERY_STRING", "")))


def _basic_credentials(environ: dict[str, Any]) -> tuple[str, str] | None:
    header = environ.get("HTTP_AUTHORIZATION", "")
    if not header.startswith("Basic "):
        return None
    try:
        decoded = base64.b64decode(header.removeprefix("Basic "), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, _, secret = decoded.partition(":")
    return client_id, secret


def _oauth_error(code: str, description: str) -> dict[str, str]:
    return {"error": code, "description": description, "error_description": description}


def _respond(
    start_response: Callable[..., Any], response: Response, correlation: str
) -> list[bytes]:
    body = b"" if response.body is None else json.dumps(response.body).encode()
    headers = {"ININ-Correlation-Id": correlation, **response.headers}
    if response.body is not None:
        headers["Content-Type"] = JSON
    headers["Content-Length"] = str(len(body))
    start_response(
        f"{response.status} {_REASONS.get(response.status, 'Status')}", list(headers.items())
    )
    return [body]


_REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    405: "Method Not Allowed",
    409: "Conflict",
    413: "Payload Too Large",
    422: "Unprocessable Entity",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}
