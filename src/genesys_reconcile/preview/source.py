"""The org's analytics as the preview reads it: name lookups and (cached) queries."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from genesys_reconcile.errors import ReconcileError
from genesys_reconcile.genesys.client import AGGREGATES, DETAILS, GenesysClient
from genesys_reconcile.preview.cache import AnswerCache, fetch, key
from genesys_reconcile.preview.query import (
    NeedsDetails,
    Window,
    aggregates_body,
    detail_filters,
    pieces,
    terms,
)


class Analytics:
    """The org as the preview reads it: name lookups (once per run) and cached queries."""

    def __init__(
        self, client: GenesysClient, cache: AnswerCache | None = None, budget: int | None = None
    ) -> None:
        self.client = client
        self.cache = cache
        self.budget = budget  # queries this reader may still send; None: no limit
        self._allowed = budget
        self._lookups: dict[str, dict[str, str]] = {}

    def lookup(self, what: str) -> Mapping[str, str]:
        """Names to ids for "queues" or "users"."""
        if what not in self._lookups:
            listing = self.client.list_queues if what == "queues" else self.client.list_users
            self._lookups[what] = {str(e["name"]): str(e["id"]) for e in listing()}
        return self._lookups[what]

    def queue_names(self) -> dict[str, str]:
        return {ident: name for name, ident in self.lookup("queues").items()}

    def aggregates(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._query(AGGREGATES, body, self.client.conversation_aggregates)

    def details(self, body: Mapping[str, Any]) -> dict[str, Any]:
        return self._query(DETAILS, body, self.client.conversation_details)

    def matched(self, query: Mapping[str, Any], window: Window, where: Callable[[int], str]) -> int:
        """How many conversations a segment query selects in `window`: one ungrouped query for
        one count, with no granularity, so the answer is a single bucket. What the aggregates
        query cannot count (see `NeedsDetails`), the details query counts: its total hits."""
        found = terms(query, self.lookup, where)
        try:
            body = aggregates_body(query, found, window)
        except NeedsDetails:
            return self._hits(detail_filters(query, found), window)
        del body["granularity"]
        body["groupBy"] = []
        if "views" not in body:
            body["metrics"] = ["nOffered"]
        answer = self.aggregates(body)
        entries = [e for r in answer.get("results", []) for e in r.get("data", [])]
        if "views" in body:
            return sum(int(v["stats"]["count"]) for e in entries for v in e.get("views", []))
        return sum(
            int(m["stats"]["count"])
            for e in entries
            for m in e.get("metrics", [])
            if m.get("metric") == "nOffered"
        )

    def _hits(self, filters: Mapping[str, Any], window: Window) -> int:
        hits = 0
        for piece in pieces(window):
            body = {"interval": piece.interval, **filters, "paging": {"pageSize": 1}}
            hits += int(self.details(body).get("totalHits", 0))
        return hits

    def counts(self, path: str, body: Mapping[str, Any], fields: Sequence[str]) -> dict[str, int]:
        """The whole-number `fields` of a reading POST's answer, cached like a query; the rest
        of the answer (a filter preview's contact rows) is dropped before anything keeps it."""

        def send(query: Mapping[str, Any]) -> dict[str, int]:
            answer = self.client.query(path, query)
            return {name: int(answer.get(name) or 0) for name in fields}

        return self._query(path, body, send)

    def _query(
        self, path: str, body: Mapping[str, Any], send: Callable[[Mapping[str, Any]], Any]
    ) -> dict[str, Any]:
        if self.cache is None:
            return self._send(send, body)
        entry = key(self.client.organization().id, path, body)
        answer: dict[str, Any] = fetch(self.cache, entry, lambda: self._send(send, body))
        return answer

    def _send(
        self, send: Callable[[Mapping[str, Any]], Any], body: Mapping[str, Any]
    ) -> dict[str, Any]:
        if self.budget is not None:
            if self.budget <= 0:
                raise BudgetSpent(f"this run's {self._allowed} analytics queries are spent")
            self.budget -= 1
        answer: dict[str, Any] = send(body)
        return answer


class BudgetSpent(ReconcileError):
    """The reader sent as many queries as it was allowed."""
