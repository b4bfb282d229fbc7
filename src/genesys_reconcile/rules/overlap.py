"""Overlaps, conflicts and empty audiences in campaign segmentation, found by set algebra.

Two analyses, each on the structured model rather than on rendered text:

- `analyse`: one campaign's file. Criteria that select no one, exclusions that remove every
  contact the criteria select (alone or together), exclusions that can never apply, and
  exclusions another one makes redundant.
- `analyse_across`: several campaigns. Two campaigns that share a contact list and whose
  audiences, after both campaigns' exclusions, still intersect: a contact could be dialled twice.

Every criterion and exclusion constrains one attribute, and a contact's attributes vary
independently, so an audience is a product of per-attribute sets of values (`values`) and each
question is answered exactly, attribute by attribute.
"""

from __future__ import annotations

import functools
import itertools
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from genesys_reconcile.rules.model import Exclusion, OneOf, Range, Segmentation
from genesys_reconcile.rules.values import (
    EVERYTHING,
    NOTHING,
    Values,
    criterion_values,
    domains_of,
    join_all,
    matching,
)
from genesys_reconcile.rules.wording import describe, listed, literal, quoted, show_bound

__all__ = ["Overlap", "analyse", "analyse_across"]

ERROR = "error"
WARNING = "warning"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Overlap:
    """One finding: `severity` is "error" when the outcome is certainly wrong, else "warning";
    `path` is where in the file it belongs."""

    severity: str
    message: str
    path: Path


# --- one campaign ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Excluding:
    """An exclusion with its place in the file and the values it matches."""

    index: int
    exclusion: Exclusion
    matches: Values

    @property
    def name(self) -> str:
        e = self.exclusion
        return f"exclusions[{self.index}] ({e.attribute} {e.operator} {literal(e.value)})"

    @property
    def path(self) -> Path:
        return ("exclusions", self.index)


def analyse(segmentation: Segmentation) -> list[Overlap]:
    """What a reviewer must know about one campaign's criteria and exclusions."""
    findings = list(_empty_criteria(segmentation))
    domains = domains_of(segmentation)
    for attribute, excluding in _exclusions_by_attribute(segmentation).items():
        domain = domains.get(attribute, EVERYTHING)
        if not domain.empty:  # else the criterion's own error says all there is to say
            selected = f"{attribute} {describe(domain)}"
            findings += _exclusion_findings(domain, selected, excluding)
    return _ordered(findings)


def _empty_criteria(segmentation: Segmentation) -> Iterator[Overlap]:
    dials_no_one = "the campaign would dial no one"
    for criterion in segmentation.criteria:
        name = criterion.attribute
        if isinstance(criterion, OneOf) and not criterion.values:
            yield Overlap(ERROR, f"{name} allows no value: {dials_no_one}", ("demographics", name))
        elif isinstance(criterion, Range) and criterion_values(criterion).empty:
            low, high = show_bound(criterion.minimum), show_bound(criterion.maximum)
            message = f"{name} has minimum {low} above its maximum {high}: {dials_no_one}"
            yield Overlap(ERROR, message, ("demographics", name, "max"))


def _exclusions_by_attribute(segmentation: Segmentation) -> dict[str, list[_Excluding]]:
    grouped: dict[str, list[_Excluding]] = defaultdict(list)
    for position, e in enumerate(segmentation.exclusions):
        # A model built by hand may leave index unset; its position then stands in.
        index = e.index if e.index >= 0 else position
        grouped[e.attribute].append(_Excluding(index, e, matching(e.operator, e.value)))
    for excluding in grouped.values():
        excluding.sort(key=lambda x: x.index)
    return grouped


def _exclusion_findings(
    domain: Values, selected: str, excluding: Sequence[_Excluding]
) -> list[Overlap]:
    findings = list(_removing_everything(domain, selected, excluding))
    findings += _never_applying(domain, selected, excluding)
    if not findings or all(f.severity == WARNING for f in findings):
        # Beside an exclusion that removes everything, every other one is redundant: noise.
        findings += _redundant(domain, selected, excluding)
    return findings


def _removing_everything(
    domain: Values, selected: str, excluding: Sequence[_Excluding]
) -> Iterator[Overlap]:
    consequence = f"the demographics select ({selected}): the campaign would dial no one"
    alone = [x for x in excluding if domain.within(x.matches)]
    for x in alone:
        yield Overlap(ERROR, f"{x.name} removes every contact {consequence}", x.path)
    applying = [x for x in excluding if not (domain & x.matches).empty]
    if not alone and domain.within(_union(applying)):
        names = listed([x.name for x in applying])
        yield Overlap(
            ERROR, f"{names} together remove every contact {consequence}", ("exclusions",)
        )


def _union(excluding: Iterable[_Excluding]) -> Values:
    return join_all(x.matches for x in excluding)


def _never_applying(
    domain: Values, selected: str, excluding: Sequence[_Excluding]
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


def _redundant(domain: Values, selected: str, excluding: Sequence[_Excluding]) -> Iterator[Overlap]:
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

    selected: dict[str, Values]
    excluded: dict[str, Values]
    # Per attribute either constrains, the values it dials: made once per campaign, as a
    # campaign is compared with every other one on its lists.
    dialled: dict[str, Values]

    @classmethod
    def of(cls, segmentation: Segmentation) -> _Audience:
        matches: dict[str, list[Values]] = defaultdict(list)
        for e in segmentation.exclusions:
            matches[e.attribute].append(matching(e.operator, e.value))
        excluded = {attribute: join_all(sets) for attribute, sets in matches.items()}
        selected = domains_of(segmentation)
        dialled = {
            attribute: selected.get(attribute, EVERYTHING) - excluded.get(attribute, NOTHING)
            for attribute in selected.keys() | excluded.keys()
        }
        return cls(selected, excluded, dialled)

    def dials(self, attribute: str) -> Values:
        return self.dialled.get(attribute, EVERYTHING)  # an attribute it leaves free: anything

    def dialled_with(self, that: _Audience) -> dict[str, Values] | None:
        """Per attribute either campaign's criteria constrain, the values a contact dialled by
        both may have; None when there is no such contact."""
        common: dict[str, Values] = {}
        constrained = self.selected.keys() | that.selected.keys()
        for attribute in sorted(constrained | self.excluded.keys() | that.excluded.keys()):
            left = self.dials(attribute) & that.dials(attribute)
            if left.empty:
                return None
            if attribute in constrained:
                common[attribute] = left
        return common


def _shared(other: Segmentation, lists: Sequence[str], common: dict[str, Values]) -> str:
    noun = "list" if len(lists) == 1 else "lists"
    names = listed([quoted(name) for name in lists])
    head = f"shares {noun} {names} with campaign {quoted(other.campaign)}"
    if common:
        contact = " and ".join(f"{a} {describe(v)}" for a, v in common.items())
        who = f"a contact with {contact} matches both"
    else:
        who = "neither has demographics, so every contact neither excludes matches both"
    return f"{head}, and {who}: it could be dialled twice"


# --- order -------------------------------------------------------------------------------------


def _path_key(path: Path) -> tuple[tuple[int, int, str], ...]:
    return tuple((0, part, "") if isinstance(part, int) else (1, 0, part) for part in path)


def _ordered(findings: Iterable[Overlap]) -> list[Overlap]:
    return sorted(set(findings), key=lambda f: (_path_key(f.path), f.message, f.severity))
