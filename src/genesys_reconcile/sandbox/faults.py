"""Fault injection: what can go wrong, switchable at start-up and at run time.

Random faults (errors, drops, failed rebuilds) draw from the sandbox's seeded generator, so a
run with the same `--seed` and the same requests fails the same way. Scripted faults hit
chosen requests exactly, for tests that need one precise failure.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from genesys_reconcile.sandbox.errors import ApiError, bad_request

ACTIONS = ("status", "drop", "drop-after")
# How `rate_limit` is enforced: "window", as the platform does (a budget per token over a
# minute, reported on every answer in `inin-ratelimit-*` headers), or "bucket" (a token bucket
# over all clients, with no headers: a limit a client can only learn from its 429s).
RATE_LIMIT_MODELS = ("window", "bucket")


@dataclass
class ScriptedFault:
    """Fail the next `times` requests matching `method` and `path` (a route such as
    `/api/v2/analytics/segments/{id}`, or a concrete path); an empty matcher matches all.

    - `status`: answer `status` (with `Retry-After: retryAfter` on a 429) without processing,
      with `code` and `message` in the body when given (as a real API words a refusal);
    - `drop`: close the connection before processing;
    - `drop-after`: process the request, then close the connection without answering.
    """

    action: str
    method: str = ""
    path: str = ""
    status: int = 503
    times: int = 1
    retryAfter: int = 1
    code: str = "scripted.fault"
    message: str = ""

    def matches(self, method: str, path: str, route: str) -> bool:
        return (not self.method or self.method == method) and (
            not self.path or self.path in (path, route)
        )


@dataclass
class FaultSettings:
    latency_ms: int = 0
    rate_limit: int = 0  # requests per minute on /api/; 0: unlimited
    rate_limit_model: str = "window"  # one of RATE_LIMIT_MODELS
    error_rate: float = 0.0  # share of /api/ requests answered 503 without processing
    drop_rate: float = 0.0  # share of /api/ requests whose connection is dropped unprocessed
    index_delay: float = 0.0  # seconds a campaign's index rebuild takes
    index_failure_rate: float = 0.0  # share of index rebuilds that end `failed`
    stop_delay: float = 0.0  # seconds a stopped campaign stays `stopping` before it is `off`
    webhook_status: int = 200  # what the webhook receiver answers
    webhook_delay: float = 0.0  # seconds the webhook receiver waits before answering
    script: list[ScriptedFault] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return asdict(self)

    def updated(self, changes: Mapping[str, Any]) -> FaultSettings:
        """These settings with `changes` applied, validated as a whole."""
        known = {f.name for f in fields(self)}
        unknown = sorted(set(changes) - known)
        if unknown:
            raise bad_request(f"unknown fault setting '{unknown[0]}'", unknown[0], "field.unknown")
        merged = {**asdict(self), **changes}
        try:
            merged["script"] = [ScriptedFault(**s) for s in merged["script"]]
            settings = FaultSettings(**merged)
        except TypeError as exc:
            raise bad_request(f"invalid fault setting: {exc}", "script") from None
        settings.check()
        return settings

    def check(self) -> None:
        for name in ("error_rate", "drop_rate", "index_failure_rate"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or not 0 <= value <= 1:
                raise bad_request(f"{name} must be a share between 0 and 1", name)
        for name in ("latency_ms", "rate_limit", "index_delay", "webhook_delay", "stop_delay"):
            value = getattr(self, name)
            if not isinstance(value, int | float) or value < 0:
                raise bad_request(f"{name} must be a number of at least 0", name)
        if self.rate_limit_model not in RATE_LIMIT_MODELS:
            models = ", ".join(RATE_LIMIT_MODELS)
            raise bad_request(f"rate_limit_model must be one of {models}", "rate_limit_model")
        for index, fault in enumerate(self.script):
            if fault.action not in ACTIONS:
                raise bad_request(
                    f"script action must be one of {', '.join(ACTIONS)}",
                    f"script[{index}].action",
                )


class RateLimiter:
    """A token bucket: `per_minute` requests a minute, in bursts of up to a tenth of that
    (at least one), like a platform limit enforced over short windows."""

    def __init__(self, per_minute: int, clock: Callable[[], float]) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, per_minute / 10.0)
        self.tokens = self.capacity
        self.clock = clock
        self.updated = clock()

    def take(self, token: str) -> dict[str, str]:
        """Spend one token, or raise the 429 a client must wait out. The bucket reports
        nothing: no headers."""
        now = self.clock()
        self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1:
            self.tokens -= 1
            return {}
        raise too_many(max(1, math.ceil((1 - self.tokens) / self.rate)), {})


class WindowLimiter:
    """The platform's model: each token may send `per_minute` requests in a window of a
    minute that starts with its first request; every answer reports the budget."""

    WINDOW = 60.0

    def __init__(self, per_minute: int, clock: Callable[[], float]) -> None:
        self.allowed = per_minute
        self.clock = clock
        self.windows: dict[str, tuple[float, int]] = {}  # token -> (window end, requests)

    def take(self, token: str) -> dict[str, str]:
        """Count one request of `token`: the budget headers, or the 429 (with them) when the
        window's budget is spent."""
        now = self.clock()
        ends, used = self.windows.get(token, (0.0, 0))
        if now >= ends:
            ends, used = now + self.WINDOW, 0
        reset = max(1, math.ceil(ends - now))
        if used >= self.allowed:
            raise too_many(reset, self._headers(used, reset))
        self.windows[token] = (ends, used + 1)
        return self._headers(used + 1, reset)

    def _headers(self, used: int, reset: int) -> dict[str, str]:
        return {
            "inin-ratelimit-allowed": str(self.allowed),
            "inin-ratelimit-count": str(used),
            "inin-ratelimit-reset": str(reset),
        }


def too_many(wait: int, headers: dict[str, str]) -> ApiError:
    return ApiError(
        429,
        "too.many.requests.retry.after",
        f"Rate limit exceeded the maximum. Retry the request in [{wait}] seconds",
        headers={"Retry-After": str(wait), **headers},
    )
