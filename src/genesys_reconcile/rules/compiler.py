"""From the structured model to the campaign's wire rules, and the checks that need the lists.

The compiler builds expression trees and renders them, so a value is always one literal token
(typed by the list attribute's type) and can never change an expression's structure. An
exclusion compiles to a rule whose condition selects the contacts to leave out and whose action
is `exclude`: no double negation. The same model gives byte-identical rules in a fixed order.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.rules import expression as ex
from genesys_reconcile.rules.model import Criterion, Exclusion, OneOf, Segmentation

MAX_RULES = 50
MAX_EXPRESSION = 2048
# Offline, list ids are unknown; ids are UUIDs, so this stands in with the same length.
PLACEHOLDER_ID = "00000000-0000-0000-0000-000000000000"

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class ContactList:
    id: str
    name: str
    attributes: Mapping[str, str]  # name -> string | number | boolean | date

    @classmethod
    def from_wire(cls, entity: Mapping[str, Any]) -> ContactList:
        types = {a["name"]: a["type"] for a in entity.get("attributes", [])}
        return cls(str(entity["id"]), str(entity["name"]), types)


def compile_rules(segmentation: Segmentation, lists: Sequence[ContactList]) -> list[dict[str, Any]]:
    """The wire rules: one list rule per list (by name), then one include rule for the
    criteria, then one exclude rule for the exclusions."""
    rules = [
        _wire("list", ex.Comparison("listId", "=", contact_list.id))
        for contact_list in sorted(lists, key=lambda cl: cl.name)
    ]
    include = [p for criterion in segmentation.criteria for p in _predicates(criterion)]
    if include:
        rules.append(_wire("contact", _joined(include, ex.And)))
    exclude = [_comparison(e) for e in segmentation.exclusions]
    if exclude:
        rules.append(_wire("contact", _joined(exclude, ex.Or), "exclude"))
    return rules


def offline_lists(segmentation: Segmentation) -> list[ContactList]:
    """Stand-ins for the lists when the org is not at hand, good for measuring the rules."""
    return [ContactList(PLACEHOLDER_ID, name, {}) for name in segmentation.lists]


def limit_findings(segmentation: Segmentation, lists: Sequence[ContactList]) -> Iterator[Finding]:
    return rule_limits(compile_rules(segmentation, lists))


def rule_limits(rules: Sequence[dict[str, Any]]) -> Iterator[Finding]:
    """The platform's limits on compiled rules: how many, and how long each expression."""
    if len(rules) > MAX_RULES:
        yield Finding(
            ("lists",), f"compiles to {len(rules)} rules; a campaign takes at most {MAX_RULES}"
        )
    for rule in rules:
        length = len(rule["expression"])
        if length > MAX_EXPRESSION:
            where: Path = (
                ("exclusions",) if rule["actions"][0]["type"] == "exclude" else ("demographics",)
            )
            yield Finding(
                where,
                f"compiles to an expression of {length:,} characters; "
                f"at most {MAX_EXPRESSION:,} are allowed",
            )


class ListCatalog:
    """The org's contact lists, found by id, else by name, without a scan per reference."""

    def __init__(self, available: Sequence[ContactList]) -> None:
        self.lists = list(available)
        self._by_key: dict[str, ContactList] = {}
        for contact_list in self.lists:  # ids first: an id wins over a list named like it
            self._by_key.setdefault(contact_list.id, contact_list)
        for contact_list in self.lists:
            self._by_key.setdefault(contact_list.name, contact_list)

    def resolve(self, reference: str) -> ContactList | None:
        return self._by_key.get(reference)


def list_findings(
    segmentation: Segmentation, available: Sequence[ContactList] | ListCatalog
) -> Iterator[Finding]:
    """What the live contact lists say about the file: lists that do not exist, attributes a
    list lacks, and values or operators that do not fit an attribute's type."""
    catalog = available if isinstance(available, ListCatalog) else ListCatalog(available)
    chosen = []
    for index, reference in enumerate(segmentation.lists):
        found = catalog.resolve(reference)
        if found is None:
            names = [cl.name for cl in catalog.lists]
            close = difflib.get_close_matches(reference, names, n=1)
            hint = (
                f"did you mean '{close[0]}'?"
                if close
                else f"known lists: {', '.join(sorted(names))}"
            )
            yield Finding(("lists", index), f"contact list '{reference}' does not exist; {hint}")
        else:
            chosen.append(found)
    for path, expr in _parts(segmentation):
        yield from _fit(path, expr, chosen)


def resolve(reference: str, available: Sequence[ContactList]) -> ContactList | None:
    """A list by id, else by name."""
    return ListCatalog(available).resolve(reference)


def _fit(path: Path, expr: ex.Expr, lists: Sequence[ContactList]) -> Iterator[Finding]:
    for contact_list in lists:
        for problem in ex.type_errors(expr, contact_list.attributes):
            if problem.code == ex.UNKNOWN_ATTRIBUTE:
                known = list(contact_list.attributes)
                close = difflib.get_close_matches(problem.attribute, known, n=1)
                hint = f"; did you mean '{close[0]}'?" if close else ""
                message = (
                    f"contact list '{contact_list.name}' has no attribute "
                    f"'{problem.attribute}'{hint}"
                )
            else:
                message = f"{problem.message} (in contact list '{contact_list.name}')"
            yield Finding(path, message)
            return  # one finding per part: the same problem in each list adds nothing


def _parts(segmentation: Segmentation) -> Iterator[tuple[Path, ex.Expr]]:
    for criterion in segmentation.criteria:
        predicates = list(_predicates(criterion))
        if predicates:  # the schema guarantees a bound or a value; be safe all the same
            yield ("demographics", criterion.attribute), _joined(predicates, ex.And)
    for exclusion in segmentation.exclusions:
        yield ("exclusions", exclusion.index), _comparison(exclusion)


def _predicates(criterion: Criterion) -> Iterator[ex.Expr]:
    if isinstance(criterion, OneOf):
        if criterion.values:
            yield ex.Membership(criterion.attribute, tuple(criterion.values))
        return
    if criterion.minimum is not None:
        yield ex.Comparison(criterion.attribute, ">=", criterion.minimum)
    if criterion.maximum is not None:
        yield ex.Comparison(criterion.attribute, "<=", criterion.maximum)


def _comparison(exclusion: Exclusion) -> ex.Expr:
    return ex.Comparison(exclusion.attribute, exclusion.operator, exclusion.value)


def _joined(parts: list[ex.Expr], join: type[ex.And] | type[ex.Or]) -> ex.Expr:
    return parts[0] if len(parts) == 1 else join(tuple(parts))


def _wire(kind: str, condition: ex.Expr, action: str = "include") -> dict[str, Any]:
    text = ex.render(condition)
    return {
        "type": kind,
        "expression": text,
        "filter": {"type": kind, "expression": text},
        "actions": [{"type": action}],
    }
