"""Overlaps, conflicts and empty audiences in campaign segmentation, found by set algebra.

Two analyses, each on the structured model rather than on rendered text:

- `analyse`: one campaign's file. Criteria that select no one, exclusions that remove every
  contact the criteria select (alone or together), exclusions that can never apply, and
  exclusions another one makes redundant.
- `analyse_across`: several campaigns. Two campaigns that share a contact list and whose
  audiences, after both campaigns' exclusions, still intersect: a contact could be dialled twice.

Every criterion and exclusion constrains one attribute, and a contact's attributes vary
independently, so an audience is a product of per-attribute sets of values and each question is
answered exactly, attribute by attribute. A set of values holds numbers and strings as unions of
intervals (open or closed ends; numbers are treated as reals, strings ordered as Python orders
them, so ISO dates order correctly), booleans as a plain set, and one flag for a missing value
or one of a type no literal compares with, which no criterion or exclusion ever matches. This
follows `expression.evaluate`: a literal only ever matches values of its own kind, and booleans
have no order.
"""

from __future__ import annotations

import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, NamedTuple, TypeVar

from genesys_reconcile.rules import expression as ex
from genesys_reconcile.rules.model import Criterion, Exclusion, OneOf, Range, Segmentation

__all__ = ["Overlap", "analyse", "analyse_across"]

ERROR = "error"
WARNING = "warning"

Path = tuple[str | int, ...]

T = TypeVar("T", float, str)


@dataclass(frozen=True)
class Overlap:
    """One finding: `severity` is "error" when the outcome is certainly wrong, else "warning";
    `path` is where in the file it belongs (() for the whole file or rule set)."""

    severity: str
    message: str
    path: Path


# --- sets of values ----------------------------------------------------------------------------


# Sets are built and combined a few hundred times per file, so their parts are tuples: far
# cheaper to make than dataclasses.
class _Bound(NamedTuple, Generic[T]):
    value: T
    closed: bool


class _Interval(NamedTuple, Generic[T]):
    low: _Bound[T] | None = None  # None: unbounded
    high: _Bound[T] | None = None


def _is_empty(interval: _Interval[T]) -> bool:
    low, high = interval
    if high is not None and high.value == "" and not high.closed:
        return True  # no string sorts before ""
    if low is None or high is None:
        return False
    if low.value == high.value:
        return not (low.closed and high.closed)
    if low.value > high.value:
        return True
    # Strings are not dense: nothing lies strictly between s and s + "\0".
    return (
        isinstance(low.value, str)
        and not (low.closed or high.closed)
        and (high.value == low.value + "\0")
    )


def _later_low(a: _Bound[T] | None, b: _Bound[T] | None) -> _Bound[T] | None:
    if a is None or b is None:
        return b if a is None else a
    if a.value != b.value:
        return a if a.value > b.value else b
    return a if not a.closed else b


def _earlier_high(a: _Bound[T] | None, b: _Bound[T] | None) -> _Bound[T] | None:
    if a is None or b is None:
        return b if a is None else a
    if a.value != b.value:
        return a if a.value < b.value else b
    return a if not a.closed else b


_ALL: tuple[_Interval[Any], ...] = (_Interval(),)  # every value of a type


# Interval lists are kept sorted and disjoint, and hold no empty interval; both operations below
# preserve that, so no list is ever sorted, and the values of one list are always of one type.
def _intersect(a: Sequence[_Interval[T]], b: Sequence[_Interval[T]]) -> tuple[_Interval[T], ...]:
    if not a or not b:
        return ()
    if a == _ALL:
        return tuple(b)  # what meets every value is the other set itself
    if b == _ALL:
        return tuple(a)
    meets = []
    for x in a:
        for y in b:
            meet = _Interval(_later_low(x.low, y.low), _earlier_high(x.high, y.high))
            if not _is_empty(meet):
                meets.append(meet)
    return tuple(meets)


def _complement(intervals: Sequence[_Interval[T]]) -> tuple[_Interval[T], ...]:
    if not intervals:
        return _ALL
    if intervals == _ALL:
        return ()
    gaps: list[_Interval[T]] = []
    start: _Bound[T] | None = None
    for low, high in intervals:
        if low is not None:
            gap = _Interval(start, _Bound(low.value, not low.closed))
            if not _is_empty(gap):
                gaps.append(gap)
        if high is None:
            return tuple(gaps)
        start = _Bound(high.value, not high.closed)
    gap = _Interval(start, None)
    if not _is_empty(gap):
        gaps.append(gap)
    return tuple(gaps)


_BOOLEANS = frozenset({False, True})


class _Values(NamedTuple):
    """The values one attribute of a contact may have."""

    numbers: tuple[_Interval[float], ...] = ()
    strings: tuple[_Interval[str], ...] = ()
    booleans: frozenset[bool] = frozenset()
    other: bool = False  # missing, or of a type no literal compares with

    def __and__(self, that: _Values) -> _Values:
        return _Values(
            _intersect(self.numbers, that.numbers),
            _intersect(self.strings, that.strings),
            self.booleans & that.booleans,
            self.other and that.other,
        )

    def __invert__(self) -> _Values:
        return _Values(
            _complement(self.numbers),
            _complement(self.strings),
            _BOOLEANS - self.booleans,
            not self.other,
        )

    def __sub__(self, that: _Values) -> _Values:
        return self & ~that

    @property
    def empty(self) -> bool:
        return not (self.numbers or self.strings or self.booleans or self.other)

    def within(self, that: _Values) -> bool:
        return (self - that).empty


EVERYTHING = ~_Values()
NOTHING = _Values()


_Shape = Callable[[_Bound[Any], _Bound[Any]], tuple[_Interval[Any], ...]]
# Per operator, the values it holds for, from the bounds at and just past its literal.
_SHAPES: dict[str, _Shape] = {
    "=": lambda at, past: (_Interval(at, at),),
    "!=": lambda at, past: (_Interval(None, past), _Interval(past, None)),
    "<": lambda at, past: (_Interval(None, past),),
    "<=": lambda at, past: (_Interval(None, at),),
    ">": lambda at, past: (_Interval(past, None),),
    ">=": lambda at, past: (_Interval(at, None),),
}


def _compared(operator: str, value: T) -> tuple[_Interval[T], ...]:
    shapes = _SHAPES[operator](_Bound(value, True), _Bound(value, False))
    return tuple(i for i in shapes if not _is_empty(i))


def _matching(operator: str, value: ex.Literal) -> _Values:
    """The values `attribute <operator> value` holds for."""
    if isinstance(value, bool):  # before int: a bool is never a number
        if operator in ("=", "!="):
            return _Values(booleans=frozenset({value == (operator == "=")}))
        return NOTHING
    if isinstance(value, str):
        return _Values(strings=_compared(operator, value))
    return _Values(numbers=_compared(operator, value))


def _any_of(values: Iterable[ex.Literal]) -> _Values:
    return _join_all(_matching("=", value) for value in values)


def _criterion_values(criterion: Criterion) -> _Values:
    if isinstance(criterion, OneOf):
        return _any_of(criterion.values)
    low = None if criterion.minimum is None else _Bound(criterion.minimum, True)
    high = None if criterion.maximum is None else _Bound(criterion.maximum, True)
    interval = _Interval(low, high)
    return NOTHING if _is_empty(interval) else _Values(numbers=(interval,))


def _meet_all(sets: Iterable[_Values]) -> _Values:
    result = EVERYTHING
    for values in sets:
        result = result & values
    return result


def _join_all(sets: Iterable[_Values]) -> _Values:
    """The union of `sets`: what none of them leaves out, at one complement per set."""
    return ~_meet_all(~values for values in sets)


def _domains(segmentation: Segmentation) -> dict[str, _Values]:
    """Per constrained attribute, the values the criteria select; other attributes are free."""
    domains: dict[str, _Values] = {}
    for criterion in segmentation.criteria:
        previous = domains.get(criterion.attribute, EVERYTHING)
        domains[criterion.attribute] = previous & _criterion_values(criterion)
    return domains


# --- words -------------------------------------------------------------------------------------

_NUMBERISH = re.compile(r"-?[0-9][0-9.]*")


def _one_line(text: str) -> str:
    return "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in text)


def _quoted(text: str) -> str:
    return "'" + _one_line(text).replace("'", "''") + "'"


def _number(value: float) -> str:
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def _show_bound(value: float | None) -> str:
    return "none" if value is None else _number(value)


def _text(value: str) -> str:
    """A string as a reviewer reads it in a set: bare unless that would be ambiguous."""
    plain = bool(value) and value == value.strip() and not any(c in value for c in ",{}'")
    if plain and value not in ("true", "false") and not _NUMBERISH.fullmatch(value):
        return _one_line(value)
    return _quoted(value)


def _literal(value: ex.Literal) -> str:
    """A value as the rule expression dialect writes it."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return _quoted(value)
    return _number(value)


def _span(interval: _Interval[T], show: Callable[[T], str], anything: str) -> str:
    low, high = interval.low, interval.high
    if low is not None and high is not None and low.closed and high.closed:
        return f"{show(low.value)} to {show(high.value)}"
    parts = []
    if low is not None:
        parts.append(f"{'at least' if low.closed else 'above'} {show(low.value)}")
    if high is not None:
        parts.append(f"{'at most' if high.closed else 'below'} {show(high.value)}")
    return " and ".join(parts) or anything


def _is_point(interval: _Interval[T]) -> bool:
    low, high = interval.low, interval.high
    return low is not None and high is not None and low.value == high.value


def _describe(values: _Values) -> str:
    """`25 to 55`, `at least 18`, `in {CA, TX}`, `CA`, or a union of such parts."""
    if values.other:
        return "any value"
    points = [_number(i.low.value) for i in values.numbers if i.low is not None and _is_point(i)]
    points += [_text(i.low.value) for i in values.strings if i.low is not None and _is_point(i)]
    points += [_literal(b) for b in sorted(values.booleans)]
    parts = [_span(i, _number, "any number") for i in values.numbers if not _is_point(i)]
    parts += [_span(i, _text, "any text") for i in values.strings if not _is_point(i)]
    if len(points) == 1:
        parts.append(points[0])
    elif points:
        parts.append("in {" + ", ".join(points) + "}")
    return " or ".join(parts) or "nothing"


def _listed(words: Sequence[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


# --- one campaign ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Excluding:
    """An exclusion with its place in the file and the values it matches."""

    index: int
    exclusion: Exclusion
    matches: _Values

    @property
    def name(self) -> str:
        e = self.exclusion
        return f"exclusions[{self.index}] ({e.attribute} {e.operator} {_literal(e.value)})"

    @property
    def path(self) -> Path:
        return ("exclusions", self.index)


def analyse(segmentation: Segmentation) -> list[Overlap]:
    """What a reviewer must know about one campaign's criteria and exclusions."""
    findings = list(_empty_criteria(segmentation))
    domains = _domains(segmentation)
    for attribute, excluding in _exclusions_by_attribute(segmentation).items():
        domain = domains.get(attribute, EVERYTHING)
        if not domain.empty:  # else the criterion's own error says all there is to say
            selected = f"{attribute} {_describe(domain)}"
            findings += _exclusion_findings(domain, selected, excluding)
    return _ordered(findings)


def _empty_criteria(segmentation: Segmentation) -> Iterator[Overlap]:
    dials_no_one = "the campaign would dial no one"
    for criterion in segmentation.criteria:
        name = criterion.attribute
        if isinstance(criterion, OneOf) and not criterion.values:
            yield Overlap(ERROR, f"{name} allows no value: {dials_no_one}", ("demographics", name))
        elif isinstance(criterion, Range) and _criterion_values(criterion).empty:
            low, high = _show_bound(criterion.minimum), _show_bound(criterion.maximum)
            message = f"{name} has minimum {low} above its maximum {high}: {dials_no_one}"
            yield Overlap(ERROR, message, ("demographics", name, "max"))


def _exclusions_by_attribute(segmentation: Segmentation) -> dict[str, list[_Excluding]]:
    grouped: dict[str, list[_Excluding]] = defaultdict(list)
    for position, e in enumerate(segmentation.exclusions):
        # A model built by hand may leave index unset; its position then stands in.
        index = e.index if e.index >= 0 else position
        grouped[e.attribute].append(_Excluding(index, e, _matching(e.operator, e.value)))
    for excluding in grouped.values():
        excluding.sort(key=lambda x: x.index)
    return grouped


def _exclusion_findings(
    domain: _Values, selected: str, excluding: Sequence[_Excluding]
) -> list[Overlap]:
    findings = list(_removing_everything(domain, selected, excluding))
    findings += _never_applying(domain, selected, excluding)
    if not findings or all(f.severity == WARNING for f in findings):
        # Beside an exclusion that removes everything, every other one is redundant: noise.
        findings += _redundant(domain, selected, excluding)
    return findings


def _removing_everything(
    domain: _Values, selected: str, excluding: Sequence[_Excluding]
) -> Iterator[Overlap]:
    consequence = f"the demographics select ({selected}): the campaign would dial no one"
    alone = [x for x in excluding if domain.within(x.matches)]
    for x in alone:
        yield Overlap(ERROR, f"{x.name} removes every contact {consequence}", x.path)
    applying = [x for x in excluding if not (domain & x.matches).empty]
    if not alone and domain.within(_union(applying)):
        names = _listed([x.name for x in applying])
        yield Overlap(
            ERROR, f"{names} together remove every contact {consequence}", ("exclusions",)
        )


def _union(excluding: Iterable[_Excluding]) -> _Values:
    return _join_all(x.matches for x in excluding)


def _never_applying(
    domain: _Values, selected: str, excluding: Sequence[_Excluding]
) -> Iterator[Overlap]:
    for x in excluding:
        if not (domain & x.matches).empty:
            continue
        if isinstance(x.exclusion.value, bool) and x.matches.empty:
            reason = "true and false have no order"
        elif x.matches.empty:
            reason = "no value satisfies it"
        else:
            reason = f"the demographics select {selected}"
        yield Overlap(WARNING, f"{x.name} can never apply: {reason}, so it has no effect", x.path)


def _redundant(
    domain: _Values, selected: str, excluding: Sequence[_Excluding]
) -> Iterator[Overlap]:
    def covers(a: _Excluding, b: _Excluding) -> bool:
        """Whether `a` removes every selected contact `b` does; of two equal, the first wins."""
        a_part, b_part = domain & a.matches, domain & b.matches
        return (
            a is not b
            and b_part.within(a_part)
            and (a.index < b.index or not a_part.within(b_part))
        )

    live = [x for x in excluding if not (domain & x.matches).empty]
    redundant = [b for b in live if any(covers(a, b) for a in live)]
    for b in redundant:
        # Name one that is not itself redundant: "covers" is a strict order, so one exists.
        a = next(a for a in live if a not in redundant and covers(a, b))
        among = (
            ""
            if b.matches.within(a.matches)
            else f" among those the demographics select ({selected})"
        )
        message = f"{b.name} is redundant: {a.name} already removes every contact it would{among}"
        yield Overlap(WARNING, message, b.path)


# --- several campaigns -------------------------------------------------------------------------


def analyse_across(segmentations: Sequence[Segmentation]) -> list[tuple[int, Overlap]]:
    """Pairs of campaigns that could dial the same contact; each finding is attached to the
    later campaign of its pair, by its index in `segmentations`."""

    @functools.cache
    def audience(index: int) -> _Audience:
        # Only campaigns that share a list are compared, and most share none.
        return _Audience.of(segmentations[index])

    found: list[tuple[int, Overlap]] = []
    for earlier, later in _sharing_a_list(segmentations):
        first, second = segmentations[earlier], segmentations[later]
        shared = sorted(set(first.lists) & set(second.lists))
        # Two files for one campaign are a clash of identity, reported elsewhere, not overlap.
        if not shared or first.campaign == second.campaign:
            continue
        common = audience(earlier).dialled_with(audience(later))
        if common is not None:
            found.append((later, Overlap(WARNING, _shared(first, shared, common), ("lists",))))
    return sorted(found, key=lambda f: (f[0], _path_key(f[1].path), f[1].message))


def _sharing_a_list(segmentations: Sequence[Segmentation]) -> list[tuple[int, int]]:
    """The pairs of campaigns that share a list, found through an index by list: a large org
    has thousands of campaigns, few of which share lists, so all pairs would be wasted work."""
    by_list: dict[str, list[int]] = {}
    for index, segmentation in enumerate(segmentations):
        for name in set(segmentation.lists):
            by_list.setdefault(name, []).append(index)
    pairs = {pair for members in by_list.values() for pair in itertools.combinations(members, 2)}
    return sorted(pairs)


@dataclass(frozen=True)
class _Audience:
    """Per attribute, what a campaign's criteria select and what its exclusions remove."""

    selected: dict[str, _Values]
    excluded: dict[str, _Values]
    # Per attribute either constrains, the values it dials: made once per campaign, as a
    # campaign is compared with every other one on its lists.
    dialled: dict[str, _Values]

    @classmethod
    def of(cls, segmentation: Segmentation) -> _Audience:
        matches: dict[str, list[_Values]] = defaultdict(list)
        for e in segmentation.exclusions:
            matches[e.attribute].append(_matching(e.operator, e.value))
        excluded = {attribute: _join_all(sets) for attribute, sets in matches.items()}
        selected = _domains(segmentation)
        dialled = {
            attribute: selected.get(attribute, EVERYTHING) - excluded.get(attribute, NOTHING)
            for attribute in selected.keys() | excluded.keys()
        }
        return cls(selected, excluded, dialled)

    def dials(self, attribute: str) -> _Values:
        return self.dialled.get(attribute, EVERYTHING)  # an attribute it leaves free: anything

    def dialled_with(self, that: _Audience) -> dict[str, _Values] | None:
        """Per attribute either campaign's criteria constrain, the values a contact dialled by
        both may have; None when there is no such contact."""
        common: dict[str, _Values] = {}
        constrained = self.selected.keys() | that.selected.keys()
        for attribute in sorted(constrained | self.excluded.keys() | that.excluded.keys()):
            left = self.dials(attribute) & that.dials(attribute)
            if left.empty:
                return None
            if attribute in constrained:
                common[attribute] = left
        return common


def _shared(other: Segmentation, lists: Sequence[str], common: dict[str, _Values]) -> str:
    noun = "list" if len(lists) == 1 else "lists"
    names = _listed([_quoted(name) for name in lists])
    head = f"shares {noun} {names} with campaign {_quoted(other.campaign)}"
    if common:
        contact = " and ".join(f"{a} {_describe(v)}" for a, v in common.items())
        who = f"a contact with {contact} matches both"
    else:
        who = "neither has demographics, so every contact neither excludes matches both"
    return f"{head}, and {who}: it could be dialled twice"


# --- order -------------------------------------------------------------------------------------


def _path_key(path: Path) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def _ordered(findings: Iterable[Overlap]) -> list[Overlap]:
    return sorted(set(findings), key=lambda f: (_path_key(f.path), f.message, f.severity))
