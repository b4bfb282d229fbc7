"""Contact list filters: `/api/v2/outbound/contactlistfilters`, and their preview.

A filter is written whole (PUT, with the live `version`; a stale one is a 400 whose message
says the version does not match, as outbound PUTs are assumed to answer). The server fills
what a body leaves out: `sourceType` ContactList, `filterType` AND on the filter and on each
clause, `inverted` false on each predicate; and it reads the contact list back as
`{id, name, selfUri}`. The body checks are in `filter_checks`, the contacts and how a filter
selects them in `contacts`.
"""

from __future__ import annotations

import copy
from typing import Any

from genesys_reconcile.sandbox import contacts, directory
from genesys_reconcile.sandbox.errors import bad_request
from genesys_reconcile.sandbox.filter_checks import checked, unbound, unique
from genesys_reconcile.sandbox.http import (
    Org,
    Request,
    Response,
    body_object,
    page,
    reject_unknown,
)
from genesys_reconcile.sandbox.state import Entity, public

BASE = "/api/v2/outbound/contactlistfilters"
COLLECTION = "contactListFilters"
PREVIEW_ROWS = 10


def list_filters(org: Org, request: Request) -> Response:
    found = directory.named(request, list(org.state.contactListFilters.values()))
    wanted = request.query.get("contactListId")
    if wanted is not None:
        found = [f for f in found if f.get("contactList", {}).get("id") == wanted]
    return page(request, found)


def get_filter(org: Org, request: Request) -> Response:
    return Response(200, public(_found(org, request)))


def create_filter(org: Org, request: Request) -> Response:
    body = body_object(request)
    contact_list, clauses = checked(org, body)
    unique(org, body["name"])
    ident = org.new_id()
    made = {
        "id": ident,
        "name": body["name"],
        "version": 1,
        "dateCreated": org.timestamp(),
        "dateModified": org.timestamp(),
        "selfUri": f"{BASE}/{ident}",
        **_content(body, contact_list, clauses),
    }
    org.state.contactListFilters[ident] = made
    org.changed = True
    return Response(200, public(made))


def put_filter(org: Org, request: Request) -> Response:
    existing = _found(org, request)
    body = body_object(request)
    version = body.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise bad_request(
            "version is required: the version this change is based on", "version", "field.required"
        )
    contact_list, clauses = checked(org, body)
    if version != existing["version"]:
        raise bad_request(
            f"The version number {version} does not match the current version "
            f"{existing['version']} of contact list filter {existing['id']}",
            "version",
            "version.mismatch",
        )
    unique(org, body["name"], existing["id"])
    kept = {k: existing[k] for k in ("id", "dateCreated", "selfUri")}
    existing.clear()
    existing.update(
        kept,
        name=body["name"],
        version=version + 1,
        dateModified=org.timestamp(),
        **_content(body, contact_list, clauses),
    )
    org.changed = True
    return Response(200, public(existing))


def delete_filter(org: Org, request: Request) -> Response:
    existing = _found(org, request)
    unbound(org, existing)
    del org.state.contactListFilters[existing["id"]]
    org.changed = True
    return Response(204)


def bulk_retrieve(org: Org, request: Request) -> Response:
    body = body_object(request)
    reject_unknown(body, {"ids"})
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise bad_request("ids is required: a list of filter ids", "ids", "field.required")
    found = [
        public(org.state.contactListFilters[i]) for i in ids if i in org.state.contactListFilters
    ]
    listing = {
        "entities": found,
        "pageSize": len(found),
        "pageNumber": 1,
        "total": len(found),
        "pageCount": 1,
    }
    return Response(200, listing)


def preview(org: Org, request: Request) -> Response:
    """How many of the list's contacts the filter selects, and the first few of them."""
    body = body_object(request)
    contact_list, clauses = checked(org, body, named=False)
    content = _content(body, contact_list, clauses)
    everyone = contacts.contacts_of(org.seed, contact_list, org.now)
    chosen = [c for c in everyone if contacts.selects(content, c["data"], org.now)]
    answer = {
        "filteredContacts": len(chosen),
        "totalContacts": len(everyone),
        "preview": [{**copy.deepcopy(c), "callable": True} for c in chosen[:PREVIEW_ROWS]],
    }
    return Response(200, answer)


def _found(org: Org, request: Request) -> Entity:
    return org.find(COLLECTION, request.params["id"], "contact list filter")


def _content(body: dict[str, Any], contact_list: Entity, clauses: list[Any]) -> dict[str, Any]:
    """The filter's fields as the server keeps them: defaults filled, the list enriched."""
    return {
        "sourceType": body.get("sourceType", "ContactList"),
        "contactList": {
            "id": contact_list["id"],
            "name": contact_list["name"],
            "selfUri": contact_list["selfUri"],
        },
        "filterType": body.get("filterType", "AND"),
        "clauses": [
            {
                "filterType": clause.get("filterType", "AND"),
                "predicates": [
                    {**copy.deepcopy(p), "inverted": p.get("inverted", False)}
                    for p in clause["predicates"]
                ],
            }
            for clause in clauses
        ],
    }
