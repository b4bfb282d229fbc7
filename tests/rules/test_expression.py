"""The rule expression grammar: round trips, precedence, exact syntax errors, meaning and types."""

from __future__ import annotations

import enum
import pickle
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genesys_reconcile.rules.expression import (
    MAX_NESTING,
    OPERATORS,
    RESERVED,
    And,
    Comparison,
    Expr,
    ExpressionSyntaxError,
    Literal,
    Membership,
    Not,
    Or,
    TypeProblem,
    attributes,
    evaluate,
    parse,
    render,
    type_errors,
)

# --- strategies --------------------------------------------------------------------------------

# Words a tokenizer could confuse with keywords: lowercase keywords, capitalised booleans, and
# names that merely start with a keyword.
LOOKALIKES = ["and", "or", "not", "in", "True", "FALSE", "ORDER", "INDEX", "NOTE", "ANDx", "true_"]
identifiers = st.one_of(
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,12}", fullmatch=True).filter(
        lambda name: name not in RESERVED
    ),
    st.sampled_from(LOOKALIKES),
)
TRICKY = ["", "'", "''", "\\", "' OR '1'='1", "x' OR '1'='1", "a\nb", "é🙂", ")", " AND ", "\x00"]
texts = st.one_of(
    st.text(), st.sampled_from(TRICKY), st.lists(st.sampled_from(TRICKY)).map("".join)
)
literals = st.one_of(
    texts,
    st.integers(),
    st.floats(allow_nan=False, allow_infinity=False),
    st.booleans(),
)
conditions = st.one_of(
    st.builds(Comparison, identifiers, st.sampled_from(sorted(OPERATORS)), literals),
    st.builds(Membership, identifiers, st.lists(literals, min_size=1, max_size=4).map(tuple)),
)


def models(depth: int = 4) -> st.SearchStrategy[Expr]:
    if depth == 0:
        return conditions
    inner = models(depth - 1)
    operands = st.lists(inner, min_size=2, max_size=4).map(tuple)
    return st.one_of(
        conditions, st.builds(And, operands), st.builds(Or, operands), st.builds(Not, inner)
    )


def c(attribute: str, value: Literal, op: str = "=") -> Comparison:
    return Comparison(attribute, op, value)


# --- round trips -------------------------------------------------------------------------------


@given(models())
def test_every_model_survives_render_then_parse(model: Expr) -> None:
    assert parse(render(model)) == model


@given(models())
def test_canonical_text_is_a_fixed_point(model: Expr) -> None:
    text = render(model)
    assert render(parse(text)) == text


@given(texts)
def test_a_string_literal_is_always_exactly_one_token(value: str) -> None:
    model = Comparison("a", "=", value)
    text = render(model)
    assert parse(text) == model
    assert attributes(parse(text)) == {"a"}
    assert parse(f"{text} AND b = 1") == And((model, Comparison("b", "=", 1)))


@given(st.text(alphabet="aNOTRDI()',=<>!-.0159 \n\"+etrufls"))
def test_parse_fails_only_with_a_positioned_syntax_error(text: str) -> None:
    try:
        model = parse(text)
    except ExpressionSyntaxError as exc:
        assert 0 <= exc.position <= len(text)
        assert f"at character {exc.position}" in exc.message or exc.message == "empty expression"
    else:
        assert parse(render(model)) == model


def test_literals_compare_by_type_as_well_as_value() -> None:
    assert c("a", True) != c("a", 1)
    assert c("a", 1) != c("a", 1.0)
    assert Membership("a", (1,)) != Membership("a", (True,))
    assert type(parse("a = 1").value) is int  # type: ignore[union-attr]
    assert type(parse("a = 1.0").value) is float  # type: ignore[union-attr]
    assert {c("a", 1), c("a", 1)} == {c("a", 1)}


@pytest.mark.parametrize(
    ("model", "text"),
    [
        (c("a", 1e-05), "a = 0.00001"),
        (c("a", 2.0), "a = 2.0"),
        (c("a", 1e22), "a = 10000000000000000000000.0"),
        (c("a", -0.0), "a = 0.0"),
        (c("a", -3), "a = -3"),
        (c("a", "it's"), "a = 'it''s'"),
        (c("a", False, "!="), "a != false"),
        (Membership("a", ("x", 1, 2.5, True)), "a IN ('x', 1, 2.5, true)"),
        (Not(c("a", 1)), "NOT a = 1"),
        (Not(Membership("a", (1,))), "NOT a IN (1)"),
        (Not(Not(c("a", 1))), "NOT NOT a = 1"),
        (Not(And((c("a", 1), c("b", 2)))), "NOT (a = 1 AND b = 2)"),
        (Or((c("a", 1), Not(c("b", 2)))), "a = 1 OR NOT b = 2"),
        (And((Or((c("a", 1), c("b", 2))), c("c", 3))), "(a = 1 OR b = 2) AND c = 3"),
        (Or((Or((c("a", 1), c("b", 2))), c("c", 3))), "(a = 1 OR b = 2) OR c = 3"),
    ],
)
def test_canonical_rendering(model: Expr, text: str) -> None:
    assert render(model) == text
    assert parse(text) == model


# --- structure ---------------------------------------------------------------------------------


def test_not_binds_tighter_than_and_which_binds_tighter_than_or() -> None:
    model = parse("a = 1 OR b = 2 AND NOT c = 3")
    assert model == Or((c("a", 1), And((c("b", 2), Not(c("c", 3))))))
    assert render(model) == "a = 1 OR (b = 2 AND NOT c = 3)"


def test_runs_of_one_operator_are_flat_but_written_groups_are_kept() -> None:
    a, b, d = c("a", 1), c("b", 2), c("d", 3)
    assert parse("a = 1 AND b = 2 AND d = 3") == And((a, b, d))
    assert parse("(a = 1 AND b = 2) AND d = 3") == And((And((a, b)), d))
    assert parse("a = 1 OR (b = 2 OR d = 3)") == Or((a, Or((b, d))))
    assert parse("((a = 1))") == a
    assert parse("NOT (a = 1)") == Not(a)


def test_whitespace_between_tokens_means_nothing() -> None:
    assert parse("\ta\n>=\r\n-1.5 AND(b IN('x',2))") == And(
        (c("a", -1.5, ">="), Membership("b", ("x", 2)))
    )


def test_keywords_are_uppercase_and_booleans_lowercase_so_lookalikes_are_names() -> None:
    assert parse("and = true") == c("and", True)
    assert parse("True != false") == c("True", False, "!=")
    assert parse("ORDER IN (1) OR INDEX = 2") == Or((Membership("ORDER", (1,)), c("INDEX", 2)))


def test_attributes_lists_every_name_once() -> None:
    assert attributes(parse("a = 1 OR NOT (b IN (1) AND a = 2)")) == {"a", "b"}


def test_long_input_parses_without_recursion() -> None:
    text = " AND ".join(f"a{i} = {i}" for i in range(20_000))
    assert len(parse(text).operands) == 20_000  # type: ignore[union-attr]
    value = "'" * 50_000
    assert parse(render(c("a", value))) == c("a", value)


# --- syntax errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message", "position"),
    [
        ("region = 'NW", "unterminated string starting at character 9", 9),
        ("age >=", "expected a value after '>=' at character 6", 6),
        ("a == 1", "expected a value after '=' at character 3", 3),
        ("region IN ()", "IN needs at least one value at character 11", 11),
        ("a IN (1, )", "expected a value after ',' at character 9", 9),
        ("a IN (1 2)", "expected ',' or ')' at character 8", 8),
        ("a IN 1", "expected '(' after 'IN' at character 5", 5),
        ("a = 1 AND", "expected a condition after 'AND' at character 9", 9),
        ("a = 1 OR OR b = 2", "unexpected 'OR' at character 9", 9),
        ("(a = 1 OR b = 2", "unclosed '(' at character 0", 0),
        ("a IN (1", "unclosed '(' at character 5", 5),
        ("a = 1)", "unmatched ')' at character 5", 5),
        ("a = 1 and b = 2", "unexpected 'and' at character 6 (keywords are uppercase: 'AND')", 6),
        (
            "a in (1)",
            "expected an operator after 'a' at character 2 (keywords are uppercase: 'IN')",
            2,
        ),
        (
            "not a = 1",
            "expected an operator after 'not' at character 4 (keywords are uppercase: 'NOT')",
            4,
        ),
        (
            "a = True",
            "expected a value after '=' at character 4 (booleans are lowercase: 'true')",
            4,
        ),
        ("a = 1e5", "invalid number '1e5' at character 4", 4),
        ("a = 1e-5", "invalid number '1e-5' at character 4", 4),
        ("a = 1.", "invalid number '1.' at character 4", 4),
        ("a = 1AND b = 2", "invalid number '1AND' at character 4", 4),
        ("a = +5", "unexpected character '+' at character 4 (numbers take no leading '+')", 4),
        ('a = "x"', "unexpected character '\"' at character 4 (strings are in single quotes)", 4),
        ("a = \x00", "unexpected character U+0000 at character 4", 4),
        ("IN = 1", "reserved word 'IN' cannot be an attribute name at character 0", 0),
        ("x = 1 OR true = 1", "reserved word 'true' cannot be an attribute name at character 9", 9),
        ("NOT = 1", "reserved word 'NOT' cannot be an attribute name at character 0", 0),
        ("a = 1 b", "unexpected 'b' at character 6", 6),
        ("a = 'x' 'y'", "unexpected string 'y' at character 8", 8),
        ("a 1", "expected an operator after 'a' at character 2", 2),
        ("()", "unexpected ')' at character 1", 1),
        ("", "empty expression", 0),
        (" \n\t", "empty expression", 0),
        ("a = " + "9" * 401, "number longer than 400 characters at character 4", 4),
        ("a = " + "9" * 390 + ".0", "number out of range at character 4", 4),
    ],
)
def test_syntax_error_says_what_and_where(text: str, message: str, position: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    assert (str(caught.value), caught.value.position) == (message, position)


def test_syntax_error_is_a_value_error_that_pickles() -> None:
    with pytest.raises(ValueError, match="empty expression"):
        parse("")
    error = pickle.loads(pickle.dumps(ExpressionSyntaxError("bad at character 3", 3)))
    assert (error.message, error.position) == ("bad at character 3", 3)


def test_nesting_up_to_the_limit_parses() -> None:
    assert parse("(" * MAX_NESTING + "a = 1" + ")" * MAX_NESTING) == c("a", 1)
    assert parse("NOT (" * (MAX_NESTING // 2) + "a = 1" + ")" * (MAX_NESTING // 2)) is not None


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("(" * (MAX_NESTING + 1) + "a = 1" + ")" * (MAX_NESTING + 1), MAX_NESTING),
        ("NOT " * (MAX_NESTING + 1) + "a = 1", 4 * MAX_NESTING),
        ("(" * 100_000, MAX_NESTING),
        # Inside OR, an AND needs no parentheses, but its rendering does: one level too many.
        ("NOT " * (MAX_NESTING - 1) + "(a = 1 OR b = 1 AND c = 1)", 0),
    ],
)
def test_nesting_beyond_the_limit_is_a_syntax_error(text: str, position: int) -> None:
    with pytest.raises(ExpressionSyntaxError) as caught:
        parse(text)
    assert (
        str(caught.value) == f"expression nested more than 100 levels deep at character {position}"
    )


def _nested_model(levels: int) -> Expr:
    """A model whose canonical text nests `levels` deep, each step adding NOT and a '('."""
    model: Expr = c("a", 1)
    for step in range(levels // 2):
        model = Not(And((model, c("b", step))))
    return model


def test_models_are_limited_to_the_nesting_the_parser_accepts() -> None:
    deepest = _nested_model(MAX_NESTING)
    text = render(deepest)
    assert (text.count("NOT"), text.count("(")) == (MAX_NESTING // 2, MAX_NESTING // 2)
    assert parse(text) == deepest
    assert parse(render(And((deepest, c("z", 1))))) == And((deepest, c("z", 1)))
    with pytest.raises(ValueError, match="nested more than 100"):
        Not(deepest)
    with pytest.raises(ValueError, match="nested more than 100"):
        Or((And((deepest, c("z", 1))), c("y", 2)))


# --- model invariants --------------------------------------------------------------------------


class Level(enum.IntEnum):
    LOW = 1


@pytest.mark.parametrize(
    "build",
    [
        lambda: Comparison("a", "==", 1),
        lambda: Comparison("a", "LIKE", 1),
        lambda: Comparison("1a", "=", 1),
        lambda: Comparison("a-b", "=", 1),
        lambda: Comparison("é", "=", 1),
        lambda: Comparison("a\n", "=", 1),
        lambda: Comparison("AND", "=", 1),
        lambda: Comparison("false", "=", 1),
        lambda: Comparison("a", "=", None),  # type: ignore[arg-type]
        lambda: Comparison("a", "=", float("nan")),
        lambda: Comparison("a", "=", float("inf")),
        lambda: Comparison("a", "=", Decimal(1)),  # type: ignore[arg-type]
        lambda: Comparison("a", "=", Level.LOW),
        lambda: Comparison("a", "=", 10**400),
        lambda: Membership("a", ()),
        lambda: Membership("a", [1]),  # type: ignore[arg-type]
        lambda: Membership("a", (1, [2])),  # type: ignore[arg-type]
        lambda: And((c("a", 1),)),
        lambda: Or([c("a", 1), c("b", 2)]),  # type: ignore[arg-type]
        lambda: Or((c("a", 1), "b = 2")),  # type: ignore[arg-type]
        lambda: Not("a = 1"),  # type: ignore[arg-type]
    ],
)
def test_invalid_models_are_refused(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]


def test_largest_numbers_round_trip() -> None:
    for value in (10**400 - 1, -(10**399) + 1, 1.7976931348623157e308, 5e-324, -5e-324):
        assert parse(render(c("a", value))) == c("a", value)


# --- meaning -----------------------------------------------------------------------------------

CONTACT = {"age": 30, "score": 2.5, "region": "NW", "vip": True, "since": "2021-06-01"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("age = 30", True),
        ("age = 30.0", True),
        ("age > 29.5 AND age <= 30", True),
        ("age < 30", False),
        ("age != 31", True),
        ("age = '30'", False),
        ("NOT age = '30'", True),
        ("missing = 1", False),
        ("missing != 1", False),
        ("NOT missing = 1", True),
        ("missing IN (1, 'x')", False),
        ("vip = true", True),
        ("vip != false", True),
        ("vip = 1", False),
        ("age = true", False),
        ("vip > false", False),
        ("NOT vip >= true", True),
        ("region IN ('NE', 'NW')", True),
        ("region IN ('nw')", False),
        ("region < 'S'", True),
        ("since >= '2021-01-01' AND since < '2022-01-01'", True),
        ("age IN (29, 30.0)", True),
        ("score = 2.5 OR region = 'X'", True),
        ("score = 2.5 AND region = 'X'", False),
        ("region = 'NW' AND (vip = false OR age >= 18)", True),
    ],
)
def test_evaluate_on_a_contact(text: str, expected: bool) -> None:
    assert evaluate(parse(text), CONTACT) is expected


def test_a_bool_value_is_never_a_number_nor_a_number_a_bool() -> None:
    assert evaluate(parse("flag = true"), {"flag": 1}) is False
    assert evaluate(parse("flag IN (1)"), {"flag": True}) is False


def test_injection_attempt_stays_a_single_string_literal() -> None:
    hostile = "x' OR '1'='1"
    text = render(Comparison("region", "=", hostile))
    assert text == "region = 'x'' OR ''1''=''1'"
    assert parse(text) == Comparison("region", "=", hostile)
    assert evaluate(parse(text), {"region": "NW"}) is False
    assert evaluate(parse(text), {"region": hostile}) is True


# --- types -------------------------------------------------------------------------------------

TYPES = {"age": "number", "region": "string", "vip": "boolean", "since": "date"}


@pytest.mark.parametrize(
    "text",
    [
        "age = 25",
        "age > 1.5 AND age <= -2",
        "age IN (1, 2.5)",
        "region = 'NW' OR region != 'x' OR region IN ('a', 'b')",
        "vip = true AND vip != false AND vip IN (true, false)",
        "since >= '2024-02-29' AND since IN ('2000-01-01') AND since != '1999-12-31'",
    ],
)
def test_well_typed_expressions_have_no_problems(text: str) -> None:
    assert type_errors(parse(text), TYPES) == []


def mismatch(attribute: str, message: str) -> TypeProblem:
    return TypeProblem(attribute, "expression.type.mismatch", message)


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (
            "agee = 1",
            TypeProblem("agee", "expression.attribute.unknown", "unknown attribute 'agee'"),
        ),
        ("age = '25'", mismatch("age", "age is a number, but is compared with the text '25'")),
        ("age = true", mismatch("age", "age is a number, but is compared with the boolean true")),
        ("region > 'M'", mismatch("region", "region is text; '>' orders numbers and dates only")),
        ("region = 5", mismatch("region", "region is text, but is compared with the number 5")),
        (
            "region IN (true)",
            mismatch("region", "region is text, but is compared with the boolean true"),
        ),
        ("vip < true", mismatch("vip", "vip is a boolean; '<' orders numbers and dates only")),
        ("vip = 'yes'", mismatch("vip", "vip is a boolean, but is compared with the text 'yes'")),
        ("vip = 1.5", mismatch("vip", "vip is a boolean, but is compared with the number 1.5")),
        (
            "since = '2023-02-29'",
            mismatch(
                "since",
                "since is a date, but is compared with the text '2023-02-29', not a date written YYYY-MM-DD",
            ),
        ),
        (
            "since = '2024-2-1'",
            mismatch(
                "since",
                "since is a date, but is compared with the text '2024-2-1', not a date written YYYY-MM-DD",
            ),
        ),
        (
            "since < 20240101",
            mismatch("since", "since is a date, but is compared with the number 20240101"),
        ),
        (
            "since = false",
            mismatch("since", "since is a date, but is compared with the boolean false"),
        ),
    ],
)
def test_each_type_rule(text: str, problem: TypeProblem) -> None:
    assert type_errors(parse(text), TYPES) == [problem]


def test_every_problem_is_reported_in_order_of_appearance() -> None:
    model = parse("agee = 1 OR (region > 5 AND NOT vip IN (1, true, 'x')) OR age = 2")
    assert type_errors(model, TYPES) == [
        TypeProblem("agee", "expression.attribute.unknown", "unknown attribute 'agee'"),
        mismatch("region", "region is text; '>' orders numbers and dates only"),
        mismatch("region", "region is text, but is compared with the number 5"),
        mismatch("vip", "vip is a boolean, but is compared with the number 1"),
        mismatch("vip", "vip is a boolean, but is compared with the text 'x'"),
    ]


def test_a_type_expressions_cannot_use_is_a_mismatch() -> None:
    assert type_errors(parse("phone = '1'"), {"phone": "phone"}) == [
        mismatch("phone", "phone has the type 'phone', which rule expressions cannot compare")
    ]


def test_long_or_odd_text_is_shown_short_and_on_one_line() -> None:
    [problem] = type_errors(Comparison("age", "=", "x\n" + "y" * 100), TYPES)
    assert problem.message == (
        "age is a number, but is compared with the text 'x\\u000ayyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy...'"
    )
