"""The model of a rule expression: a tree of frozen dataclasses, checked as it is built.

Every node refuses what has no canonical text (a name that is not an identifier, a literal of
another type, too few operands), so that any model renders and reads back equal. Literals compare
by type as well as value (`true` is not `1`, `1` is not `1.0`), because they render differently.
Nesting is limited to `MAX_NESTING` levels, as in text, so that no model can exhaust the stack of
whatever walks it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TypeAlias

from genesys_reconcile.rules.expression.tokens import (
    IDENTIFIER,
    MAX_NUMBER_LENGTH,
    OPERATORS,
    RESERVED,
    Literal,
)

MAX_NESTING = 100
_INT_LOW, _INT_HIGH = -(10 ** (MAX_NUMBER_LENGTH - 1)), 10**MAX_NUMBER_LENGTH


@dataclass(frozen=True, eq=False)
class Comparison:
    attribute: str
    operator: str
    value: Literal

    def __post_init__(self) -> None:
        _check_attribute(self.attribute)
        if not isinstance(self.operator, str) or self.operator not in OPERATORS:
            raise ValueError(f"operator must be one of {sorted(OPERATORS)}, not {self.operator!r}")
        _check_literal(self.value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Comparison):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[str, str, tuple[type, Literal]]:
        return self.attribute, self.operator, _typed(self.value)


@dataclass(frozen=True, eq=False)
class Membership:
    attribute: str
    values: tuple[Literal, ...]

    def __post_init__(self) -> None:
        _check_attribute(self.attribute)
        if not isinstance(self.values, tuple) or not self.values:
            raise ValueError("IN needs a non-empty tuple of values")
        for value in self.values:
            _check_literal(value)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Membership):
            return NotImplemented
        return self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def _key(self) -> tuple[str, tuple[tuple[type, Literal], ...]]:
        return self.attribute, tuple(_typed(value) for value in self.values)


@dataclass(frozen=True)
class And:
    operands: tuple[Expr, ...]

    def __post_init__(self) -> None:
        _check_operands("AND", self.operands)
        _set_nesting(self, junction_nesting(self.operands))


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]

    def __post_init__(self) -> None:
        _check_operands("OR", self.operands)
        _set_nesting(self, junction_nesting(self.operands))


@dataclass(frozen=True)
class Not:
    operand: Expr

    def __post_init__(self) -> None:
        if not isinstance(self.operand, _EXPRESSIONS):
            raise ValueError(f"NOT needs an expression, not {type(self.operand).__name__}")
        _set_nesting(self, 1 + nested(self.operand))


Expr: TypeAlias = Comparison | Membership | And | Or | Not
_EXPRESSIONS = (Comparison, Membership, And, Or, Not)


def _typed(value: Literal) -> tuple[type, Literal]:
    return type(value), value


def _check_attribute(name: object) -> None:
    if not isinstance(name, str) or not IDENTIFIER.fullmatch(name):
        raise ValueError(f"{name!r} is not an attribute name ([A-Za-z_][A-Za-z0-9_]*)")
    if name in RESERVED:
        raise ValueError(f"reserved word {name!r} cannot be an attribute name")


def _check_literal(value: object) -> None:
    # Subclasses (IntEnum, numpy scalars, str enums) are refused: they would not survive a
    # round trip through text unchanged.
    if type(value) not in (str, int, float, bool):
        raise ValueError(f"a literal is a str, int, float or bool, not {type(value).__name__}")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError(f"a number literal must be finite, not {value!r}")
    if isinstance(value, int) and not _INT_LOW < value < _INT_HIGH:
        raise ValueError(f"a number literal has at most {MAX_NUMBER_LENGTH} characters")


def _check_operands(keyword: str, operands: object) -> None:
    if not isinstance(operands, tuple) or len(operands) < 2:
        raise ValueError(f"{keyword} needs a tuple of at least two operands")
    for item in operands:
        if not isinstance(item, _EXPRESSIONS):
            raise ValueError(f"{keyword} needs expressions, not {type(item).__name__}")


# Nesting is the number of levels of parentheses and NOT in a node's canonical text, the
# measure the parser limits. Each node stores its own, so that building a tree costs time
# linear in its size. It lives in the instance dict, outside the dataclass fields, so that
# equality, hashing, repr and asdict ignore it.
_NESTING = "_nesting"


def _set_nesting(node: And | Or | Not, nesting: int) -> None:
    if nesting > MAX_NESTING:
        raise ValueError(f"expression nested more than {MAX_NESTING} levels deep")
    object.__setattr__(node, _NESTING, nesting)


def _nesting(expr: Expr) -> int:
    if isinstance(expr, Comparison | Membership):
        return 0
    return int(vars(expr)[_NESTING])


def junction_nesting(operands: tuple[Expr, ...]) -> int:
    """The nesting of an AND or OR of `operands`."""
    return max(nested(item) for item in operands)


def nested(child: Expr) -> int:
    """The nesting `child` adds to the node it is an operand of."""
    # render parenthesises every AND or OR inside another operator.
    return _nesting(child) + (1 if isinstance(child, And | Or) else 0)
