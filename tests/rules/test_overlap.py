"""Overlap analysis: what a reviewer is told about exclusions and shared lists, with the
interval logic cross-checked against brute force through `evaluate`."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genesys_reconcile.manifest.yaml import load_file
from genesys_reconcile.rules.expression import (
    OPERATORS,
    Comparison,
    Literal,
    evaluate,
)
from genesys_reconcile.rules.model import (
    Criterion,
    Exclusion,
    OneOf,
    Range,
    Segmentation,
    from_document,
)
from genesys_reconcile.rules.overlap import Overlap, analyse, analyse_across
from tests.conftest import ROOT

CAMPAIGNS = sorted((ROOT / "campaigns").glob("*.yaml"))


def campaign(
    criteria: Sequence[Criterion],
    exclusions: Sequence[tuple[str, str, Literal]] = (),
    *,
    name: str = "Test",
    lists: tuple[str, ...] = ("Primary Leads",),
) -> Segmentation:
    excluded = tuple(Exclusion(a, op, v, i) for i, (a, op, v) in enumerate(exclusions))
    return Segmentation(name, lists, tuple(criteria), excluded)


def at(findings: list[Overlap], path: tuple[str | int, ...]) -> list[Overlap]:
    return [f for f in findings if f.path == path]


def data(path: Path) -> dict[str, Any]:
    return load_file(path).data


def assert_readable(findings: list[Overlap]) -> None:
    for finding in findings:
        assert finding.severity in ("error", "warning")
        assert finding.message.isprintable()  # one line, control characters escaped
        assert not finding.message.endswith(".")


AGES = [Range("age", 25, 55)]

# --- one campaign: exclusions against the criteria --------------------------------------------


def test_the_reviewers_example_an_exclusion_that_removes_everyone_is_an_error() -> None:
    seg = campaign(AGES, [("do_not_call", "=", True), ("age", ">", 20)])
    assert analyse(seg) == [
        Overlap(
            "error",
            "exclusions[1] (age > 20) removes every contact the demographics select (age 25 to 55): the campaign would dial no one",
            ("exclusions", 1),
        )
    ]


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        # Inclusive criteria bounds against inclusive and exclusive exclusion bounds.
        (">=", 25, "error"),
        (">", 25, None),
        (">", 24.5, "error"),
        ("<=", 55, "error"),
        ("<", 55, None),
        ("<", 55.5, "error"),
        (">", 55, "warning"),
        (">=", 55, None),
        ("<", 25, "warning"),
        ("<=", 25, None),
        ("!=", 24, "error"),
        ("!=", 25, None),
        ("=", 40, None),
        ("=", 56, "warning"),
        ("=", 25.0, None),
        # A literal of another kind never matches a number.
        ("=", "30", "warning"),
        ("=", True, "warning"),
        ("!=", "30", "warning"),
    ],
)
def test_an_exclusion_against_a_closed_range(operator: str, value: Literal, expected: str) -> None:
    findings = analyse(campaign(AGES, [("age", operator, value)]))
    assert [f.severity for f in findings] == ([expected] if expected else [])
    assert all(f.path == ("exclusions", 0) and "age" in f.message for f in findings)


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        (">=", 18, "error"),
        (">", 17, "error"),
        (">", 18, None),
        ("<", 18, "warning"),
        ("<", 99, None),
    ],
)
def test_an_exclusion_against_an_open_range(operator: str, value: int, expected: str) -> None:
    findings = analyse(campaign([Range("age", 18, None)], [("age", operator, value)]))
    assert [f.severity for f in findings] == ([expected] if expected else [])
    assert all("age at least 18" in f.message for f in findings)


@pytest.mark.parametrize(
    ("operator", "value", "expected"),
    [
        ("=", "NY", "warning"),
        ("!=", "NY", "error"),
        ("!=", "CA", None),
        ("=", "CA", None),
        ("<", "CA", "warning"),
        (">=", "CA", "error"),
        ("<", "TX", None),
        ("=", 1, "warning"),
    ],
)
def test_an_exclusion_against_allowed_values(operator: str, value: str, expected: str) -> None:
    findings = analyse(campaign([OneOf("region", ("CA", "TX"))], [("region", operator, value)]))
    assert [f.severity for f in findings] == ([expected] if expected else [])
    assert all("{CA, TX}" in f.message for f in findings)


def test_an_exclusion_that_never_applies_says_what_the_demographics_select() -> None:
    seg = campaign([OneOf("region", ("CA", "TX"))], [("region", "=", "NY")])
    assert analyse(seg) == [
        Overlap(
            "warning",
            "exclusions[0] (region = 'NY') can never apply: the demographics select region in {CA, TX}, so it has no effect",
            ("exclusions", 0),
        )
    ]


def test_dates_order_as_text() -> None:
    purchases = [OneOf("last_purchase", ("2023-05-01", "2023-11-30"))]
    assert (
        analyse(campaign(purchases, [("last_purchase", "<", "2024-01-01")]))[0].severity == "error"
    )
    assert analyse(campaign(purchases, [("last_purchase", "<", "2023-06-01")])) == []
    assert analyse(campaign(purchases, [("last_purchase", ">", "2023-11-30")]))[0].severity == (
        "warning"
    )


def test_an_exclusion_on_an_attribute_without_criteria_alarms_no_one() -> None:
    # Without a criterion the attribute may hold any value, or none: nothing is certain.
    seg = campaign(
        AGES, [("score", ">", 20), ("do_not_call", "!=", True), ("day", "<", "2024-01-01")]
    )
    assert analyse(seg) == []


def test_ordering_a_boolean_never_applies_even_without_criteria() -> None:
    [finding] = analyse(campaign([], [("do_not_call", ">", True)]))
    assert finding.severity == "warning"
    assert finding.path == ("exclusions", 0)
    assert "do_not_call > true" in finding.message and "no order" in finding.message


def test_an_exclusion_no_value_satisfies_never_applies() -> None:
    assert analyse(campaign([], [("name", "<", "")])) == [
        Overlap(
            "warning",
            "exclusions[0] (name < '') can never apply: no value satisfies it, so it has no effect",
            ("exclusions", 0),
        )
    ]


@pytest.mark.parametrize(("upper", "redundant"), [("a\x00", 1), ("a\x01", 0)])
def test_text_is_not_dense(upper: str, redundant: int) -> None:
    # Nothing sorts strictly between 'a' and 'a' + NUL, so code < 'a\x00' removes only what
    # code <= 'a' does; 'a\x00' itself lies below 'a\x01'.
    findings = analyse(campaign([], [("code", "<=", "a"), ("code", "<", upper)]))
    assert [(f.severity, f.path) for f in findings] == [("warning", ("exclusions", redundant))]
    assert "is redundant" in findings[0].message


def test_exclusions_that_together_remove_everyone_are_an_error() -> None:
    seg = campaign(AGES, [("age", "<", 40), ("region", "=", "CA"), ("age", ">=", 40)])
    assert analyse(seg) == [
        Overlap(
            "error",
            "exclusions[0] (age < 40) and exclusions[2] (age >= 40) together remove every contact the demographics select (age 25 to 55): the campaign would dial no one",
            ("exclusions",),
        )
    ]


def test_exclusions_that_leave_a_gap_are_fine() -> None:
    assert analyse(campaign(AGES, [("age", "<", 40), ("age", ">", 40)])) == []


def test_a_narrower_exclusion_is_redundant() -> None:
    findings = analyse(campaign([], [("x", ">", 30), ("x", ">", 40)]))
    assert findings == [
        Overlap(
            "warning",
            "exclusions[1] (x > 40) is redundant: exclusions[0] (x > 30) already removes every contact it would",
            ("exclusions", 1),
        )
    ]
    # Whichever comes first, the narrower one is named.
    findings = analyse(campaign([], [("x", ">", 40), ("x", ">", 30)]))
    assert [f.path for f in findings] == [("exclusions", 0)]


def test_a_redundant_exclusion_names_one_that_is_not_itself_redundant() -> None:
    findings = analyse(campaign([], [("x", ">", 40), ("x", ">", 30), ("x", ">", 50)]))
    assert [f.path for f in findings] == [("exclusions", 0), ("exclusions", 2)]
    assert all("already removes" in f.message for f in findings)
    assert all(f.message.split(": ")[1].startswith("exclusions[1] (x > 30)") for f in findings)


def test_of_two_equal_exclusions_the_later_is_redundant() -> None:
    findings = analyse(campaign([], [("do_not_call", "=", True), ("do_not_call", "=", True)]))
    assert [(f.severity, f.path) for f in findings] == [("warning", ("exclusions", 1))]


def test_redundancy_within_what_the_demographics_select_says_so() -> None:
    # Alone, region != 'CA' removes far more than region = 'TX'; among CA and TX, the same.
    seg = campaign([OneOf("region", ("CA", "TX"))], [("region", "=", "TX"), ("region", "!=", "CA")])
    assert analyse(seg) == [
        Overlap(
            "warning",
            "exclusions[1] (region != 'CA') is redundant: exclusions[0] (region = 'TX') already removes every contact it would among those the demographics select (region in {CA, TX})",
            ("exclusions", 1),
        )
    ]


def test_an_exclusion_inside_a_wider_one_is_redundant_wherever_it_stands() -> None:
    assert analyse(campaign([], [("score", ">", 20), ("score", "!=", 3)])) == [
        Overlap(
            "warning",
            "exclusions[0] (score > 20) is redundant: exclusions[1] (score != 3) already removes every contact it would",
            ("exclusions", 0),
        )
    ]
    assert analyse(campaign([], [("score", ">", 20), ("score", "<", 30)])) == []


def test_no_redundancy_is_reported_beside_an_exclusion_that_removes_everyone() -> None:
    findings = analyse(campaign(AGES, [("age", ">", 20), ("age", ">", 30)]))
    assert [(f.severity, f.path) for f in findings] == [("error", ("exclusions", 0))]


def test_empty_criteria_are_errors_and_silence_their_exclusions() -> None:
    seg = campaign([Range("age", 60, 30), OneOf("region", ())], [("age", ">", 20)])
    assert analyse(seg) == [
        Overlap(
            "error",
            "age has minimum 60 above its maximum 30: the campaign would dial no one",
            ("demographics", "age", "max"),
        ),
        Overlap(
            "error",
            "region allows no value: the campaign would dial no one",
            ("demographics", "region"),
        ),
    ]


def test_a_one_value_range_is_not_empty() -> None:
    assert analyse(campaign([Range("age", 30, 30)])) == []


def test_findings_are_sorted_and_do_not_depend_on_the_order_of_exclusions() -> None:
    exclusions = [("region", "=", "NY"), ("age", ">", 20), ("do_not_call", ">", False)]
    criteria: list[Criterion] = [Range("age", 25, 55), OneOf("region", ("CA", "TX"))]
    findings = analyse(campaign(criteria, exclusions))
    assert [f.path for f in findings] == [
        ("exclusions", 0),
        ("exclusions", 1),
        ("exclusions", 2),
    ]
    shuffled = dataclasses.replace(
        campaign(criteria, exclusions),
        exclusions=tuple(reversed(campaign(criteria, exclusions).exclusions)),
    )
    assert analyse(shuffled) == findings
    assert_readable(findings)


def test_paths_sort_by_number_not_by_text() -> None:
    exclusions = [("score", "=", n) for n in range(12)]
    findings = analyse(campaign([Range("score", 20, 30)], exclusions))
    assert [f.path for f in findings] == [("exclusions", n) for n in range(12)]


# --- the repository's examples -----------------------------------------------------------------


def test_the_repository_examples_raise_no_finding() -> None:
    models = [from_document(data(path)) for path in CAMPAIGNS]
    assert len(models) >= 3
    assert [analyse(m) for m in models] == [[] for _ in models]
    # Spring Outreach and the win-back campaign share a list but not an engagement score.
    assert any(set(a.lists) & set(b.lists) for a in models for b in models if a is not b)
    assert analyse_across(models) == []


def spring_and_win_back(max_score: int, *spring_exclusions: dict[str, Any]) -> list[Segmentation]:
    """The two example files sharing 'Primary Leads', with the win-back range widened to
    `max_score` and exclusions added to Spring Outreach."""
    win_back = data(ROOT / "campaigns" / "lapsed-customer-win-back.yaml")
    win_back["demographics"]["engagement_score"]["max"] = max_score
    spring = data(ROOT / "campaigns" / "spring-outreach.yaml")
    spring["exclusions"] += list(spring_exclusions)
    return [from_document(win_back), from_document(spring)]


def test_a_planted_overlap_between_the_examples_is_reported_on_the_later_file() -> None:
    assert analyse_across(spring_and_win_back(75)) == [
        (
            1,
            Overlap(
                "warning",
                "shares list 'Primary Leads' with campaign 'Lapsed Customer Win-Back', and a contact with age 25 to 55 and engagement_score 70 to 75 and region in {CA, TX} matches both: it could be dialled twice",
                ("lists",),
            ),
        )
    ]


def test_touching_ranges_overlap_in_one_value() -> None:
    [(index, finding)] = analyse_across(spring_and_win_back(70))
    assert index == 1 and "engagement_score 70 and" in finding.message


def test_an_exclusion_that_removes_the_intersection_means_no_overlap() -> None:
    removing = {"attribute": "engagement_score", "operator": "<=", "value": 75}
    assert analyse_across(spring_and_win_back(75, removing)) == []
    leaving = {"attribute": "engagement_score", "operator": "<", "value": 75}
    [(_, finding)] = analyse_across(spring_and_win_back(75, leaving))
    assert "engagement_score 75 and" in finding.message


def test_an_exclusion_of_one_campaign_narrows_the_overlap_it_reports() -> None:
    one = campaign(
        [Range("age", 25, 55), OneOf("region", ("NW", "CA", "TX"))], name="Spring Outreach"
    )
    two = campaign(
        [Range("age", 30, None), OneOf("region", ("CA", "TX", "NY"))],
        [("region", "=", "TX")],
        name="Other",
    )
    [(index, finding)] = analyse_across([one, two])
    assert index == 1
    assert finding.message == (
        "shares list 'Primary Leads' with campaign 'Spring Outreach', and a contact with age 30 to 55 and region CA matches both: it could be dialled twice"
    )


def test_the_finding_goes_to_the_later_campaign_and_names_the_earlier() -> None:
    one = campaign([Range("age", 25, 55)], name="One")
    two = campaign([Range("age", 30, 60)], name="Two")
    [(index, finding)] = analyse_across([one, two])
    assert (index, finding.severity, finding.path) == (1, "warning", ("lists",))
    assert "campaign 'One'" in finding.message and "age 30 to 55" in finding.message
    [(index, finding)] = analyse_across([two, one])
    assert index == 1 and "campaign 'Two'" in finding.message


def test_a_campaign_without_criteria_selects_everyone_on_its_lists() -> None:
    everyone = campaign([], name="Everyone", lists=("Secondary Leads", "Other"))
    spring = from_document(data(ROOT / "campaigns" / "spring-outreach.yaml"))
    [(index, finding)] = analyse_across([spring, everyone])
    assert index == 1
    assert finding.message == (
        "shares list 'Secondary Leads' with campaign 'Spring Outreach', and a contact with age 25 to 55 and engagement_score 70 to 100 and region in {CA, NW, TX} matches both: it could be dialled twice"
    )
    [(_, finding)] = analyse_across(
        [campaign([], name="A", lists=("L", "M")), campaign([], name="B", lists=("M", "L"))]
    )
    assert finding.message.startswith("shares lists 'L' and 'M' with campaign 'A'")


def test_campaigns_that_share_no_list_never_overlap() -> None:
    one = campaign(AGES, name="One", lists=("Primary Leads",))
    two = campaign(AGES, name="Two", lists=("primary leads",))  # names match exactly or not at all
    assert analyse_across([one, two]) == []


def test_two_files_for_one_campaign_are_not_an_overlap() -> None:
    # That is a clash of identity, not a contact dialled by two campaigns.
    assert analyse_across([campaign(AGES, name="Same"), campaign(AGES, name="Same")]) == []


def test_disjoint_audiences_on_any_one_attribute_do_not_overlap() -> None:
    one = campaign([Range("age", 25, 55), OneOf("region", ("CA",))], name="One")
    two = campaign([Range("age", 30, 40), OneOf("region", ("TX",))], name="Two")
    assert analyse_across([one, two]) == []


def test_exclusions_on_an_attribute_neither_campaign_constrains_leave_the_overlap() -> None:
    one = campaign(AGES, [("do_not_call", "=", True)], name="One")
    two = campaign(AGES, [("do_not_call", "!=", True)], name="Two")
    # A contact with no do_not_call value at all is excluded by neither.
    assert len(analyse_across([one, two])) == 1


def test_across_findings_are_ordered_by_campaign() -> None:
    found = analyse_across([campaign(AGES, name=n) for n in ("A", "B", "C")])
    assert [index for index, _ in found] == [1, 2, 2]
    assert [f.message.split("campaign ")[1][:3] for _, f in found] == ["'A'", "'A'", "'B'"]


# --- properties: the interval logic against brute force ----------------------------------------

# Constants are whole or half numbers in [-10, 10]; every quarter in [-12, 12] then lies beyond
# each constant, on each constant and between any two, which is every place a set of values
# built from them can begin, end or have a gap.
HALVES = st.integers(-20, 20).map(lambda n: n // 2 if n % 2 == 0 else n / 2)
POINTS = [n / 4 for n in range(-48, 49)]
OPERATOR = st.sampled_from(sorted(OPERATORS))
VALUE = st.one_of(HALVES, HALVES, st.booleans(), st.sampled_from(["5", "a", ""]))


@st.composite
def ranges(draw: st.DrawFn) -> Range:
    low, high = draw(st.none() | HALVES), draw(st.none() | HALVES)
    if low is not None and high is not None and low > high:
        low, high = high, low
    return Range("x", low, high)


def selected(criterion: Range) -> set[float]:
    conditions = [Comparison("x", ">=", criterion.minimum)] if criterion.minimum is not None else []
    if criterion.maximum is not None:
        conditions.append(Comparison("x", "<=", criterion.maximum))
    return {p for p in POINTS if all(evaluate(c, {"x": p}) for c in conditions)}


def hit(points: set[float], operator: str, value: Literal) -> set[float]:
    return {p for p in points if evaluate(Comparison("x", operator, value), {"x": p})}


@given(ranges(), OPERATOR, VALUE)
def test_one_exclusion_agrees_with_brute_force(
    criterion: Range, operator: str, value: Literal
) -> None:
    chosen = selected(criterion)
    removed = hit(chosen, operator, value)
    findings = analyse(campaign([criterion], [("x", operator, value)]))
    expected = ["error"] if removed == chosen else ["warning"] if not removed else []
    assert [f.severity for f in at(findings, ("exclusions", 0))] == expected
    assert findings == at(findings, ("exclusions", 0))
    assert_readable(findings)


@given(ranges(), OPERATOR, VALUE, OPERATOR, VALUE)
def test_two_exclusions_agree_with_brute_force(
    criterion: Range, op0: str, value0: Literal, op1: str, value1: Literal
) -> None:
    chosen = selected(criterion)
    first, second = hit(chosen, op0, value0), hit(chosen, op1, value1)
    expected: set[tuple[str, tuple[str | int, ...]]] = set()
    expected |= {("warning", ("exclusions", i)) for i, h in enumerate([first, second]) if not h}
    if first | second == chosen:
        expected |= {
            ("error", ("exclusions", i)) for i, h in enumerate([first, second]) if h == chosen
        }
        if chosen not in (first, second):
            expected.add(("error", ("exclusions",)))
    elif second and second <= first:
        expected.add(("warning", ("exclusions", 1)))
    elif first and first < second:
        expected.add(("warning", ("exclusions", 0)))
    findings = analyse(campaign([criterion], [("x", op0, value0), ("x", op1, value1)]))
    assert {(f.severity, f.path) for f in findings} == expected
    assert len(findings) == len(expected)
    assert_readable(findings)


POOL: list[Literal] = [0, 1, 1.0, 2, 2.5, True, False, "a", "b", "", "1"]


@given(st.lists(st.sampled_from(POOL), min_size=1, max_size=4), OPERATOR, st.sampled_from(POOL))
def test_allowed_values_of_mixed_kinds_agree_with_brute_force(
    values: list[Literal], operator: str, value: Literal
) -> None:
    # The allowed values are exactly the values a selected contact can have.
    removed = [v for v in values if evaluate(Comparison("x", operator, value), {"x": v})]
    findings = analyse(campaign([OneOf("x", tuple(values))], [("x", operator, value)]))
    expected = ["error"] if len(removed) == len(values) else ["warning"] if not removed else []
    assert [f.severity for f in findings] == expected


@given(ranges(), ranges(), st.lists(st.tuples(OPERATOR, HALVES), max_size=3))
def test_overlap_across_campaigns_agrees_with_brute_force(
    one: Range, two: Range, exclusions: list[tuple[str, float]]
) -> None:
    both = selected(one) & selected(two)
    for operator, value in exclusions:
        both -= hit(both, operator, value)
    first = campaign([one], [("x", op, v) for op, v in exclusions[:1]], name="One")
    second = campaign([two], [("x", op, v) for op, v in exclusions[1:]], name="Two")
    found = analyse_across([first, second])
    assert [(i, f.severity, f.path) for i, f in found] == (
        [(1, "warning", ("lists",))] if both else []
    )
    assert_readable([f for _, f in found])
