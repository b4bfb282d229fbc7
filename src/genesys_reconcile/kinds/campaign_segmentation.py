"""`CampaignSegmentation`: the segmentation fields of an existing outbound campaign (seed 003).

Offline, the rules are compiled with stand-in list ids to check the platform's limits (50
rules, 2,048 characters an expression). Online, the campaign and lists must exist, and every
attribute must exist in every list with a type its values and operators fit.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, ClassVar

from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds.base import Kind, mappings
from genesys_reconcile.manifest.diagnostics import Finding, Severity
from genesys_reconcile.rules import compiler, expression, overlap
from genesys_reconcile.rules.model import OneOf, Segmentation, from_document
from genesys_reconcile.settings import Settings

_ORDERING = {"<", "<=", ">", ">="}
_RESERVED = "'{}' is a reserved word in rule expressions and cannot name an attribute"


class CampaignSegmentation(Kind):
    kind: ClassVar[str] = "CampaignSegmentation"
    schema_file: ClassVar[str] = "campaign-segmentation.schema.json"
    identity_field: ClassVar[str] = "campaign"

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
        yield from _reserved_names(data)
        segmentation = model_of(data)
        if segmentation:
            yield from compiler.limit_findings(segmentation, compiler.offline_lists(segmentation))
            yield from (_finding(o) for o in overlap.analyse(segmentation))
        demographics = data.get("demographics")
        if isinstance(demographics, dict):
            for attribute, criterion in demographics.items():
                if isinstance(criterion, dict):
                    yield from _criterion_findings(("demographics", attribute), criterion)
        for index, exclusion in mappings(data, "exclusions"):
            operator, value = exclusion.get("operator"), exclusion.get("value")
            if operator in _ORDERING and isinstance(value, bool):
                yield Finding(
                    ("exclusions", index, "operator"),
                    f"'{operator}' cannot order true/false; use = or !=",
                )

    def check_across(self, documents: Sequence[dict[str, Any]]) -> Iterator[tuple[int, Finding]]:
        """Campaigns drawing on one list whose audiences intersect could dial a contact twice."""
        models = [(index, model_of(data)) for index, data in enumerate(documents)]
        valid = [(index, m) for index, m in models if m is not None]
        for position, found in overlap.analyse_across([m for _, m in valid]):
            yield valid[position][0], _finding(found)

    def check_live(self, data: dict[str, Any], live: LiveState) -> Iterator[Finding]:
        segmentation = model_of(data)
        if segmentation is None:
            return
        campaign = segmentation.campaign
        if not any(campaign in (c.get("id"), c.get("name")) for c in live.campaigns):
            yield Finding(
                ("campaign",),
                f"campaign '{campaign}' does not exist; segmentation applies to an existing "
                "campaign and never creates one",
            )
        lists = [compiler.ContactList.from_wire(e) for e in live.contact_lists]
        yield from compiler.list_findings(segmentation, lists)


def _finding(found: overlap.Overlap) -> Finding:
    return Finding(found.path, found.message, Severity(found.severity))


def model_of(data: dict[str, Any]) -> Segmentation | None:
    """The model of a file whose shape is right and whose parts compile, else None (the schema
    and the checks above report why)."""
    try:
        segmentation = from_document(data)
        compiler.compile_rules(segmentation, compiler.offline_lists(segmentation))
    except (KeyError, TypeError, AttributeError, ValueError):
        return None
    if any(isinstance(c, OneOf) and not c.values for c in segmentation.criteria):
        return None  # an empty set breaks the schema, which says so
    return segmentation


def _reserved_names(data: dict[str, Any]) -> Iterator[Finding]:
    demographics = data.get("demographics")
    for attribute in demographics if isinstance(demographics, dict) else []:
        if attribute in expression.RESERVED:
            yield Finding(("demographics", attribute), _RESERVED.format(attribute))
    for index, exclusion in mappings(data, "exclusions"):
        if exclusion.get("attribute") in expression.RESERVED:
            yield Finding(
                ("exclusions", index, "attribute"), _RESERVED.format(exclusion["attribute"])
            )


def _criterion_findings(path: tuple[str, str], criterion: dict[str, Any]) -> Iterator[Finding]:
    # An empty range is the overlap analysis's to report, with the other conflicts.
    if "allowed" in criterion and ("min" in criterion or "max" in criterion):
        yield Finding(path, "use either a range (min, max) or a set (allowed), not both")
