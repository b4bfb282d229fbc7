"""What the platform refuses in a contact list filter's body, each a 400 naming the field.

The fields and enums are the SDK's (`ContactListFilter`, `ContactListFilterClause`,
`ContactListFilterPredicate`, `ContactListFilterRange`). The platform itself is lenient (it
saves inconsistent predicates); the sandbox refuses them, so that the reconciler's own checks
are proven to come first. That a column must be one of the list's is inferred from the SDK's
description of `column`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from genesys_reconcile.sandbox.errors import ApiError, bad_request
from genesys_reconcile.sandbox.http import Org, reject_unknown
from genesys_reconcile.sandbox.state import Entity

SERVER_FIELDS = {"id", "dateCreated", "dateModified", "selfUri"}
FILTER_FIELDS = {
    "name",
    "version",
    "contactList",
    "contactListTemplate",
    "sourceType",
    "clauses",
    "filterType",
} | SERVER_FIELDS
CLAUSE_FIELDS = {"filterType", "predicates"}
PREDICATE_FIELDS = {"column", "columnType", "operator", "value", "range", "inverted"}
RANGE_FIELDS = {"min", "max", "minInclusive", "maxInclusive", "inSet"}
REF_FIELDS = {"id", "name", "selfUri"}
FILTER_TYPES = ("AND", "OR")
SOURCE_TYPES = ("ContactList", "ContactListTemplate")
COLUMN_TYPES = ("numeric", "alphabetic")
OPERATORS = (
    "EQUALS",
    "LESS_THAN",
    "LESS_THAN_EQUALS",
    "GREATER_THAN",
    "GREATER_THAN_EQUALS",
    "CONTAINS",
    "BEGINS_WITH",
    "ENDS_WITH",
    "BEFORE",
    "AFTER",
    "BETWEEN",
    "IN",
)
MAX_PREDICATES = 10  # "a maximum of 10 conditions on a contact list filter"


def checked(org: Org, body: Mapping[str, Any], *, named: bool = True) -> tuple[Entity, Any]:
    """The filter's contact list and clauses, once the body passes every check; `named` False
    for a preview, which need not carry a name."""
    reject_unknown(body, FILTER_FIELDS)
    name = body.get("name")
    if named and (not isinstance(name, str) or not name.strip()):
        raise bad_request("name is required", "name", "field.required")
    if name is not None and not isinstance(name, str):
        raise bad_request("name must be text", "name")
    _enum(body, "filterType", FILTER_TYPES, "filterType")
    _enum(body, "sourceType", SOURCE_TYPES, "sourceType")
    if body.get("sourceType", "ContactList") != "ContactList":
        raise bad_request(
            "sourceType ContactListTemplate is not supported here: no contact list templates "
            "exist in this org",
            "sourceType",
        )
    contact_list = _contact_list(org, body.get("contactList"))
    clauses = body.get("clauses")
    if not isinstance(clauses, list) or not clauses:
        raise bad_request("clauses must hold at least one clause", "clauses", "field.required")
    columns = set(contact_list.get("columnNames", []))
    count = 0
    for index, clause in enumerate(clauses):
        count += _clause(clause, f"clauses[{index}]", columns, contact_list["name"])
    if count > MAX_PREDICATES:
        raise bad_request(
            f"the filter holds {count} predicates; at most {MAX_PREDICATES} are allowed",
            "clauses",
            "predicates.limit.exceeded",
        )
    return contact_list, clauses


def _contact_list(org: Org, reference: Any) -> Entity:
    if not isinstance(reference, dict) or not isinstance(reference.get("id"), str):
        raise bad_request(
            "contactList is required when sourceType is ContactList",
            "contactList",
            "field.required",
        )
    reject_unknown(reference, REF_FIELDS, "contactList.")
    found = org.state.contactLists.get(reference["id"])
    if found is None:
        raise bad_request(
            f"contact list {reference['id']} not found", "contactList.id", "contactlist.not.found"
        )
    return found


def _clause(clause: Any, where: str, columns: set[str], list_name: str) -> int:
    if not isinstance(clause, dict):
        raise bad_request("a clause must be an object", where)
    reject_unknown(clause, CLAUSE_FIELDS, f"{where}.")
    _enum(clause, "filterType", FILTER_TYPES, f"{where}.filterType")
    predicates = clause.get("predicates")
    if not isinstance(predicates, list) or not predicates:
        raise bad_request(
            "a clause must hold at least one predicate", f"{where}.predicates", "field.required"
        )
    for index, predicate in enumerate(predicates):
        _predicate(predicate, f"{where}.predicates[{index}]", columns, list_name)
    return len(predicates)


def _predicate(predicate: Any, where: str, columns: set[str], list_name: str) -> None:
    if not isinstance(predicate, dict):
        raise bad_request("a predicate must be an object", where)
    reject_unknown(predicate, PREDICATE_FIELDS, f"{where}.")
    column = predicate.get("column")
    if not isinstance(column, str) or not column:
        raise bad_request("column is required", f"{where}.column", "field.required")
    if column not in columns:
        raise bad_request(
            f"column {column} is not a column of contact list '{list_name}'",
            f"{where}.column",
            "column.not.found",
        )
    _enum(predicate, "columnType", COLUMN_TYPES, f"{where}.columnType")
    _enum(predicate, "operator", OPERATORS, f"{where}.operator")
    operator = predicate.get("operator")
    if operator is None:
        raise bad_request("operator is required", f"{where}.operator", "field.required")
    if "inverted" in predicate and not isinstance(predicate["inverted"], bool):
        raise bad_request("inverted must be true or false", f"{where}.inverted")
    _operands(predicate, str(operator), where)


def _operands(predicate: Mapping[str, Any], operator: str, where: str) -> None:
    bounds = predicate.get("range")
    if bounds is not None:
        if not isinstance(bounds, dict):
            raise bad_request("range must be an object", f"{where}.range")
        reject_unknown(bounds, RANGE_FIELDS, f"{where}.range.")
    if operator == "BETWEEN":
        for key in ("min", "max"):
            if not isinstance((bounds or {}).get(key), str):
                raise bad_request(
                    f"range.{key} is required for BETWEEN", f"{where}.range.{key}", "field.required"
                )
    elif operator == "IN":
        chosen = (bounds or {}).get("inSet")
        if (
            not isinstance(chosen, list)
            or not chosen
            or not all(isinstance(v, str) for v in chosen)
        ):
            raise bad_request(
                "range.inSet is required for IN: a list of values",
                f"{where}.range.inSet",
                "field.required",
            )
    elif not isinstance(predicate.get("value"), str):
        raise bad_request(f"value is required for {operator}", f"{where}.value", "field.required")


def _enum(body: Mapping[str, Any], key: str, allowed: tuple[str, ...], where: str) -> None:
    if key in body and body[key] not in allowed:
        raise bad_request(f"{key} must be one of {', '.join(allowed)}", where)


def unique(org: Org, name: str, ident: str | None = None) -> None:
    """Names of filters are kept unique: a second filter of one name is a 409."""
    for other in org.state.named("contactListFilters", name):
        if other["id"] != ident:
            raise ApiError(
                409,
                "duplicate.name",
                f"A contact list filter named '{name}' already exists",
                [{"fieldName": "name", "errorCode": "duplicate.name"}],
            )


def unbound(org: Org, contact_filter: Entity) -> None:
    """A filter a campaign still uses cannot be deleted: the campaign is named."""
    for campaign in org.state.campaigns.values():
        refs = campaign.get("contactListFilters", [])
        if any(isinstance(r, dict) and r.get("id") == contact_filter["id"] for r in refs):
            raise bad_request(
                f"contact list filter '{contact_filter['name']}' is used by campaign "
                f"'{campaign['name']}' ({campaign['id']}); remove it from the campaign first",
                "id",
                "filter.in.use",
            )
