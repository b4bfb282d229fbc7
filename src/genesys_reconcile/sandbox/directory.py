"""What the org holds that the reconciler reads but never writes: queues, users, wrap-up codes,
and the outbound contact lists, DNC lists and callable time sets its resources refer to.

Listings take the platform's `name` and `filterType` (default `Prefix`, as the platform's is:
`name=Spring` also finds "Spring Outreach 2").
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from genesys_reconcile.sandbox.errors import bad_request
from genesys_reconcile.sandbox.http import Handler, Org, Request, Response, page
from genesys_reconcile.sandbox.state import Entity, public

_MATCHES: dict[str, Callable[[str, str], bool]] = {
    "Equals": lambda name, wanted: name == wanted,
    "Prefix": lambda name, wanted: name.startswith(wanted),
    "BeginsWith": lambda name, wanted: name.startswith(wanted),
    "EndsWith": lambda name, wanted: name.endswith(wanted),
    "Contains": lambda name, wanted: wanted in name,
    "RegEx": lambda name, wanted: re.search(wanted, name) is not None,
    "LessThan": lambda name, wanted: name < wanted,
    "LessThanEqualTo": lambda name, wanted: name <= wanted,
    "GreaterThan": lambda name, wanted: name > wanted,
    "GreaterThanEqualTo": lambda name, wanted: name >= wanted,
}


def named(request: Request, entities: Sequence[Entity]) -> list[Entity]:
    """The entities a listing's `name` and `filterType` select (all, without `name`)."""
    wanted = request.query.get("name")
    kind = request.query.get("filterType", "Prefix")
    if kind not in _MATCHES:
        raise bad_request(f"filterType must be one of {', '.join(_MATCHES)}", "filterType")
    if wanted is None:
        return list(entities)
    try:
        return [e for e in entities if _MATCHES[kind](str(e.get("name", "")), wanted)]
    except re.error:
        raise bad_request(f"name is not a regular expression: {wanted}", "name") from None


def listing(collection: str) -> Handler:
    def handler(org: Org, request: Request) -> Response:
        return page(request, named(request, list(org.state.collection(collection).values())))

    return handler


def one(collection: str, what: str) -> Handler:
    def handler(org: Org, request: Request) -> Response:
        return Response(200, public(org.find(collection, request.params["id"], what)))

    return handler
