"""Generic calls on the API's resources, and the few queries that are no resource kind;
callers pass and get plain data. Which paths and bodies a resource takes is its kind's to say.

Listings read every page: the first page says how many there are, the rest are fetched
concurrently, and the result is checked to hold each entity exactly once (a listing that moved
while it was read is read again).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import parse_qsl

from genesys_reconcile.genesys.errors import GenesysError
from genesys_reconcile.genesys.transport import Transport

Entity = dict[str, Any]
PAGE_SIZE = 100
_READS = 3  # how often a listing that keeps moving is read before giving up

QUEUES = "/api/v2/routing/queues"
USERS = "/api/v2/users"
ORGANIZATION = "/api/v2/organizations/me"
AGGREGATES = "/api/v2/analytics/conversations/aggregates/query"
DETAILS = "/api/v2/analytics/conversations/details/query"


@dataclass(frozen=True)
class Organization:
    """The org a token belongs to. Every org of a region shares one API URL: only the id says
    which org a plan, a cache entry or an audit run is about."""

    id: str
    name: str

    def __str__(self) -> str:
        return f"{self.name!r} (id {self.id})"


class GenesysClient:
    def __init__(self, transport: Transport, origin: str | None = None) -> None:
        self.transport = transport
        # Where the API is, for people to read (an embedded sandbox: its state file, since it
        # listens on a new port each run). Never an org's identity: see `organization`.
        self.origin = origin or transport.endpoints.api_url
        self._last = threading.local()  # each thread's last answer, for the audit trail
        self._organization: Organization | None = None
        self._organization_lock = threading.Lock()

    def last_answer(self) -> tuple[int, str] | None:
        """(status, correlation id) of this thread's last answered request."""
        answer = getattr(self._last, "answer", None)
        return (answer.status, answer.correlation_id) if answer else None

    def __enter__(self) -> GenesysClient:
        return self

    def __exit__(self, *exc: type[BaseException] | BaseException | TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        self.transport.close()

    def organization(self) -> Organization:
        """The org the credentials belong to, read once per client."""
        with self._organization_lock:
            if self._organization is None:
                data = self.get(ORGANIZATION)
                ident, name = data.get("id"), data.get("name")
                if not isinstance(ident, str) or not ident:
                    raise GenesysError("GET", ORGANIZATION, "the answer names no organization id")
                self._organization = Organization(ident, str(name or ""))
            return self._organization

    # -- resources: generic verbs; each kind knows its own paths and bodies -----------------

    def get(self, path: str) -> Entity:
        return self._call("GET", path)

    def create(self, path: str, body: Mapping[str, Any]) -> Entity:
        """POST a new resource. Never retried after an ambiguous failure: `AmbiguousWrite`
        then says it may exist, and the caller lists to find out."""
        return self._call("POST", path, body=body, idempotent=False)

    def update(
        self,
        method: str,
        path: str,
        body: Mapping[str, Any],
        params: Mapping[str, Any] | None = None,
    ) -> Entity:
        """PATCH some fields or PUT the whole resource; the body carries the live version, so
        a retry after a lost answer is refused rather than applied twice."""
        answer = self.transport.request(method, path, params=params, body=body, idempotent=True)
        self._last.answer = answer
        return answer.data if isinstance(answer.data, dict) else {}

    def command(self, path: str) -> None:
        """POST a command without a body (a campaign's start or stop). Repeating one leaves
        the resource as the first left it, so it is retried like a read."""
        self._last.answer = self.transport.request("POST", path, idempotent=True)

    def delete(self, path: str, params: Mapping[str, Any] | None = None) -> None:
        answer = self.transport.request("DELETE", path, params=params, idempotent=True)
        self._last.answer = answer

    # -- directory and analytics queries -----------------------------------------------------

    def list_queues(self) -> list[Entity]:
        return self.list_all(QUEUES)

    def list_users(self) -> list[Entity]:
        return self.list_all(USERS)

    def conversation_aggregates(self, query: Mapping[str, Any]) -> Entity:
        return self._call("POST", AGGREGATES, body=query)  # a query: safe to repeat

    def conversation_details(self, query: Mapping[str, Any]) -> Entity:
        """One page of conversations (the query's `paging` says which)."""
        return self._call("POST", DETAILS, body=query)

    def query(self, path: str, body: Mapping[str, Any]) -> Entity:
        """A POST that only reads, such as a filter preview: safe to repeat."""
        return self._call("POST", path, body=body)

    # -- plumbing ----------------------------------------------------------------------------

    def list_all(self, path: str) -> list[Entity]:
        """Every entity of a listing, each once, in the server's order."""
        for _ in range(_READS):
            first = self._page(path, 1)
            numbers = range(2, int(first.get("pageCount") or 1) + 1)
            pages = [first, *self._concurrently(lambda n: self._page(path, n), numbers)]
            entities = _consistent(pages)
            if entities is not None:
                return entities
        raise GenesysError("GET", path, f"the listing changed on each of {_READS} reads; try again")

    def _page(self, path: str, number: int) -> Entity:
        # A listing's own query (`?isActive=false`) goes along with the paging: an HTTP
        # client's params would replace it.
        route, _, query = path.partition("?")
        params = {**dict(parse_qsl(query)), "pageSize": PAGE_SIZE, "pageNumber": number}
        data = self.transport.request("GET", route, params=params, idempotent=True).data
        return data if isinstance(data, dict) else {}

    def _concurrently(self, fetch: Callable[[int], Entity], numbers: range) -> list[Entity]:
        if len(numbers) <= 1:
            return [fetch(n) for n in numbers]
        workers = min(self.transport.policy.concurrency, len(numbers))
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="page") as pool:
            return list(pool.map(fetch, numbers))

    def _call(self, method: str, path: str, body: Any = None, idempotent: bool = True) -> Entity:
        answer = self.transport.request(method, path, body=body, idempotent=idempotent)
        self._last.answer = answer
        return answer.data if isinstance(answer.data, dict) else {}


def _consistent(pages: list[Entity]) -> list[Entity] | None:
    """The pages' entities, or None when the listing moved between pages (totals differ, or
    an entity was seen twice or not at all)."""
    totals = {page.get("total") for page in pages}
    entities: list[Entity] = []
    seen: set[str] = set()
    for page in pages:
        for entity in page.get("entities", []):
            if entity.get("id") in seen:
                return None
            seen.add(entity.get("id"))
            entities.append(entity)
    if len(totals) != 1 or len(entities) != totals.pop():
        return None
    return entities
