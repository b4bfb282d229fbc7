"""`ContactListFilter`: which contacts of one contact list an outbound campaign dials.

Manages: the filters at `/api/v2/outbound/contactlistfilters`, whole: name, contact list,
    how clauses are joined, and every clause and predicate.
Identity: the filter's `name`.
Writes: POST to create; a PUT of the whole filter as read, the file's fields over it, with the
    live `version` (read-modify-write: the API has no PATCH); DELETE. A stale write is
    assumed to be a 400 or 409 whose message says the version does not match (unverified);
    apply then reads the filter again and writes again only if the change still holds.
Settles: at once: the filter is ready when it reads back as written.
Options: none; column types come from the file's `columns:` or the contact list.

The file names its contact list; plan resolves the name to its id by exact match (an
ambiguous or missing name is a finding of `validate --online`), and the id is what the plan
shows and apply writes. The conditions' translation is in `filter_predicates`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, ClassVar

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import references
from genesys_reconcile.kinds.base import Kind, Selections, SpanT, no_options
from genesys_reconcile.kinds.filter_predicates import (
    clauses_of,
    column_types,
    condition_of,
    conditions_of,
    declared_types,
    predicate,
    shape_findings,
    type_findings,
)
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.settings import Settings

FILTERS = "/api/v2/outbound/contactlistfilters"
PREVIEW = f"{FILTERS}/preview"
CONTACT_LISTS = "/api/v2/outbound/contactlists"
_PREDICATE_FIELDS = ("column", "columnType", "operator", "value", "range")


class ContactListFilter(Kind):
    kind: ClassVar[str] = "ContactListFilter"
    schema_file: ClassVar[str] = "contact-list-filter.schema.json"
    identity_field: ClassVar[str] = "name"
    directory: ClassVar[str] = "outbound/filters"
    options_schema: ClassVar[Mapping[str, Any]] = no_options("ContactListFilter")
    collection: ClassVar[str] = FILTERS
    update_method: ClassVar[str] = "PUT"
    file_only: ClassVar[tuple[str, ...]] = ("kind", "description")
    managed: ClassVar[tuple[str, ...]] = (
        "name",
        "sourceType",
        "contactList",
        "filterType",
        "clauses",
    )

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        yield from shape_findings(data)
        yield from type_findings(data, column_types(data, None), unknown=False)

    def check_live(self, data: dict[str, Any], live: LiveState) -> Iterator[Finding]:
        name = data.get("contactList")
        yield from references.findings(live, ("contactList",), CONTACT_LISTS, name, "contact list")
        contact_list = references.one(live, CONTACT_LISTS, name)
        if contact_list is None:
            return
        columns = [str(c) for c in contact_list.get("columnNames", [])]
        known = f"its columns: {', '.join(columns)}"
        declared = data.get("columns")
        for column in declared if isinstance(declared, dict) else {}:
            if column not in columns:
                yield Finding(
                    ("columns", column),
                    f"contact list '{name}' has no column {column}; {known}",
                )
        for _, path, items in clauses_of(data):
            for condition in conditions_of(path, items):
                if condition.column not in columns:
                    yield Finding(
                        condition.at,
                        f"contact list '{name}' has no column {condition.column}; {known}",
                    )
        # Declared columns were checked offline; these are the list's types and the unknown.
        undeclared = {
            column: kind
            for column, kind in column_types({}, contact_list).items()
            if not (isinstance(declared, dict) and column in declared)
        }
        skipped = set(declared) if isinstance(declared, dict) else set()
        yield from type_findings(data, undeclared, unknown=True, skip=skipped)

    # -- planning ------------------------------------------------------------------------------

    def desired(self, data: dict[str, Any], live: LiveState) -> dict[str, Any]:
        reference = references.ref(live, CONTACT_LISTS, data["contactList"], "contact list")
        types = column_types(data, references.one(live, CONTACT_LISTS, data["contactList"]))
        return {
            "name": data["name"],
            "sourceType": "ContactList",
            "contactList": reference,
            "filterType": "OR" if data.get("match") == "any" else "AND",
            "clauses": [
                {
                    "filterType": joined,
                    "predicates": [predicate(c, types) for c in conditions_of(path, items)],
                }
                for joined, path, items in clauses_of(data)
            ],
        }

    def current(
        self, entity: dict[str, Any], desired: dict[str, Any] | None, live: LiveState
    ) -> dict[str, Any]:
        view = normalised(entity)
        return {k: v for k, v in view.items() if desired is None or k in desired}

    def impact(
        self,
        data: dict[str, Any],
        entity: dict[str, Any] | None,
        analytics: Selections[SpanT],
        window: SpanT,
        live: LiveState | None = None,
    ) -> str | None:
        """How many of the list's contacts the filter selects, and selected before: from the
        platform's preview of each body. Counts only; the preview's contact rows are never
        kept or shown."""
        if live is None:
            return None
        after = self.desired(data, live)
        before = normalised(entity) if entity is not None else None
        if before is not None and _selection(before) == _selection(after):
            return None  # the same list and conditions select the same contacts
        selected, total = _counted(analytics, after)
        line = f"selects {selected:,} of {total:,} contacts"
        if before is None:
            return line
        was, was_total = _counted(analytics, before)
        return f"{line} (was {was:,}{'' if was_total == total else f' of {was_total:,}'})"

    def canonical(self, data: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        return self.export(self.desired(data, live), live)

    def export(self, entity: dict[str, Any], live: LiveState) -> dict[str, Any] | None:
        view = normalised(entity)
        reference = entity.get("contactList")
        contact_list = live.memo((CONTACT_LISTS, "by id"), lambda: _by_id(live)).get(
            str(reference.get("id") if isinstance(reference, dict) else reference)
        )
        data: dict[str, Any] = {"kind": self.kind, "name": view["name"]}
        data["contactList"] = references.name_or_unresolved(live, CONTACT_LISTS, reference)
        predicates = [p for c in view["clauses"] for p in c["predicates"]]
        columns = declared_types(predicates, contact_list)
        if columns:
            data["columns"] = columns
        clauses = [
            {("any" if c["filterType"] == "OR" else "all"): _conditions(c)} for c in view["clauses"]
        ]
        if len(clauses) == 1 and view["filterType"] == "AND":
            return data | clauses[0]
        return data | {"match": "any" if view["filterType"] == "OR" else "all", "clauses": clauses}

    # -- applying ------------------------------------------------------------------------------

    def create(self, client: GenesysClient, data: dict[str, Any]) -> dict[str, Any]:
        # The contact list's id as the org has it now: apply planned again and found the same.
        return client.create(self.collection, self.desired(data, LiveState(client)))

    def update_body(
        self, entity: dict[str, Any], data: dict[str, Any], live: LiveState
    ) -> dict[str, Any]:
        return {**entity, **self.desired(data, live)}


def normalised(entity: Mapping[str, Any]) -> dict[str, Any]:
    """A filter as read, in the shape `desired` gives: the server's defaults filled, the
    contact list by id only, no server fields."""
    reference = entity.get("contactList")
    clauses = entity.get("clauses")
    return {
        "name": entity.get("name"),
        "sourceType": entity.get("sourceType") or "ContactList",
        "contactList": {"id": reference.get("id")} if isinstance(reference, dict) else reference,
        "filterType": entity.get("filterType") or "AND",
        "clauses": [
            _clause(c)
            for c in (clauses if isinstance(clauses, list) else [])
            if isinstance(c, dict)
        ],
    }


def _clause(clause: Mapping[str, Any]) -> dict[str, Any]:
    predicates = clause.get("predicates")
    return {
        "filterType": clause.get("filterType") or "AND",
        "predicates": [
            {k: p[k] for k in _PREDICATE_FIELDS if p.get(k) is not None}
            | {"inverted": bool(p.get("inverted", False))}
            for p in (predicates if isinstance(predicates, list) else [])
            if isinstance(p, dict)
        ],
    }


def _by_id(live: LiveState) -> dict[str, dict[str, Any]]:
    return {str(e.get("id")): e for e in live.listing(CONTACT_LISTS)}


def _conditions(clause: Mapping[str, Any]) -> list[dict[str, Any] | None]:
    return [condition_of(p) for p in clause["predicates"]]


def _selection(body: Mapping[str, Any]) -> tuple[Any, ...]:
    return (body.get("contactList"), body.get("filterType"), body.get("clauses"))


def _counted(analytics: Selections[SpanT], body: Mapping[str, Any]) -> tuple[int, int]:
    found = analytics.counts(PREVIEW, body, ("filteredContacts", "totalContacts"))
    return found["filteredContacts"], found["totalContacts"]
