"""Analytics answers kept on disk for a while, keyed by a hash of the org and the query.

Analytics queries are the slowest calls a preview makes and their answers change slowly, so a
reviewer re-running a preview (or a plan's impact lines) within the TTL sends nothing. One JSON
file per query (and tool version) under `.reconcile/cache/analytics/`; a file that is
unreadable, foreign or stale is a miss and is overwritten. Entries hold only the query and its
answer: never a credential.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Protocol

from genesys_reconcile import __version__
from genesys_reconcile.files import write_atomically

DIRECTORY = Path(".reconcile/cache/analytics")
DEFAULT_TTL = 30 * 60.0  # seconds; analytics for past hours do not change, the last hour does
_FORMAT = 1


def key(org_id: str, path: str, body: Mapping[str, Any]) -> str:
    # The org by id, never by URL: every org of a region shares one. The version too: a new
    # release may answer differently (the sandbox's synthetic data, say).
    parts = [__version__, org_id, path, body]
    canonical = json.dumps(parts, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


class AnswerCache(Protocol):
    """Where analytics answers are kept for `ttl` seconds: on disk (`Cache`) or in a shared
    store, such as the dashboard's Redis. A miss is None; a store that fails is a miss."""

    ttl: float

    def get(self, entry: str) -> Any: ...

    def put(self, entry: str, answer: Any) -> None: ...


def fetch(cache: AnswerCache, entry: str, compute: Callable[[], Any]) -> Any:
    """The cached answer, or `compute()`'s, stored for next time."""
    answer = cache.get(entry)
    if answer is None:
        answer = compute()
        cache.put(entry, answer)
    return answer


class Cache:
    def __init__(
        self, directory: Path, ttl: float = DEFAULT_TTL, clock: Callable[[], float] = time.time
    ) -> None:
        self.directory = directory
        self.ttl = ttl
        self._clock = clock
        self.hits = self.misses = 0

    def get(self, entry: str) -> Any:
        """The answer stored under `entry` if it is younger than the TTL, else None."""
        try:
            stored = json.loads((self.directory / f"{entry}.json").read_text(encoding="utf-8"))
            fresh = stored["format"] == _FORMAT and self._clock() - stored["storedAt"] < self.ttl
        except (OSError, ValueError, KeyError, TypeError):
            fresh = False
        if not fresh:
            self.misses += 1
            return None
        self.hits += 1
        return stored["answer"]

    def put(self, entry: str, answer: Any) -> None:
        stored = {"format": _FORMAT, "storedAt": self._clock(), "answer": answer}
        write_atomically(self.directory / f"{entry}.json", json.dumps(stored))
