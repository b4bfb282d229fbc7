"""The org's live state, each listing read once per run and shared by every check."""

from __future__ import annotations

import functools

from genesys_reconcile.genesys.client import Entity, GenesysClient


class LiveState:
    def __init__(self, client: GenesysClient) -> None:
        self.client = client

    @functools.cached_property
    def contact_lists(self) -> list[Entity]:
        return self.client.list_contact_lists()

    @functools.cached_property
    def campaigns(self) -> list[Entity]:
        return self.client.list_campaigns()

    @functools.cached_property
    def segments(self) -> list[Entity]:
        return self.client.list_segments()
