"""Analytics answers in Redis, shared by every dashboard pointed at the same server.

Redis is a convenience, never a dependency of a page: any failure of it (refused, timed out,
gone mid-run) is a miss, so the page is made from live queries. The first failure is said once
on stderr; after it Redis rests for a while instead of costing every query a timeout, and is
tried again. Keys are the preview cache's hashes of the org id and the query; values are the
answers: never a credential.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import urlsplit

import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from genesys_reconcile.errors import ConfigError
from genesys_reconcile.redaction import redact, register
from genesys_reconcile.text_safety import visible

PREFIX = "genesys-reconcile:analytics:"
TIMEOUT = 2.0  # seconds for a connect or a command: a page waits this long at most for Redis
REST = 30.0  # seconds Redis is left alone after it failed
_FORMAT = 1

T = TypeVar("T")


def location(url: str) -> str:
    """Where the cache is, fit to print: the URL without its user and password."""
    try:
        parts = urlsplit(url)
        port = parts.port or 6379
    except ValueError:
        raise ConfigError(
            f"--cache {url.split('@')[-1]!r} is not a redis://HOST:PORT URL"
        ) from None
    database = parts.path.strip("/") or "0"
    return f"{parts.scheme}://{parts.hostname or 'localhost'}:{port}/{database}"


class RedisCache:
    def __init__(
        self,
        url: str,
        ttl: float,
        warn: Callable[[str], None],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.ttl = ttl
        self.where = location(url)
        password = urlsplit(url).password
        if password:
            register(password)  # kept out of every log line and message from here on
        try:
            self._redis = redis.Redis.from_url(
                url,
                socket_timeout=TIMEOUT,
                socket_connect_timeout=TIMEOUT,
                retry=Retry(NoBackoff(), 0),  # a failure is a miss at once; the rest retries
            )
        except ValueError as exc:
            raise ConfigError(f"--cache {self.where}: {visible(redact(str(exc)))}") from None
        self._warn = warn
        self._clock = clock
        self._lock = threading.Lock()
        self._resting_until: float | None = None
        self._warned = False
        self.hits = self.misses = 0

    def get(self, entry: str) -> Any:
        """The answer stored under `entry` (Redis expires it after the TTL), else None."""
        answer = _decoded(self._call(lambda: self._redis.get(PREFIX + entry)))
        if answer is None:
            self.misses += 1
        else:
            self.hits += 1
        return answer

    def put(self, entry: str, answer: Any) -> None:
        if self.ttl <= 0:
            return
        value = json.dumps({"format": _FORMAT, "answer": answer})
        milliseconds = max(1, int(self.ttl * 1000))
        self._call(lambda: self._redis.set(PREFIX + entry, value, px=milliseconds))

    def _call(self, command: Callable[[], T]) -> T | None:
        with self._lock:
            if self._resting_until is not None and self._clock() < self._resting_until:
                return None
        try:
            result = command()
        except redis.RedisError as exc:
            self._failed(exc)
            return None
        with self._lock:
            # Back again: a later outage is said again.
            self._resting_until, self._warned = None, False
        return result

    def _failed(self, exc: redis.RedisError) -> None:
        with self._lock:
            self._resting_until = self._clock() + REST
            if self._warned:
                return
            self._warned = True
        reason = visible(redact(str(exc) or type(exc).__name__))
        self._warn(
            f"warning: the Redis cache at {self.where} failed ({reason}); "
            "pages are made from live queries until it answers again"
        )


def _decoded(raw: Any) -> Any:
    if not isinstance(raw, bytes | str):
        return None
    try:
        stored = json.loads(raw)
        return stored["answer"] if stored["format"] == _FORMAT else None
    except (ValueError, KeyError, TypeError):
        return None
