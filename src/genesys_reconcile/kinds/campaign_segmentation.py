"""`CampaignSegmentation`: the segmentation fields of an existing outbound campaign (seed 003).

Checks that need the contact lists themselves (attributes exist, values fit their types) and the
compiled rules (at most 50, expressions of at most 2,048 characters) belong to the rule compiler.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from genesys_reconcile.kinds.base import Kind, is_number, mappings
from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.settings import Settings

_ORDERING = {"<", "<=", ">", ">="}


class CampaignSegmentation(Kind):
    kind: ClassVar[str] = "CampaignSegmentation"
    schema_file: ClassVar[str] = "campaign-segmentation.schema.json"
    identity_field: ClassVar[str] = "campaign"

    def check(self, data: dict[str, Any], settings: Settings) -> Iterator[Finding]:
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


def _criterion_findings(path: tuple[str, str], criterion: dict[str, Any]) -> Iterator[Finding]:
    low, high = criterion.get("min"), criterion.get("max")
    if "allowed" in criterion and ("min" in criterion or "max" in criterion):
        yield Finding(path, "use either a range (min, max) or a set (allowed), not both")
    if is_number(low) and is_number(high) and low > high:
        yield Finding(
            (*path, "max"),
            f"the range is empty: min {low} is greater than max {high}, so no contact matches",
        )
