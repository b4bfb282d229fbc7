"""Routing: the platform API the sandbox serves, from method and path template to handler,
and what a request addresses.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from genesys_reconcile.sandbox import (
    campaigns,
    contact_filters,
    directory,
    journey,
    outbound,
    rule_sets,
    segments,
    state,
)
from genesys_reconcile.sandbox.analytics import Analytics
from genesys_reconcile.sandbox.http import Handler, Org, Request, Response


@dataclass(frozen=True)
class Route:
    method: str
    template: str
    handler: Handler
    # The demo extension (`/api/v2/analytics/segments`, `/api/v2/outbound/lists`): served by
    # the demo org, absent when the sandbox serves only what the real platform serves.
    extension: bool = False
    pattern: re.Pattern[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", self.template) + r"\Z"
        object.__setattr__(self, "pattern", re.compile(regex))


Names = tuple[tuple[str, str], ...]


@functools.lru_cache(maxsize=4)
def _engine(seed: int, queues: Names, users: Names, campaigns: Names) -> Analytics:
    # Kept between requests: the engine caches the days of conversations it generated.
    def entities(names: Names) -> list[dict[str, str]]:
        return [{"id": ident, "name": name} for ident, name in names]

    return Analytics(seed, entities(queues), entities(users), entities(campaigns))


def _analytics(query: str) -> Handler:
    def handler(org: Org, request: Request) -> Response:
        names = [
            tuple((e["id"], e["name"]) for e in org.state.collection(c).values())
            for c in ("queues", "users", "campaigns")
        ]
        engine = _engine(org.seed, *names)
        return Response(200, getattr(engine, query)(request.body or {}))

    return handler


def _organization(org: Org, _: Request) -> Response:
    return Response(200, state.public(org.state.organization))


def _read_only(path: str, collection: str, what: str) -> tuple[Route, Route]:
    return (
        Route("GET", path, directory.listing(collection)),
        Route("GET", path + "/{id}", directory.one(collection, what)),
    )


CAMPAIGNS = "/api/v2/outbound/campaigns"
API_ROUTES = (
    Route("GET", segments.BASE, segments.list_segments, extension=True),
    Route("POST", segments.BASE, segments.create_segment, extension=True),
    Route("GET", segments.BASE + "/{id}", segments.get_segment, extension=True),
    Route("PATCH", segments.BASE + "/{id}", segments.patch_segment, extension=True),
    Route("DELETE", segments.BASE + "/{id}", segments.delete_segment, extension=True),
    Route("GET", "/api/v2/outbound/lists", outbound.list_lists, extension=True),
    Route("GET", "/api/v2/outbound/lists/{id}", outbound.get_list, extension=True),
    *_read_only("/api/v2/outbound/contactlists", "contactLists", "contact list"),
    *_read_only("/api/v2/outbound/dnclists", "dncLists", "DNC list"),
    *_read_only("/api/v2/outbound/callabletimesets", "callableTimeSets", "callable time set"),
    *_read_only("/api/v2/routing/wrapupcodes", "wrapupCodes", "wrap-up code"),
    Route("GET", contact_filters.BASE, contact_filters.list_filters),
    Route("POST", contact_filters.BASE, contact_filters.create_filter),
    Route("POST", contact_filters.BASE + "/preview", contact_filters.preview),
    Route("POST", contact_filters.BASE + "/bulk/retrieve", contact_filters.bulk_retrieve),
    Route("GET", contact_filters.BASE + "/{id}", contact_filters.get_filter),
    Route("PUT", contact_filters.BASE + "/{id}", contact_filters.put_filter),
    Route("DELETE", contact_filters.BASE + "/{id}", contact_filters.delete_filter),
    Route("GET", rule_sets.BASE, rule_sets.list_rule_sets),
    Route("POST", rule_sets.BASE, rule_sets.create_rule_set),
    Route("GET", rule_sets.BASE + "/{id}", rule_sets.get_rule_set),
    Route("PUT", rule_sets.BASE + "/{id}", rule_sets.put_rule_set),
    Route("DELETE", rule_sets.BASE + "/{id}", rule_sets.delete_rule_set),
    Route("GET", journey.BASE, journey.list_segments),
    Route("POST", journey.BASE, journey.create_segment),
    Route("GET", journey.BASE + "/{id}", journey.get_segment),
    Route("PATCH", journey.BASE + "/{id}", journey.patch_segment),
    Route("DELETE", journey.BASE + "/{id}", journey.delete_segment),
    Route("GET", CAMPAIGNS, campaigns.list_campaigns),
    Route("GET", CAMPAIGNS + "/{id}", campaigns.get_campaign),
    Route("PUT", CAMPAIGNS + "/{id}", campaigns.put_campaign),
    # The real PATCH in both APIs; with `demo`, also the extension's segmentation PATCH.
    Route("PATCH", CAMPAIGNS + "/{id}", campaigns.patch_campaign),
    Route("POST", CAMPAIGNS + "/{id}/start", campaigns.start_campaign),
    Route("POST", CAMPAIGNS + "/{id}/stop", campaigns.stop_campaign),
    Route("GET", CAMPAIGNS + "/{id}/progress", campaigns.progress),
    Route("GET", "/api/v2/organizations/me", _organization),
    Route("GET", "/api/v2/routing/queues", directory.listing("queues")),
    Route("GET", "/api/v2/users", directory.listing("users")),
    Route("POST", "/api/v2/analytics/conversations/aggregates/query", _analytics("aggregates")),
    Route("POST", "/api/v2/analytics/conversations/details/query", _analytics("details")),
)
TOKEN_ROUTE = "/oauth/token"  # noqa: S105 (a path, not a password)


@dataclass(frozen=True)
class Target:
    """What a request addresses, found once for the journal and the dispatch."""

    name: str  # the route's template, as the journal counts it; else the path itself
    route: Route | None  # the route serving this method, if any
    params: dict[str, str]
    known_path: bool  # some route serves this path (with another method: 405, not 404)


def target_of(method: str, path: str, api: str = "demo") -> Target:
    """What `method path` addresses; with `api` "genesys", only what the real platform serves."""
    if path == TOKEN_ROUTE:
        return Target(path, None, {}, False)
    name, known = path, False
    for route in API_ROUTES:
        if route.extension and api == "genesys":
            continue
        found = route.pattern.match(path)
        if found and route.method == method:
            return Target(route.template, route, found.groupdict(), True)
        if found and not known:
            name, known = route.template, True
    return Target(name, None, {}, known)
