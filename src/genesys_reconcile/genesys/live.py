"""The org's live state, each listing read once per run and shared by every check."""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from genesys_reconcile.genesys.client import Entity, GenesysClient

T = TypeVar("T")


class LiveState:
    def __init__(self, client: GenesysClient) -> None:
        self.client = client
        self._derived: dict[Hashable, Any] = {}

    def memo(self, key: Hashable, make: Callable[[], T]) -> T:
        """Something derived from the listings (an index, a catalog), made once per run
        rather than once per resource."""
        if key not in self._derived:
            self._derived[key] = make()
        value: T = self._derived[key]
        return value

    @functools.cached_property
    def contact_lists(self) -> list[Entity]:
        return self.client.list_contact_lists()

    @functools.cached_property
    def campaigns(self) -> list[Entity]:
        return self.client.list_campaigns()

    @functools.cached_property
    def segments(self) -> list[Entity]:
        return self.client.list_segments()
