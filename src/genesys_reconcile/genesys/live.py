"""The org's live state, each listing read once per run and shared by every check."""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from genesys_reconcile.genesys.client import Entity, GenesysClient

T = TypeVar("T")


class LiveState:
    def __init__(self, client: GenesysClient) -> None:
        self.client = client
        self._derived: dict[Hashable, Any] = {}
        self._listings: dict[str, list[Entity]] = {}
        self._lock = threading.Lock()

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """Something derived from the listings (an index, a catalog), made once per run
        rather than once per resource."""
        if key not in self._derived:
            self._derived[key] = make()
        value: T = self._derived[key]
        return value

    def listing(self, path: str) -> list[Entity]:
        """Every entity of a collection (`/api/v2/...`), read once per run."""
        # Held while reading, so that threads asking for one listing at once read it once.
        with self._lock:
            if path not in self._listings:
                self._listings[path] = self.client.list_all(path)
            return self._listings[path]
