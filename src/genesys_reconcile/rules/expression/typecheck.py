"""Type problems of a model against a contact list's declared attribute types: unknown
attributes, literals of another type, and orderings of text or booleans.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from genesys_reconcile.rules.expression.meaning import ORDERING, conditions, kind_of
from genesys_reconcile.rules.expression.nodes import Comparison, Expr, Membership
from genesys_reconcile.rules.expression.printer import render_literal
from genesys_reconcile.rules.expression.tokens import Literal, clip, show_text

UNKNOWN_ATTRIBUTE = "expression.attribute.unknown"
TYPE_MISMATCH = "expression.type.mismatch"

_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_NOUNS = {"number": "a number", "string": "text", "boolean": "a boolean", "date": "a date"}


@dataclass(frozen=True)
class TypeProblem:
    attribute: str
    code: str
    message: str


def type_errors(expr: Expr, attribute_types: Mapping[str, str]) -> list[TypeProblem]:
    """Every type problem of `expr` against attribute types ("string", "number", "boolean",
    "date"), in the order they appear in the text."""
    return [
        problem
        for condition in conditions(expr)
        for problem in _condition_problems(condition, attribute_types)
    ]


def _condition_problems(
    condition: Comparison | Membership, attribute_types: Mapping[str, str]
) -> list[TypeProblem]:
    name = condition.attribute
    if name not in attribute_types:
        return [TypeProblem(name, UNKNOWN_ATTRIBUTE, f"unknown attribute '{name}'")]
    declared = attribute_types[name]
    noun = _NOUNS.get(declared)
    if noun is None:
        message = f"{name} has the type '{declared}', which rule expressions cannot compare"
        return [TypeProblem(name, TYPE_MISMATCH, message)]
    problems = []
    if isinstance(condition, Comparison):
        values: tuple[Literal, ...] = (condition.value,)
        if condition.operator in ORDERING and declared in ("string", "boolean"):
            message = f"{name} is {noun}; '{condition.operator}' orders numbers and dates only"
            problems.append(TypeProblem(name, TYPE_MISMATCH, message))
    else:
        values = condition.values
    for value in values:
        if not _fits(declared, value):
            problems.append(TypeProblem(name, TYPE_MISMATCH, _mismatch(name, declared, value)))
    return problems


def _fits(declared: str, value: Literal) -> bool:
    if declared == "date":
        return isinstance(value, str) and _is_date(value)
    return kind_of(value) == declared


def _is_date(value: str) -> bool:
    match = _DATE.fullmatch(value)
    if not match:
        return False
    try:
        date(*(int(part) for part in match.groups()))
    except ValueError:
        return False
    return True


def _mismatch(name: str, declared: str, value: Literal) -> str:
    found = _show_literal(value)
    if declared == "date" and isinstance(value, str):
        return f"{name} is a date, but is compared with {found}, not a date written YYYY-MM-DD"
    return f"{name} is {_NOUNS[declared]}, but is compared with {found}"


def _show_literal(value: Literal) -> str:
    if isinstance(value, bool):
        return f"the boolean {render_literal(value)}"
    if isinstance(value, str):
        return f"the text {show_text(value)}"
    return f"the number {clip(render_literal(value))}"
