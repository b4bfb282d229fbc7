"""How fast requests go out: as fast as the budget the platform reports allows, or, where it
reports none, below the limit it is known to have.

The platform answers every request with the budget of the token in its window:
`inin-ratelimit-allowed` (requests a window allows), `inin-ratelimit-count` (used so far) and
`inin-ratelimit-reset` (seconds until the window ends). A run spends that budget at full speed
and, once it is spent, waits for the window to end instead of meeting a 429. The allowance
varies between orgs and endpoints, so it is read, never assumed. Without those headers, a token
bucket keeps requests below a fixed rate.

One pacer is shared by all threads of a run: requests answered so far and requests in flight
together must stay within the budget.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass

Clock = Callable[[], float]
Sleep = Callable[[float], None]
_POLL = 0.01  # seconds between looks while the budget waits on answers in flight
# A window end later than the one known by more than this is a new window (ends are whole
# seconds, rounded up, and reach us after a network delay).
_SAME_WINDOW = 2.0


class Bucket:
    """A token bucket shared by all threads. A caller reserves its token at once and sleeps
    outside the lock until it is due, so waits are fair and never serialised."""

    def __init__(self, per_minute: float, clock: Clock, sleep: Sleep) -> None:
        self.rate = per_minute / 60.0
        self.capacity = max(1.0, self.rate * 2)  # at most two seconds' worth at once
        self.tokens = self.capacity
        self.clock, self.sleep = clock, sleep
        self.updated = clock()
        self.lock = threading.Lock()

    def acquire(self) -> None:
        with self.lock:
            now = self.clock()
            self.tokens = min(self.capacity, self.tokens + (now - self.updated) * self.rate)
            self.updated = now
            self.tokens -= 1
            wait = -self.tokens / self.rate if self.tokens < 0 else 0.0
        if wait > 0:
            self.sleep(wait)


@dataclass(frozen=True)
class Budget:
    allowed: int
    count: int
    reset: float  # seconds

    @classmethod
    def reported(cls, headers: Mapping[str, str]) -> Budget | None:
        """The budget an answer reports; None when it reports none (or nothing readable)."""
        try:
            allowed, count, reset = (
                headers[f"inin-ratelimit-{name}"] for name in ("allowed", "count", "reset")
            )
            return cls(int(allowed), int(count), float(reset))
        except (KeyError, ValueError):
            return None


class Pacer:
    def __init__(self, per_minute: float, clock: Clock, sleep: Sleep) -> None:
        self.bucket = Bucket(per_minute, clock, sleep)
        self.clock, self.sleep = clock, sleep
        self.lock = threading.Lock()
        self.allowed: int | None = None  # the window's allowance, while a window is known
        self.used = 0  # of it, as last reported
        self.ends = 0.0  # when the window ends, on our clock (never earlier than the server's)
        self.in_flight = 0  # requests sent whose answer has not been seen

    def acquire(self) -> None:
        """Wait until a request may go out; every `acquire` is followed by one `answered`."""
        while True:
            with self.lock:
                wait = self._wait()
                if wait == 0.0:
                    self.in_flight += 1
                    return
            if wait is None:  # no budget known: the bucket's pace
                self.bucket.acquire()
                with self.lock:
                    self.in_flight += 1
                return
            self.sleep(wait)

    def _wait(self) -> float | None:
        """0 to go now, seconds to wait for the budget, None when no budget is known."""
        if self.allowed is None:
            return None
        now = self.clock()
        if now >= self.ends:  # the window ended: the next answer reports the new one
            self.allowed, self.used = None, 0
            return None
        if self.used + self.in_flight < self.allowed:
            return 0.0
        return self.ends - now if self.in_flight == 0 else min(_POLL, self.ends - now)

    def answered(self, headers: Mapping[str, str] | None) -> None:
        """A request's answer arrived (`headers`), or it never will (None)."""
        budget = Budget.reported(headers) if headers is not None else None
        with self.lock:
            self.in_flight -= 1
            if budget is None:
                return
            ends = self.clock() + budget.reset
            if self.allowed is None or ends > self.ends + _SAME_WINDOW:
                self.used, self.ends = budget.count, ends
            else:
                self.used, self.ends = max(self.used, budget.count), min(self.ends, ends)
            self.allowed = budget.allowed
