"""The grammar of Genesys Cloud outbound campaign rule expressions.

    expression := or
    or         := and ("OR" and)*
    and        := unary ("AND" unary)*
    unary      := "NOT" unary | "(" or ")" | condition
    condition  := ident op literal | ident "IN" "(" literal ("," literal)* ")"
    op         := "=" | "!=" | "<" | "<=" | ">" | ">="
    literal    := string | number | "true" | "false"
    string     := "'" (any character but "'", or "''" for one quote)* "'"
    number     := "-"? [0-9]+ ("." [0-9]+)?
    ident      := [A-Za-z_][A-Za-z0-9_]*, but not AND, OR, NOT, IN, true or false

Keywords are uppercase only and booleans lowercase only, so `and` and `True` are attribute
names. Spaces, tabs and line breaks between tokens mean nothing.

The model is a tree of frozen dataclasses. `render` writes its one canonical text and `parse`
reads any text back, so that `parse(render(m)) == m` for every model: a user's value is always
exactly one literal token and can never change an expression's structure. Literals compare by
type as well as value (`true` is not `1`, `1` is not `1.0`), because they render differently.

Nesting (parentheses and NOT) is limited to `MAX_NESTING` levels, in text and in models alike,
so no input can exhaust the interpreter's stack.
"""

from __future__ import annotations

import math
import operator
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, NoReturn, TypeAlias

__all__ = [
    "MAX_NESTING",
    "OPERATORS",
    "RESERVED",
    "And",
    "Comparison",
    "Expr",
    "ExpressionSyntaxError",
    "Literal",
    "Membership",
    "Not",
    "Or",
    "TypeProblem",
    "attributes",
    "evaluate",
    "parse",
    "render",
    "type_errors",
]

Literal: TypeAlias = str | int | float | bool

OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">="})
KEYWORDS = frozenset({"AND", "OR", "NOT", "IN"})
RESERVED = KEYWORDS | {"true", "false"}
MAX_NESTING = 100
# Every finite float renders in at most 326 characters; a bound on numbers keeps int() and
# float() cheap and below Python's limit on integer string conversion.
MAX_NUMBER_LENGTH = 400
_INT_LOW, _INT_HIGH = -(10 ** (MAX_NUMBER_LENGTH - 1)), 10**MAX_NUMBER_LENGTH

UNKNOWN_ATTRIBUTE = "expression.attribute.unknown"
TYPE_MISMATCH = "expression.type.mismatch"

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"[ \t\r\n]*")
_OPERATOR = re.compile(r"<=|>=|!=|=|<|>")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.]")
# What a writer meant as one number, such as 1e-5, so that the message quotes all of it.
_BAD_NUMBER = re.compile(r"-?[A-Za-z0-9_.]+(?:(?<=[eE])[+-][A-Za-z0-9_.]*)?")
_DATE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_ORDERING = frozenset({"<", "<=", ">", ">="})
_COMPARE: dict[str, Callable[[Any, Any], Any]] = {
    "=": operator.eq,
    "!=": operator.ne,
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}
_NOUNS = {"number": "a number", "string": "text", "boolean": "a boolean", "date": "a date"}


class ExpressionSyntaxError(ValueError):
    """Text that is not an expression; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        # Both in args, so that the exception survives pickling.
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


# --- the model ---------------------------------------------------------------------------------


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
        _set_nesting(self, _junction_nesting(self.operands))


@dataclass(frozen=True)
class Or:
    operands: tuple[Expr, ...]

    def __post_init__(self) -> None:
        _check_operands("OR", self.operands)
        _set_nesting(self, _junction_nesting(self.operands))


@dataclass(frozen=True)
class Not:
    operand: Expr

    def __post_init__(self) -> None:
        if not isinstance(self.operand, _EXPRESSIONS):
            raise ValueError(f"NOT needs an expression, not {type(self.operand).__name__}")
        _set_nesting(self, 1 + _nested(self.operand))


Expr: TypeAlias = Comparison | Membership | And | Or | Not
_EXPRESSIONS = (Comparison, Membership, And, Or, Not)


@dataclass(frozen=True)
class TypeProblem:
    attribute: str
    code: str
    message: str


def _typed(value: Literal) -> tuple[type, Literal]:
    return type(value), value


def _check_attribute(name: object) -> None:
    if not isinstance(name, str) or not _IDENTIFIER.fullmatch(name):
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


def _junction_nesting(operands: tuple[Expr, ...]) -> int:
    return max(_nested(item) for item in operands)


def _nested(child: Expr) -> int:
    # render parenthesises every AND or OR inside another operator.
    return _nesting(child) + (1 if isinstance(child, And | Or) else 0)


# --- rendering ---------------------------------------------------------------------------------


def render(expr: Expr) -> str:
    """The canonical text of `expr`; `parse` reads it back as an equal model."""
    if isinstance(expr, Comparison):
        return f"{expr.attribute} {expr.operator} {_render_literal(expr.value)}"
    if isinstance(expr, Membership):
        return f"{expr.attribute} IN ({', '.join(map(_render_literal, expr.values))})"
    if isinstance(expr, Not):
        return f"NOT {_render_operand(expr.operand)}"
    keyword = " AND " if isinstance(expr, And) else " OR "
    return keyword.join(map(_render_operand, expr.operands))


def _render_operand(expr: Expr) -> str:
    text = render(expr)
    return f"({text})" if isinstance(expr, And | Or) else text


def _render_literal(value: Literal) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _render_float(value)
    return "'" + value.replace("'", "''") + "'"


def _render_float(value: float) -> str:
    if value == 0:
        return "0.0"  # -0.0 equals 0.0, so equal models render alike
    text = format(Decimal(repr(value)), "f")
    # A float must keep its point, or it would read back as an int.
    return text if "." in text else text + ".0"


# --- tokens ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str  # ident, keyword, literal, op, "(", ")", ",", end
    text: str  # exactly as written
    position: int
    value: Literal = ""

    @property
    def end(self) -> int:
        return self.position + len(self.text)

    def is_keyword(self, word: str) -> bool:
        return self.kind == "keyword" and self.text == word


def _fail(message: str, position: int, hint: str = "") -> NoReturn:
    raise ExpressionSyntaxError(f"{message} at character {position}{hint}", position)


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    position = _skip_space(text, 0)
    while position < len(text):
        token = _token_at(text, position)
        tokens.append(token)
        position = _skip_space(text, token.end)
    tokens.append(_Token("end", "", len(text)))
    return tokens


def _skip_space(text: str, position: int) -> int:
    match = _SPACE.match(text, position)
    return match.end() if match else position


def _token_at(text: str, position: int) -> _Token:
    char = text[position]
    if char == "'":
        return _string_at(text, position)
    if char in "(),":
        return _Token(char, char, position)
    if match := _OPERATOR.match(text, position):
        return _Token("op", match.group(), position)
    if match := _IDENTIFIER.match(text, position):
        return _word(match.group(), position)
    if match := _NUMBER.match(text, position):
        return _number(text, match.group(), position)
    return _bad_character(text, position)


def _string_at(text: str, start: int) -> _Token:
    parts: list[str] = []
    position = start + 1
    while True:
        close = text.find("'", position)
        if close < 0:
            raise ExpressionSyntaxError(f"unterminated string starting at character {start}", start)
        parts.append(text[position:close])
        if not text.startswith("'", close + 1):
            return _Token("literal", text[start : close + 1], start, "".join(parts))
        parts.append("'")
        position = close + 2


def _word(word: str, position: int) -> _Token:
    if word in KEYWORDS:
        return _Token("keyword", word, position)
    if word in ("true", "false"):
        return _Token("literal", word, position, word == "true")
    return _Token("ident", word, position)


def _number(text: str, number: str, position: int) -> _Token:
    after = position + len(number)
    if _NUMBER_TAIL.match(text, after):
        bad = _BAD_NUMBER.match(text, position)
        _fail(f"invalid number '{_clip(bad.group() if bad else number)}'", position)
    if len(number) > MAX_NUMBER_LENGTH:
        _fail(f"number longer than {MAX_NUMBER_LENGTH} characters", position)
    if "." not in number:
        return _Token("literal", number, position, int(number))
    value = float(number)
    if math.isinf(value):
        _fail("number out of range", position)
    return _Token("literal", number, position, value)


def _bad_character(text: str, position: int) -> NoReturn:
    char = text[position]
    hint = ""
    if char == "+" and text[position + 1 : position + 2].isdigit():
        hint = " (numbers take no leading '+')"
    elif char == '"':
        hint = " (strings are in single quotes)"
    shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
    _fail(f"unexpected character {shown}", position, hint)


# --- parsing -----------------------------------------------------------------------------------


def parse(text: str) -> Expr:
    """The model of `text`; raises ExpressionSyntaxError naming the first problem and its place."""
    return _Parser(text).expression()


class _Parser:
    """Recursive descent over a token list. Runs of NOT are a loop and AND/OR runs are lists,
    so only parentheses recurse, and `depth` bounds that."""

    def __init__(self, text: str) -> None:
        self.tokens = _tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> _Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> _Token:
        token = self.peek()
        if token.kind != "end":
            self.index += 1
        return token

    def expression(self) -> Expr:
        if self.peek().kind == "end":
            raise ExpressionSyntaxError("empty expression", 0)
        expr = self.disjunction()
        token = self.peek()
        if token.kind == ")":
            _fail("unmatched ')'", token.position)
        if token.kind != "end":
            self.unexpected(token)
        return expr

    def disjunction(self) -> Expr:
        start = self.peek().position
        operands = [self.conjunction()]
        while self.peek().is_keyword("OR"):
            self.advance()
            operands.append(self.conjunction())
        return self.join(Or, operands, start)

    def conjunction(self) -> Expr:
        start = self.peek().position
        operands = [self.unary()]
        while self.peek().is_keyword("AND"):
            self.advance()
            operands.append(self.unary())
        return self.join(And, operands, start)

    def join(self, node: type[And] | type[Or], operands: list[Expr], start: int) -> Expr:
        if len(operands) == 1:
            return operands[0]
        # A run of AND inside OR needs no parentheses in the text but gets them when rendered.
        if _junction_nesting(tuple(operands)) > MAX_NESTING:
            self.too_deep(start)
        return node(tuple(operands))

    def unary(self) -> Expr:
        nots: list[_Token] = []
        while self.peek().is_keyword("NOT"):
            nots.append(self.advance())
            self.enter(nots[-1])
        expr = self.group() if self.peek().kind == "(" else self.condition()
        for token in reversed(nots):
            if 1 + _nested(expr) > MAX_NESTING:
                self.too_deep(token.position)
            expr = Not(expr)
        self.depth -= len(nots)
        return expr

    def group(self) -> Expr:
        opening = self.advance()
        self.enter(opening)
        expr = self.disjunction()
        closing = self.advance()
        if closing.kind == "end":
            _fail("unclosed '('", opening.position)
        if closing.kind != ")":
            self.unexpected(closing)
        self.depth -= 1
        return expr

    def enter(self, token: _Token) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            self.too_deep(token.position)

    def condition(self) -> Expr:
        if self.peek().kind != "ident":
            self.not_a_condition(self.peek())
        name = self.advance()
        token = self.advance()
        if token.kind == "op":
            return Comparison(name.text, token.text, self.literal(token))
        if not token.is_keyword("IN"):
            self.expected("an operator", name, token)
        return Membership(name.text, self.values(token))

    def values(self, keyword: _Token) -> tuple[Literal, ...]:
        opening = self.advance()
        if opening.kind != "(":
            self.expected("'('", keyword, opening)
        if self.peek().kind == ")":
            _fail("IN needs at least one value", self.peek().position)
        values = [self.literal(opening)]
        while (token := self.advance()).kind != ")":
            if token.kind == "end":
                _fail("unclosed '('", opening.position)
            if token.kind != ",":
                _fail("expected ',' or ')'", token.position, _hint(token))
            values.append(self.literal(token))
        return tuple(values)

    def literal(self, after: _Token) -> Literal:
        token = self.advance()
        if token.kind != "literal":
            self.expected("a value", after, token)
        return token.value

    def not_a_condition(self, token: _Token) -> NoReturn:
        before = self.tokens[self.index - 1] if self.index else None
        if token.kind == "end" and before is not None:
            _fail(f"expected a condition after '{before.text}'", token.position)
        if token.text in RESERVED and self._starts_condition(self.peek(1)):
            self.reserved(token)
        if before is not None and before.text == "NOT" and self._starts_condition(token):
            self.reserved(before)
        self.unexpected(token)

    @staticmethod
    def _starts_condition(token: _Token) -> bool:
        """Whether `token` follows attribute names, so the word before it was meant as one."""
        return token.kind == "op" or token.is_keyword("IN")

    @staticmethod
    def reserved(token: _Token) -> NoReturn:
        _fail(f"reserved word '{token.text}' cannot be an attribute name", token.position)

    @staticmethod
    def expected(what: str, after: _Token, found: _Token) -> NoReturn:
        _fail(f"expected {what} after '{after.text}'", found.position, _hint(after) or _hint(found))

    @staticmethod
    def unexpected(token: _Token) -> NoReturn:
        _fail(f"unexpected {_describe(token)}", token.position, _hint(token))

    @staticmethod
    def too_deep(position: int) -> NoReturn:
        _fail(f"expression nested more than {MAX_NESTING} levels deep", position)


def _describe(token: _Token) -> str:
    if token.kind == "literal" and isinstance(token.value, str):
        return f"string {_show_text(token.value)}"
    return f"'{_clip(token.text)}'"


def _hint(token: _Token) -> str:
    """Why a word the writer likely meant as a keyword or boolean is read as a name."""
    if token.kind != "ident":
        return ""
    if token.text.upper() in KEYWORDS:
        return f" (keywords are uppercase: '{token.text.upper()}')"
    if token.text.lower() in ("true", "false"):
        return f" (booleans are lowercase: '{token.text.lower()}')"
    return ""


def _clip(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _show_text(value: str) -> str:
    """A string literal for a one-line message: quoted as written, clipped, control characters
    escaped."""
    clipped = _clip(value)
    visible = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in clipped)
    return "'" + visible.replace("'", "''") + "'"


# --- meaning -----------------------------------------------------------------------------------


def _conditions(expr: Expr) -> Iterator[Comparison | Membership]:
    """The comparisons and memberships of `expr`, left to right as written."""
    if isinstance(expr, Comparison | Membership):
        yield expr
    elif isinstance(expr, Not):
        yield from _conditions(expr.operand)
    else:
        for item in expr.operands:
            yield from _conditions(item)


def attributes(expr: Expr) -> set[str]:
    """Every attribute `expr` refers to."""
    return {condition.attribute for condition in _conditions(expr)}


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


def _kind(value: object) -> str | None:
    if isinstance(value, bool):
        return "boolean"  # before int: a bool is never a number
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return None


def _holds(actual: object, op: str, literal: Literal) -> bool:
    kind = _kind(literal)
    if _kind(actual) != kind or (kind == "boolean" and op in _ORDERING):
        return False
    return bool(_COMPARE[op](actual, literal))


# --- types -------------------------------------------------------------------------------------


def type_errors(expr: Expr, attribute_types: Mapping[str, str]) -> list[TypeProblem]:
    """Every type problem of `expr` against attribute types ("string", "number", "boolean",
    "date"), in the order they appear in the text."""
    return [
        problem
        for condition in _conditions(expr)
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
        if condition.operator in _ORDERING and declared in ("string", "boolean"):
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
    return _kind(value) == declared


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
        return f"the boolean {_render_literal(value)}"
    if isinstance(value, str):
        return f"the text {_show_text(value)}"
    return f"the number {_clip(_render_literal(value))}"
