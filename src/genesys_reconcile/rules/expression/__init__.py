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

The grammar's parts, each resting only on those before it: `tokens` (the words and the lexer),
`nodes` (the model), `printer` (canonical text), `parser`, `meaning` (what a model selects) and
`typecheck` (a model against declared attribute types).
"""

from __future__ import annotations

from genesys_reconcile.rules.expression.meaning import attributes, evaluate
from genesys_reconcile.rules.expression.nodes import (
    MAX_NESTING,
    And,
    Comparison,
    Expr,
    Membership,
    Not,
    Or,
)
from genesys_reconcile.rules.expression.parser import parse
from genesys_reconcile.rules.expression.printer import render, render_literal
from genesys_reconcile.rules.expression.tokens import (
    OPERATORS,
    RESERVED,
    ExpressionSyntaxError,
    Literal,
)
from genesys_reconcile.rules.expression.typecheck import (
    TYPE_MISMATCH,
    UNKNOWN_ATTRIBUTE,
    TypeProblem,
    type_errors,
)

__all__ = [
    "MAX_NESTING",
    "OPERATORS",
    "RESERVED",
    "TYPE_MISMATCH",
    "UNKNOWN_ATTRIBUTE",
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
    "render_literal",
    "type_errors",
]
