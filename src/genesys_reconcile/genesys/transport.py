"""HTTP to Genesys Cloud: tokens, pacing, retries and error mapping, in one place.

Retry policy:
- 429 is retried for every method: the platform did not process the request. `Retry-After`
  is honoured.
- 5xx answers, timeouts and dropped connections are retried only for idempotent calls (reads,
  queries, and writes that carry the version they were based on, which cannot apply twice).
  For a create they are ambiguous: it may have happened. That is `AmbiguousWrite`, for the
  caller to settle by listing, never a blind replay that could create a duplicate.
- Otherwise exponential backoff with full jitter, bounded by a number of attempts and an
  overall deadline per call.
A pacer shared by all threads spends the rate-limit budget the platform reports (see
`pacing`), and a semaphore bounds concurrent requests, so a healthy run never meets a 429.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from genesys_reconcile import __version__, log
from genesys_reconcile.genesys.errors import (
    AmbiguousWrite,
    GenesysError,
    RateLimitExhausted,
    ServerError,
    Unauthorized,
    Unreachable,
    error_for,
)
from genesys_reconcile.genesys.pacing import Clock, Pacer, Sleep
from genesys_reconcile.genesys.regions import Endpoints
from genesys_reconcile.redaction import Secret, redact, register

PLATFORM_RATE_LIMIT = 300  # requests a minute per client-credentials token

_log = log.get("genesys")
# Failures before the request reached the server: safe to retry whatever the method.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


@dataclass(frozen=True)
class Policy:
    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 30.0
    deadline: float = 300.0  # seconds per call, waits included
    rate_per_minute: float = PLATFORM_RATE_LIMIT * 0.9
    concurrency: int = 8
    timeout: float = 30.0


@dataclass
class Answer:
    status: int
    data: Any
    correlation_id: str


class Transport:
    def __init__(
        self,
        endpoints: Endpoints,
        client_id: str,
        client_secret: Secret,
        policy: Policy | None = None,
        clock: Clock = time.monotonic,
        sleep: Sleep = time.sleep,
        rng: random.Random | None = None,
        http_transport: httpx.BaseTransport | None = None,
    ) -> None:
        """`http_transport` replaces the network, such as `httpx.WSGITransport(app=Sandbox())`
        to reach a sandbox in this process: everything above the sockets stays the same."""
        self.endpoints = endpoints
        self.policy = policy or Policy()
        self.clock, self.sleep = clock, sleep
        self.rng = rng or random.Random()  # noqa: S311 (jitter, not cryptography)
        self.http = httpx.Client(
            timeout=self.policy.timeout,
            limits=httpx.Limits(max_connections=self.policy.concurrency),
            headers={"User-Agent": f"genesys-reconcile/{__version__}"},
            follow_redirects=False,
            transport=http_transport,
        )
        self.pacer = Pacer(self.policy.rate_per_minute, clock, sleep)
        self.slots = threading.BoundedSemaphore(self.policy.concurrency)
        self.tokens = _TokenSource(self, client_id, client_secret)
        self.unreachable_reported = False

    def close(self) -> None:
        self.http.close()

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        body: Any = None,
        idempotent: bool,
    ) -> Answer:
        """Send an API request with the retry policy; return the answer or raise a
        `GenesysError`."""
        url = self.endpoints.api_url + path
        deadline = self.clock() + self.policy.deadline
        refreshed = False
        attempt = throttled = 0
        while True:
            attempt += 1
            token = self.tokens.get()
            headers = {"Authorization": f"Bearer {token}"}
            self.pacer.acquire()
            try:
                outcome = self._send(
                    method, url, path, attempt, params=params, json=body, headers=headers
                )
            except BaseException:  # interrupted: its slot in the budget is free again
                self.pacer.answered(None)
                raise
            self.pacer.answered(outcome.headers if isinstance(outcome, httpx.Response) else None)
            if isinstance(outcome, httpx.Response) and outcome.status_code == 401:
                if refreshed:  # not the credentials: the token endpoint just accepted them
                    raise self.tokens.expired_at_once(_error(method, path, outcome))
                self.tokens.invalidate(token)  # revoked or expired early: one fresh token
                refreshed = True
                attempt -= 1
                continue
            failure, delay = self._judge(method, path, outcome, idempotent, attempt)
            if failure is None:
                assert isinstance(outcome, httpx.Response)
                return _answer(outcome)
            if isinstance(outcome, httpx.Response) and _retry_after(outcome) is not None:
                # The platform said when to come back: only the deadline bounds such waits, so
                # a long apply sharing the rate limit with others is slowed, never failed.
                throttled += 1
            tries = attempt - throttled
            if delay is None or tries >= self.policy.attempts or self.clock() + delay > deadline:
                raise failure
            _log.info(
                "http.retry",
                method=method,
                path=path,
                attempt=attempt,
                delay=round(delay, 3),
                reason=failure.code or type(failure).__name__,
            )
            self.sleep(delay)

    def _first_unreachable(self, url: str, error: httpx.RequestError) -> None:
        """Say at once, and once per run, that a host does not answer: retries go on for up
        to the call's deadline, which is too long to wait in silence on a mistyped host."""
        if not self.unreachable_reported:
            self.unreachable_reported = True
            _log.warning(
                "http.unreachable",
                host=httpx.URL(url).host,
                error=type(error).__name__,
                retrying_for_s=self.policy.deadline,
            )

    def _send(
        self, method: str, url: str, path: str, attempt: int, **kwargs: Any
    ) -> httpx.Response | httpx.RequestError:
        with self.slots:
            start = time.perf_counter()
            try:
                response = self.http.request(method, url, **kwargs)
            except httpx.RequestError as exc:  # every failure without a response
                _log.debug(
                    "http.request",
                    method=method,
                    path=path,
                    attempt=attempt,
                    error=type(exc).__name__,
                )
                self._first_unreachable(url, exc)
                return exc
        _log.debug(
            "http.request",
            method=method,
            path=path,
            status=response.status_code,
            latency_ms=round((time.perf_counter() - start) * 1000, 1),
            attempt=attempt,
            correlation_id=response.headers.get("ININ-Correlation-Id", ""),
        )
        return response

    def _judge(
        self,
        method: str,
        path: str,
        outcome: httpx.Response | httpx.RequestError,
        idempotent: bool,
        attempt: int,
    ) -> tuple[GenesysError | None, float | None]:
        """The error this outcome is, if any, and how long to wait before retrying it (None:
        do not retry)."""
        backoff = self.rng.uniform(
            0, min(self.policy.max_delay, self.policy.base_delay * 2 ** (attempt - 1))
        )
        if isinstance(outcome, httpx.RequestError):
            message = f"no answer ({type(outcome).__name__})"
            if not (idempotent or isinstance(outcome, _NOT_SENT)):
                return AmbiguousWrite(
                    method, path, message + "; the write may or may not have happened"
                ), None
            return Unreachable(method, path, message), backoff
        status = outcome.status_code
        if status < 400:
            return None, None
        error = _error(method, path, outcome)
        if status == 429:
            return error, _retry_after(outcome) or backoff
        if status >= 500 and not idempotent:
            return AmbiguousWrite(
                method,
                path,
                f"{status} answer; the write may or may not have happened",
                status=status,
                correlation_id=error.correlation_id,
            ), None
        return error, backoff if status >= 500 else None


class _TokenSource:
    """Client-credentials tokens, cached and renewed shortly before they expire. Threads share
    one refresh: the first to find the token stale fetches, the others wait for it."""

    def __init__(self, transport: Transport, client_id: str, secret: Secret) -> None:
        self.transport = transport
        self.client_id, self.secret = client_id, secret
        self.lock = threading.Lock()
        self.token: str | None = None
        self.renew_at = 0.0
        self.lifetime = 0.0  # as the login server granted the last token, s

    def get(self) -> str:
        with self.lock:
            if self.token is None or self.transport.clock() >= self.renew_at:
                self.token, lifetime = self._fetch()
                register(self.token)
                self.lifetime = lifetime
                # Renew early, by a tenth of the lifetime up to a minute, so no request carries
                # a token that expires on the way.
                self.renew_at = self.transport.clock() + lifetime - min(60.0, lifetime * 0.1)
            return self.token

    def expired_at_once(self, refused: GenesysError) -> GenesysError:
        """A token refused right after it was granted: its lifetime, not the credentials."""
        return GenesysError(
            refused.method,
            refused.path,
            f"a token just granted was refused: {_expired(self.lifetime)}",
            status=refused.status,
            code=refused.code,
            correlation_id=refused.correlation_id,
        )

    def invalidate(self, token: str) -> None:
        with self.lock:
            if self.token == token:  # another thread may have renewed it already
                self.token = None

    def _fetch(self) -> tuple[str, float]:
        transport, url = self.transport, self.transport.endpoints.token_url
        deadline = transport.clock() + transport.policy.deadline
        for attempt in range(1, transport.policy.attempts + 1):
            outcome = transport._send(
                "POST",
                url,
                "/oauth/token",
                attempt,
                data={"grant_type": "client_credentials"},
                auth=(self.client_id, self.secret.reveal()),
            )
            if isinstance(outcome, httpx.Response) and outcome.status_code == 200:
                answer = _json(outcome, "POST", "/oauth/token")
                try:
                    token, lifetime = str(answer["access_token"]), float(answer["expires_in"])
                except (KeyError, TypeError, ValueError):
                    raise GenesysError(
                        "POST", "/oauth/token", "the token answer has no token"
                    ) from None
                if lifetime <= 0:
                    raise GenesysError("POST", "/oauth/token", _expired(lifetime))
                return token, lifetime
            if isinstance(outcome, httpx.Response) and outcome.status_code in (400, 401, 403):
                raise Unauthorized(
                    "POST",
                    "/oauth/token",
                    "the client credentials were refused",
                    status=outcome.status_code,
                )
            failure, delay = transport._judge("POST", "/oauth/token", outcome, True, attempt)
            assert failure is not None
            if (
                delay is None
                or attempt == transport.policy.attempts
                or transport.clock() + delay > deadline
            ):
                raise failure
            transport.sleep(delay)
        raise AssertionError("unreachable")  # the loop raises on its last attempt


def _expired(lifetime: float) -> str:
    return (
        f"the token expired immediately (granted for {lifetime:g} s); "
        "check the token lifetime the login server grants"
    )


def _answer(response: httpx.Response) -> Answer:
    path = response.request.url.path
    data = _json(response, response.request.method, path) if response.content else None
    return Answer(response.status_code, data, response.headers.get("ININ-Correlation-Id", ""))


def _json(response: httpx.Response, method: str, path: str) -> Any:
    try:
        return response.json()
    except ValueError:  # includes a body that is not UTF-8
        raise GenesysError(method, path, f"the {response.status_code} answer is not JSON") from None


def _error(method: str, path: str, response: httpx.Response) -> GenesysError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if not isinstance(body, dict):
        body = {}
    status = response.status_code
    message = str(body.get("message") or response.reason_phrase or "request failed")
    kind = error_for(status, str(body.get("code", "")))
    if kind in (RateLimitExhausted, ServerError):
        message = f"still failing after retries: {message}"
    details = [d for d in body.get("details", []) if isinstance(d, dict)]
    return kind(
        method,
        path,
        redact(message),
        status=status,
        code=str(body.get("code", "")),
        correlation_id=response.headers.get("ININ-Correlation-Id", ""),
        details=details,
    )


def _retry_after(response: httpx.Response) -> float | None:
    text = response.headers.get("Retry-After", "")
    try:
        seconds = float(text)
    except ValueError:
        return None  # an HTTP date, or nonsense: fall back to backoff
    return seconds if 0 <= seconds <= 3600 else None
