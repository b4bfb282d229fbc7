"""What a model means for a contact: the attributes it reads and whether a contact matches it.

A literal only ever matches a value of its own kind, and booleans have no order; the overlap
analyses follow the same rules.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterator, Mapping
from typing import Any

from genesys_reconcile.rules.expression.nodes import And, Comparison, Expr, Membership, Not
from genesys_reconcile.rules.expression.tokens import Literal

ORDERING = frozenset({"<", "<=", ">", ">="})
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


def conditions(expr: Expr) -> Iterator[Comparison | Membership]:
    """The comparisons and memberships of `expr`, left to right as written."""
    if isinstance(expr, Comparison | Membership):
        yield expr
    elif isinstance(expr, Not):
        yield from conditions(expr.operand)
    else:
        for item in expr.operands:
            yield from conditions(item)


def attributes(expr: Expr) -> set[str]:
    """Every attribute `expr` refers to."""
    return {condition.attribute for condition in conditions(expr)}


def evaluate(expr: Expr, contact: Mapping[str, object]) -> bool:
    """Whether `contact` matches `expr`. A missing attribute, or a value of another type than the
    literal's, makes a comparison or membership false (and so NOT of it true)."""
    if isinstance(expr, Comparison):
        return _holds(contact.get(expr.attribute), expr.operator, expr.value)
    if isinstance(expr, Membership):
        actual = contact.get(expr.attribute)
        return any(_holds(actual, "=", value) for value in expr.values)
    if isinstance(expr, Not):
        return not evaluate(expr.operand, contact)
    if isinstance(expr, And):
        return all(evaluate(item, contact) for item in expr.operands)
    return any(evaluate(item, contact) for item in expr.operands)


def kind_of(value: object) -> str | None:
    """ "number", "string" or "boolean": the kinds a literal compares with; None for others."""
    if isinstance(value, bool):
        return "boolean"  # before int: a bool is never a number
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _holds(actual: object, op: str, literal: Literal) -> bool:
    kind = kind_of(literal)
    if kind_of(actual) != kind or (kind == "boolean" and op in ORDERING):
        return False
    return bool(_COMPARE[op](actual, literal))
