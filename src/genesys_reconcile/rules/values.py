"""Sets of the values one attribute of a contact may have, and what a criterion or a comparison
admits: the algebra the overlap analyses answer their questions with.

A set of values holds numbers and strings as unions of intervals (open or closed ends; numbers
are treated as reals, strings ordered as Python orders them, so ISO dates order correctly),
booleans as a plain set, and one flag for a missing value or one of a type no literal compares
with, which no criterion or exclusion ever matches. This follows `expression.evaluate`: a literal
only ever matches values of its own kind, and booleans have no order.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any, Generic, NamedTuple, TypeVar

from genesys_reconcile.rules.expression import Literal
from genesys_reconcile.rules.model import Criterion, OneOf, Segmentation

__all__ = [
    "EVERYTHING",
    "NOTHING",
    "Bound",
    "Interval",
    "Values",
    "criterion_values",
    "domains_of",
    "join_all",
    "matching",
]

T = TypeVar("T", float, str)


# Sets are built and combined a few hundred times per file, so their parts are tuples: far
# cheaper to make than dataclasses.
class Bound(NamedTuple, Generic[T]):
    value: T
    closed: bool


class Interval(NamedTuple, Generic[T]):
    low: Bound[T] | None = None  # None: unbounded
    high: Bound[T] | None = None


def _is_empty(interval: Interval[T]) -> bool:
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


def _later_low(a: Bound[T] | None, b: Bound[T] | None) -> Bound[T] | None:
    if a is None or b is None:
        return b if a is None else a
    if a.value != b.value:
        return a if a.value > b.value else b
    return a if not a.closed else b


def _earlier_high(a: Bound[T] | None, b: Bound[T] | None) -> Bound[T] | None:
    if a is None or b is None:
        return b if a is None else a
    if a.value != b.value:
        return a if a.value < b.value else b
    return a if not a.closed else b


_ALL: tuple[Interval[Any], ...] = (Interval(),)  # every value of a type


# Interval lists are kept sorted and disjoint, and hold no empty interval; both operations below
# preserve that, so no list is ever sorted, and the values of one list are always of one type.
def _intersect(a: Sequence[Interval[T]], b: Sequence[Interval[T]]) -> tuple[Interval[T], ...]:
    if not a or not b:
        return ()
    if a == _ALL:
        return tuple(b)  # what meets every value is the other set itself
    if b == _ALL:
        return tuple(a)
    meets = []
    for x in a:
        for y in b:
            meet = Interval(_later_low(x.low, y.low), _earlier_high(x.high, y.high))
            if not _is_empty(meet):
                meets.append(meet)
    return tuple(meets)


def _complement(intervals: Sequence[Interval[T]]) -> tuple[Interval[T], ...]:
    if not intervals:
        return _ALL
    if intervals == _ALL:
        return ()
    gaps: list[Interval[T]] = []
    start: Bound[T] | None = None
    for low, high in intervals:
        if low is not None:
            gap = Interval(start, Bound(low.value, not low.closed))
            if not _is_empty(gap):
                gaps.append(gap)
        if high is None:
            return tuple(gaps)
        start = Bound(high.value, not high.closed)
    gap = Interval(start, None)
    if not _is_empty(gap):
        gaps.append(gap)
    return tuple(gaps)


_BOOLEANS = frozenset({False, True})


class Values(NamedTuple):
    """The values one attribute of a contact may have."""

    numbers: tuple[Interval[float], ...] = ()
    strings: tuple[Interval[str], ...] = ()
    booleans: frozenset[bool] = frozenset()
    other: bool = False  # missing, or of a type no literal compares with

    def __and__(self, that: Values) -> Values:
        return Values(
            _intersect(self.numbers, that.numbers),
            _intersect(self.strings, that.strings),
            self.booleans & that.booleans,
            self.other and that.other,
        )

    def __invert__(self) -> Values:
        return Values(
            _complement(self.numbers),
            _complement(self.strings),
            _BOOLEANS - self.booleans,
            not self.other,
        )

    def __sub__(self, that: Values) -> Values:
        return self & ~that

    @property
    def empty(self) -> bool:
        return not (self.numbers or self.strings or self.booleans or self.other)

    def within(self, that: Values) -> bool:
        return (self - that).empty


EVERYTHING = ~Values()
NOTHING = Values()


_Shape = Callable[[Bound[Any], Bound[Any]], tuple[Interval[Any], ...]]
# Per operator, the values it holds for, from the bounds at and just past its literal.
_SHAPES: dict[str, _Shape] = {
    "=": lambda at, past: (Interval(at, at),),
    "!=": lambda at, past: (Interval(None, past), Interval(past, None)),
    "<": lambda at, past: (Interval(None, past),),
    "<=": lambda at, past: (Interval(None, at),),
    ">": lambda at, past: (Interval(past, None),),
    ">=": lambda at, past: (Interval(at, None),),
}


def _compared(operator: str, value: T) -> tuple[Interval[T], ...]:
    shapes = _SHAPES[operator](Bound(value, True), Bound(value, False))
    return tuple(i for i in shapes if not _is_empty(i))


def matching(operator: str, value: Literal) -> Values:
    """The values `attribute <operator> value` holds for."""
    if isinstance(value, bool):  # before int: a bool is never a number
        if operator in ("=", "!="):
            return Values(booleans=frozenset({value == (operator == "=")}))
        return NOTHING
    if isinstance(value, str):
        return Values(strings=_compared(operator, value))
    return Values(numbers=_compared(operator, value))


def _any_of(values: Iterable[Literal]) -> Values:
    return join_all(matching("=", value) for value in values)


def criterion_values(criterion: Criterion) -> Values:
    """The values `criterion` selects."""
    if isinstance(criterion, OneOf):
        return _any_of(criterion.values)
    low = None if criterion.minimum is None else Bound(criterion.minimum, True)
    high = None if criterion.maximum is None else Bound(criterion.maximum, True)
    interval = Interval(low, high)
    return NOTHING if _is_empty(interval) else Values(numbers=(interval,))


def _meet_all(sets: Iterable[Values]) -> Values:
    result = EVERYTHING
    for values in sets:
        result = result & values
    return result


def join_all(sets: Iterable[Values]) -> Values:
    """The union of `sets`: what none of them leaves out, at one complement per set."""
    return ~_meet_all(~values for values in sets)


def domains_of(segmentation: Segmentation) -> dict[str, Values]:
    """Per constrained attribute, the values the criteria select; other attributes are free."""
    domains: dict[str, Values] = {}
    for criterion in segmentation.criteria:
        previous = domains.get(criterion.attribute, EVERYTHING)
        domains[criterion.attribute] = previous & criterion_values(criterion)
    return domains
