"""The words of the rule expression grammar and the lexer that finds them in text.

Here live what every other part of the grammar agrees on: what a literal is, the operators and
reserved words, what an attribute name looks like, and the syntax error with its position. The
lexer turns text into tokens that keep their text exactly as written and their place, so that
every message can quote the writer and point at the character.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import NoReturn, TypeAlias

Literal: TypeAlias = str | int | float | bool

OPERATORS = frozenset({"=", "!=", "<", "<=", ">", ">="})
KEYWORDS = frozenset({"AND", "OR", "NOT", "IN"})
RESERVED = KEYWORDS | {"true", "false"}

# Every finite float renders in at most 326 characters; a bound on numbers keeps int() and
# float() cheap and below Python's limit on integer string conversion.
MAX_NUMBER_LENGTH = 400

IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SPACE = re.compile(r"[ \t\r\n]*")
_OPERATOR = re.compile(r"<=|>=|!=|=|<|>")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?")
_NUMBER_TAIL = re.compile(r"[A-Za-z0-9_.]")
# What a writer meant as one number, such as 1e-5, so that the message quotes all of it.
_BAD_NUMBER = re.compile(r"-?[A-Za-z0-9_.]+(?:(?<=[eE])[+-][A-Za-z0-9_.]*)?")


class ExpressionSyntaxError(ValueError):
    """Text that is not an expression; `position` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        # Both in args, so that the exception survives pickling.
        super().__init__(message, position)
        self.message = message
        self.position = position

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class Token:
    """A word of the text, with its text exactly as written and its place."""

    kind: str  # ident, keyword, literal, op, "(", ")", ",", end
    text: str  # exactly as written
    position: int
    value: Literal = ""

    @property
    def end(self) -> int:
        return self.position + len(self.text)

    def is_keyword(self, word: str) -> bool:
        return self.kind == "keyword" and self.text == word


def fail(message: str, position: int, hint: str = "") -> NoReturn:
    """Raises the syntax error `message` at `position`, with `hint` after the place."""
    raise ExpressionSyntaxError(f"{message} at character {position}{hint}", position)


def tokenize(text: str) -> list[Token]:
    """The tokens of `text`, then one of kind end; raises ExpressionSyntaxError where none fits."""
    tokens: list[Token] = []
    position = _skip_space(text, 0)
    while position < len(text):
        token = _token_at(text, position)
        tokens.append(token)
        position = _skip_space(text, token.end)
    tokens.append(Token("end", "", len(text)))
    return tokens


def _skip_space(text: str, position: int) -> int:
    match = _SPACE.match(text, position)
    return match.end() if match else position


def _token_at(text: str, position: int) -> Token:
    char = text[position]
    if char == "'":
        return _string_at(text, position)
    if char in "(),":
        return Token(char, char, position)
    if match := _OPERATOR.match(text, position):
        return Token("op", match.group(), position)
    if match := IDENTIFIER.match(text, position):
        return _word(match.group(), position)
    if match := _NUMBER.match(text, position):
        return _number(text, match.group(), position)
    return _bad_character(text, position)


def _string_at(text: str, start: int) -> Token:
    parts: list[str] = []
    position = start + 1
    while True:
        close = text.find("'", position)
        if close < 0:
            raise ExpressionSyntaxError(f"unterminated string starting at character {start}", start)
        parts.append(text[position:close])
        if not text.startswith("'", close + 1):
            return Token("literal", text[start : close + 1], start, "".join(parts))
        parts.append("'")
        position = close + 2


def _word(word: str, position: int) -> Token:
    if word in KEYWORDS:
        return Token("keyword", word, position)
    if word in ("true", "false"):
        return Token("literal", word, position, word == "true")
    return Token("ident", word, position)


def _number(text: str, number: str, position: int) -> Token:
    after = position + len(number)
    if _NUMBER_TAIL.match(text, after):
        bad = _BAD_NUMBER.match(text, position)
        fail(f"invalid number '{clip(bad.group() if bad else number)}'", position)
    if len(number) > MAX_NUMBER_LENGTH:
        fail(f"number longer than {MAX_NUMBER_LENGTH} characters", position)
    if "." not in number:
        return Token("literal", number, position, int(number))
    value = float(number)
    if math.isinf(value):
        fail("number out of range", position)
    return Token("literal", number, position, value)


def _bad_character(text: str, position: int) -> NoReturn:
    char = text[position]
    hint = ""
    if char == "+" and text[position + 1 : position + 2].isdigit():
        hint = " (numbers take no leading '+')"
    elif char == '"':
        hint = " (strings are in single quotes)"
    shown = f"'{char}'" if char.isprintable() else f"U+{ord(char):04X}"
    fail(f"unexpected character {shown}", position, hint)


# --- words quoted in messages ------------------------------------------------------------------


def clip(text: str, limit: int = 40) -> str:
    """`text` cut to `limit` characters, marked where cut, so that a message stays short."""
    return text if len(text) <= limit else text[: limit - 3] + "..."


def show_text(value: str) -> str:
    """A string literal for a one-line message: quoted as written, clipped, control characters
    escaped."""
    clipped = clip(value)
    visible = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in clipped)
    return "'" + visible.replace("'", "''") + "'"
