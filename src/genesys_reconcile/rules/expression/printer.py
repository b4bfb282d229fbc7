"""The canonical text of a model: one text per model, which `parse` reads back as an equal model.

Every AND or OR inside another operator is parenthesised and every literal written in one way
only, so that equal models render alike and a user's value is always exactly one literal token.
"""

from __future__ import annotations

from decimal import Decimal

from genesys_reconcile.rules.expression.nodes import And, Comparison, Expr, Membership, Not, Or
from genesys_reconcile.rules.expression.tokens import Literal


def render(expr: Expr) -> str:
    """The canonical text of `expr`; `parse` reads it back as an equal model."""
    if isinstance(expr, Comparison):
        return f"{expr.attribute} {expr.operator} {render_literal(expr.value)}"
    if isinstance(expr, Membership):
        return f"{expr.attribute} IN ({', '.join(map(render_literal, expr.values))})"
    if isinstance(expr, Not):
        return f"NOT {_render_operand(expr.operand)}"
    keyword = " AND " if isinstance(expr, And) else " OR "
    return keyword.join(map(_render_operand, expr.operands))


def _render_operand(expr: Expr) -> str:
    text = render(expr)
    return f"({text})" if isinstance(expr, And | Or) else text


def render_literal(value: Literal) -> str:
    """The one text of `value`."""
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
