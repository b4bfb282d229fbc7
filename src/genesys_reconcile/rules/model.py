"""The structured model of a campaign's segmentation, built from a CampaignSegmentation file.

Rules are compiled from this model and analysed on it, never by scanning rendered text. Its
parts are sorted (criteria by attribute, exclusions by attribute, operator and value), so
reordering a file changes nothing that is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from genesys_reconcile.rules.expression import Literal


@dataclass(frozen=True)
class Range:
    """Contacts whose numeric attribute lies within [minimum, maximum]; a bound may be open."""

    attribute: str
    minimum: float | None = None
    maximum: float | None = None


@dataclass(frozen=True)
class OneOf:
    """Contacts whose attribute has one of `values`."""

    attribute: str
    values: tuple[Literal, ...]


Criterion = Range | OneOf


@dataclass(frozen=True)
class Exclusion:
    """Contacts whose attribute compares true with `value` are never dialled."""

    attribute: str
    operator: str
    value: Literal
    index: int = field(default=-1, compare=False)  # its place in the file's list, for messages


@dataclass(frozen=True)
class Segmentation:
    campaign: str
    lists: tuple[str, ...]
    criteria: tuple[Criterion, ...] = ()
    exclusions: tuple[Exclusion, ...] = ()

    @property
    def attributes(self) -> list[str]:
        return sorted({c.attribute for c in self.criteria} | {e.attribute for e in self.exclusions})


def from_document(data: Mapping[str, Any]) -> Segmentation:
    """The model of a schema-valid CampaignSegmentation file's data."""
    criteria: list[Criterion] = []
    for attribute, spec in sorted(data.get("demographics", {}).items()):
        if "allowed" in spec:
            criteria.append(OneOf(attribute, tuple(spec["allowed"])))
        else:
            criteria.append(Range(attribute, spec.get("min"), spec.get("max")))
    exclusions = sorted(
        (
            Exclusion(e["attribute"], e["operator"], e["value"], index)
            for index, e in enumerate(data.get("exclusions", []))
        ),
        key=lambda e: (e.attribute, e.operator, repr(e.value)),
    )
    return Segmentation(
        campaign=data["campaign"],
        lists=tuple(data["lists"]),
        criteria=tuple(criteria),
        exclusions=tuple(exclusions),
    )
