"""What a file stands for on an org that does not serve its kind: documents of other kinds.

A kind whose endpoint an org lacks may still mean something there: the seed's campaign
segmentation, on an org without segmentation rules, is a contact list filter bound to its
campaign. Such a kind returns `StandIns`: the documents of the real kinds it compiles to, each
path of which traces back to the place in the file it came from (so a problem found in the
compiled document is reported at the file's line), or the findings that say why the file
cannot be expressed there.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.manifest.yaml import JsonPath


@dataclass(frozen=True)
class StandIn:
    """One compiled document, and where each of its paths comes from in the source file."""

    kind: str
    data: dict[str, Any]
    origins: Mapping[JsonPath, JsonPath]


@dataclass(frozen=True)
class StandIns:
    documents: tuple[StandIn, ...] = ()
    findings: tuple[Finding, ...] = ()
