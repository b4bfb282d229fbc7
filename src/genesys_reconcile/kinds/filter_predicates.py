"""A contact list filter's conditions: the file's `column: {op: value}` and the API's
predicates, each way, and which operators fit which column type.

A file writes `age: {between: [25, 55]}`; the API takes `{column: age, columnType: numeric,
operator: BETWEEN, range: {min: "25", max: "55", minInclusive: true, maxInclusive: true},
inverted: false}`. Numbers are numbers in the file and strings on the wire, as every contact
value is a string on the platform. `not: {...}` inverts one predicate: the API has no NOT over
a clause.

Column types are the file's (`columns: {age: number}`), else the contact list's
`columnDataTypeSpecifications` (NUMERIC is a number, TEXT text, DATETIME and TIMESTAMP a
date), else unknown: compared as text, and numeric operators are refused. A date column takes
only `before`/`after` with a relative time (`30d ago`); their `columnType` on the wire is
`alphabetic`, as the platform's examples show (unverified).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Set
from dataclasses import dataclass
from typing import Any

from genesys_reconcile.kinds.base import contact_number, contact_text, is_number
from genesys_reconcile.kinds.relative_time import to_period, to_words
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.manifest.yaml import JsonPath

MAX_PREDICATES = 10  # "a maximum of 10 conditions on a contact list filter" (Resource Center)
OPERATORS = {
    "equals": "EQUALS",
    "gt": "GREATER_THAN",
    "gte": "GREATER_THAN_EQUALS",
    "lt": "LESS_THAN",
    "lte": "LESS_THAN_EQUALS",
    "between": "BETWEEN",
    "in": "IN",
    "contains": "CONTAINS",
    "beginsWith": "BEGINS_WITH",
    "endsWith": "ENDS_WITH",
    "before": "BEFORE",
    "after": "AFTER",
}
# Which operators each column type takes (the Resource Center's Text, Numeric and Relative
# Time conditions); an unknown type is compared as text.
FITTING = {
    "number": {"equals", "gt", "gte", "lt", "lte", "between", "in"},
    "text": {"equals", "in", "contains", "beginsWith", "endsWith", "before", "after"},
    "date": {"before", "after"},
}
_NUMERIC_ONLY = {"gt", "gte", "lt", "lte", "between"}
LIST_TYPES = {"NUMERIC": "number", "TEXT": "text", "DATETIME": "date", "TIMESTAMP": "date"}
WIRE_TYPES = {"number": "numeric", "text": "alphabetic", "date": "alphabetic"}


@dataclass(frozen=True)
class Condition:
    """One condition of a file: a column, an operator (the file's word), its operand, and
    whether it is inverted; `at` is where the column sits in the file, `path` the operator."""

    column: str
    op: str
    operand: Any
    inverted: bool
    at: JsonPath
    path: JsonPath


def clauses_of(data: Mapping[str, Any]) -> list[tuple[str, JsonPath, list[Any]]]:
    """The file's clauses: (AND|OR, path of the clause's list, its items)."""
    found: list[tuple[str, JsonPath, list[Any]]] = []
    for key, joined in (("all", "AND"), ("any", "OR")):
        if isinstance(data.get(key), list):
            found.append((joined, (key,), data[key]))
    listed = data.get("clauses")
    for index, clause in enumerate(listed if isinstance(listed, list) else []):
        for key, joined in (("all", "AND"), ("any", "OR")):
            if isinstance(clause, dict) and isinstance(clause.get(key), list):
                found.append((joined, ("clauses", index, key), clause[key]))
    return found


def conditions_of(path: JsonPath, items: list[Any]) -> Iterator[Condition]:
    """The well-shaped conditions of a clause's items (the schema reports the rest)."""
    for index, item in enumerate(items):
        if not (isinstance(item, dict) and len(item) == 1):
            continue
        column, test = next(iter(item.items()))
        at: JsonPath = (*path, index, column)
        where = at
        inverted = isinstance(test, dict) and list(test) == ["not"]
        if inverted:
            test, where = test["not"], (*at, "not")
        if isinstance(test, dict) and len(test) == 1:
            op, operand = next(iter(test.items()))
            if op in OPERATORS:
                yield Condition(str(column), op, operand, inverted, at, (*where, op))


def column_types(data: Mapping[str, Any], contact_list: Mapping[str, Any] | None) -> dict[str, str]:
    """Each column's type: the file's `columns:` over the list's specifications."""
    types: dict[str, str] = {}
    specs = (contact_list or {}).get("columnDataTypeSpecifications") or []
    for spec in specs:
        if isinstance(spec, dict) and spec.get("columnDataType") in LIST_TYPES:
            types[str(spec.get("columnName"))] = LIST_TYPES[spec["columnDataType"]]
    declared = data.get("columns")
    if isinstance(declared, dict):
        types.update({str(k): str(v) for k, v in declared.items() if v in FITTING})
    return types


# -- checks ---------------------------------------------------------------------------------------


def shape_findings(data: Mapping[str, Any]) -> Iterator[Finding]:
    """What the schema cannot say well: one way of writing clauses, none empty, at most ten
    conditions, bounds in order, relative times that read."""
    ways = [key for key in ("all", "any", "clauses") if key in data]
    if len(ways) != 1:
        yield Finding(
            (ways[1],) if ways[1:] else (),
            "write the conditions under exactly one of all:, any: or clauses:",
        )
    listed = data.get("clauses")
    for index, clause in enumerate(listed if isinstance(listed, list) else []):
        if isinstance(clause, dict) and len(clause) > 1:
            yield Finding(("clauses", index), "a clause is all: or any:, not both")
    if "match" in data and "clauses" not in data:
        yield Finding(("match",), "match: joins several clauses; use it with clauses:")
    count = 0
    for _, path, items in clauses_of(data):
        if not items:
            yield Finding(path, "a clause needs at least one condition")
        count += len(items)
        yield from _one_each(path, items)
        for condition in conditions_of(path, items):
            yield from _operand_findings(condition)
    if count > MAX_PREDICATES:
        yield Finding(
            (ways[0],) if ways else (),
            f"the filter has {count} conditions; the platform allows at most {MAX_PREDICATES} "
            "per filter: split it or use in: for several values of one column",
        )


def type_findings(
    data: Mapping[str, Any],
    types: Mapping[str, str],
    *,
    unknown: bool,
    skip: Set[str] = frozenset(),
) -> Iterator[Finding]:
    """Operators that do not fit their column's type; with `unknown`, columns of no known type
    are compared as text, so numeric operators on them are refused. Columns in `skip` are
    left out (checked elsewhere)."""
    for _, path, items in clauses_of(data):
        for condition in conditions_of(path, items):
            if condition.column in skip:
                continue
            kind = types.get(condition.column)
            if kind is None and unknown and condition.op in _NUMERIC_ONLY:
                yield Finding(
                    condition.path,
                    f"{condition.op} compares numbers, but the type of {condition.column} is "
                    f"unknown; declare it under columns: ({condition.column}: number)",
                )
            elif kind is not None and condition.op not in FITTING[kind]:
                fits = ", ".join(sorted(FITTING[kind]))
                yield Finding(
                    condition.path,
                    f"{condition.op} does not fit {condition.column}, a {kind} column; use {fits}",
                )


def _one_each(path: JsonPath, items: list[Any]) -> Iterator[Finding]:
    """A condition names one column, and tests it with one operator."""
    for index, item in enumerate(items):
        if isinstance(item, dict) and len(item) > 1:
            yield Finding(
                (*path, index),
                f"a condition tests one column, this one {len(item)}; give each its own item",
            )
            continue
        for column, test in item.items() if isinstance(item, dict) else ():
            inner = test.get("not") if isinstance(test, dict) and list(test) == ["not"] else test
            where = (*path, index, column) if inner is test else (*path, index, column, "not")
            if isinstance(inner, dict) and len(inner) > 1:
                ops = ", ".join(map(str, inner))
                yield Finding(
                    where,
                    f"a condition has one operator, this one {len(inner)} ({ops}); "
                    "write one condition per operator",
                )


def _operand_findings(condition: Condition) -> Iterator[Finding]:
    op, operand, path = condition.op, condition.operand, condition.path
    if op == "between":
        bounds = _bounds(operand)
        if bounds is None:
            yield Finding(path, "between takes two numbers, such as [25, 55]")
        elif bounds[0] > bounds[1]:
            low, high = (contact_text(v) for v in operand)
            yield Finding(path, f"between [{low}, {high}] is empty; write the lower bound first")
    if op in ("before", "after") and _period(operand) is None:
        yield Finding(
            path, f"{operand!r} is not a relative time such as '30d ago' or 'P-30DT00H00M'"
        )


def _bounds(operand: Any) -> tuple[float, float] | None:
    if isinstance(operand, list) and len(operand) == 2 and all(is_number(v) for v in operand):
        return float(operand[0]), float(operand[1])
    return None


def _period(operand: Any) -> str | None:
    if not isinstance(operand, str):
        return None
    period = to_period(operand)
    if period is not None:
        return period
    return operand if to_words(operand) is not None else None


# -- the wire -------------------------------------------------------------------------------------


def predicate(condition: Condition, types: Mapping[str, str]) -> dict[str, Any]:
    """The API's predicate for a condition, with the server's defaults explicit."""
    kind = types.get(condition.column, "text")
    body: dict[str, Any] = {
        "column": condition.column,
        "columnType": WIRE_TYPES[kind],
        "operator": OPERATORS[condition.op],
    }
    operand = condition.operand
    if condition.op == "between":
        low, high = operand
        body["range"] = {
            "min": contact_text(low),
            "max": contact_text(high),
            "minInclusive": True,
            "maxInclusive": True,
        }
    elif condition.op == "in":
        body["range"] = {"inSet": [contact_text(v) for v in operand]}
    elif condition.op in ("before", "after"):
        body["value"] = _period(operand) or str(operand)
    else:
        body["value"] = contact_text(operand)
    return body | {"inverted": condition.inverted}


# -- export: a live predicate as the file writes it -----------------------------------------------

_WORDS = {wire: word for word, wire in OPERATORS.items()}


def condition_of(predicate: Mapping[str, Any]) -> dict[str, Any] | None:
    """`{column: {op: operand}}` (or `{column: {not: {...}}}`) for a live predicate; None for
    an operator the file has no word for."""
    op, column = _WORDS.get(str(predicate.get("operator"))), predicate.get("column")
    if op is None or not isinstance(column, str):
        return None
    numeric = predicate.get("columnType") == "numeric"
    found = predicate.get("range")
    bounds: Mapping[str, Any] = found if isinstance(found, dict) else {}
    operand: Any
    if op == "between":
        operand = [_typed(bounds.get("min"), numeric), _typed(bounds.get("max"), numeric)]
    elif op == "in":
        operand = [_typed(v, numeric) for v in bounds.get("inSet") or []]
    elif op in ("before", "after"):
        operand = to_words(str(predicate.get("value"))) or predicate.get("value")
    else:
        operand = _typed(predicate.get("value"), numeric)
    test = {op: operand}
    return {column: {"not": test} if predicate.get("inverted") else test}


def declared_types(
    predicates: list[Mapping[str, Any]], contact_list: Mapping[str, Any] | None
) -> dict[str, str]:
    """The `columns:` a file needs for its predicates to compare as they do live: each column
    whose list type (if any) would compare it otherwise."""
    listed = column_types({}, contact_list)
    needed: dict[str, str] = {}
    for p in predicates:
        column, wire = str(p.get("column")), p.get("columnType")
        if WIRE_TYPES.get(listed.get(column, "text")) != wire:
            needed[column] = "number" if wire == "numeric" else "text"
    return dict(sorted(needed.items()))


def _typed(value: Any, numeric: bool) -> Any:
    """A numeric column's value as the number the file writes; others as the text they are."""
    return contact_number(value) if numeric and isinstance(value, str) else value
