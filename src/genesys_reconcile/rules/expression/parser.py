"""The parser: text to model by recursive descent, or a syntax error naming the first problem,
its place, and where it helps, what the writer likely meant.
"""

from __future__ import annotations

from typing import NoReturn

from genesys_reconcile.rules.expression.nodes import (
    MAX_NESTING,
    And,
    Comparison,
    Expr,
    Membership,
    Not,
    Or,
    junction_nesting,
    nested,
)
from genesys_reconcile.rules.expression.tokens import (
    KEYWORDS,
    RESERVED,
    ExpressionSyntaxError,
    Literal,
    Token,
    clip,
    fail,
    show_text,
    tokenize,
)


def parse(text: str) -> Expr:
    """The model of `text`; raises ExpressionSyntaxError naming the first problem and its place."""
    return _Parser(text).expression()


class _Parser:
    """Recursive descent over a token list. Runs of NOT are a loop and AND/OR runs are lists,
    so only parentheses recurse, and `depth` bounds that."""

    def __init__(self, text: str) -> None:
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0

    def peek(self, ahead: int = 0) -> Token:
        return self.tokens[min(self.index + ahead, len(self.tokens) - 1)]

    def advance(self) -> Token:
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
            fail("unmatched ')'", token.position)
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
        if junction_nesting(tuple(operands)) > MAX_NESTING:
            self.too_deep(start)
        return node(tuple(operands))

    def unary(self) -> Expr:
        nots: list[Token] = []
        while self.peek().is_keyword("NOT"):
            nots.append(self.advance())
            self.enter(nots[-1])
        expr = self.group() if self.peek().kind == "(" else self.condition()
        for token in reversed(nots):
            if 1 + nested(expr) > MAX_NESTING:
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
            fail("unclosed '('", opening.position)
        if closing.kind != ")":
            self.unexpected(closing)
        self.depth -= 1
        return expr

    def enter(self, token: Token) -> None:
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

    def values(self, keyword: Token) -> tuple[Literal, ...]:
        opening = self.advance()
        if opening.kind != "(":
            self.expected("'('", keyword, opening)
        if self.peek().kind == ")":
            fail("IN needs at least one value", self.peek().position)
        values = [self.literal(opening)]
        while (token := self.advance()).kind != ")":
            if token.kind == "end":
                fail("unclosed '('", opening.position)
            if token.kind != ",":
                fail("expected ',' or ')'", token.position, _hint(token))
            values.append(self.literal(token))
        return tuple(values)

    def literal(self, after: Token) -> Literal:
        token = self.advance()
        if token.kind != "literal":
            self.expected("a value", after, token)
        return token.value

    def not_a_condition(self, token: Token) -> NoReturn:
        before = self.tokens[self.index - 1] if self.index else None
        if token.kind == "end" and before is not None:
            fail(f"expected a condition after '{before.text}'", token.position)
        if token.text in RESERVED and self._starts_condition(self.peek(1)):
            self.reserved(token)
        if before is not None and before.text == "NOT" and self._starts_condition(token):
            self.reserved(before)
        self.unexpected(token)

    @staticmethod
    def _starts_condition(token: Token) -> bool:
        """Whether `token` follows attribute names, so the word before it was meant as one."""
        return token.kind == "op" or token.is_keyword("IN")

    @staticmethod
    def reserved(token: Token) -> NoReturn:
        fail(f"reserved word '{token.text}' cannot be an attribute name", token.position)

    @staticmethod
    def expected(what: str, after: Token, found: Token) -> NoReturn:
        fail(f"expected {what} after '{after.text}'", found.position, _hint(after) or _hint(found))

    @staticmethod
    def unexpected(token: Token) -> NoReturn:
        fail(f"unexpected {_describe(token)}", token.position, _hint(token))

    @staticmethod
    def too_deep(position: int) -> NoReturn:
        fail(f"expression nested more than {MAX_NESTING} levels deep", position)


def _describe(token: Token) -> str:
    if token.kind == "literal" and isinstance(token.value, str):
        return f"string {show_text(token.value)}"
    return f"'{clip(token.text)}'"


def _hint(token: Token) -> str:
    """Why a word the writer likely meant as a keyword or boolean is read as a name."""
    if token.kind != "ident":
        return ""
    if token.text.upper() in KEYWORDS:
        return f" (keywords are uppercase: '{token.text.upper()}')"
    if token.text.lower() in ("true", "false"):
        return f" (booleans are lowercase: '{token.text.lower()}')"
    return ""
