"""The resource kinds, by the name used in a file's `kind:` field, and the order they apply in."""

from genesys_reconcile.kinds.analytics_segment import AnalyticsSegment
from genesys_reconcile.kinds.base import Kind
from genesys_reconcile.kinds.campaign_segmentation import CampaignSegmentation
from genesys_reconcile.kinds.campaign_settings import CampaignSettings
from genesys_reconcile.kinds.contact_list_filter import ContactListFilter
from genesys_reconcile.kinds.journey_segment import JourneySegment
from genesys_reconcile.kinds.rule_set import RuleSet

KINDS: dict[str, Kind] = {
    kind.kind: kind
    for kind in (
        AnalyticsSegment(),
        ContactListFilter(),  # before campaigns: a campaign's filter exists before it binds it
        CampaignSegmentation(),
        RuleSet(),
        CampaignSettings(),
        JourneySegment(),  # independent of the outbound kinds
    )
}


def _dependency_order(kinds: dict[str, Kind]) -> list[str]:
    """Each kind after the kinds it depends on; otherwise in registry order. A dependency on
    an unknown kind, or a cycle, is a bug in a kind's declaration: it fails at import."""
    placed: list[str] = []
    visiting: set[str] = set()

    def place(name: str) -> None:
        if name in placed:
            return
        if name in visiting or name not in kinds:
            raise RuntimeError(f"kind dependencies are not an order: {name} ({sorted(visiting)})")
        visiting.add(name)
        for needed in kinds[name].depends_on:
            place(needed)
        visiting.discard(name)
        placed.append(name)

    for name in kinds:
        place(name)
    return placed


# Creates and updates go kind by kind in this order; deletes in the reverse order, so what
# relies on a resource lets go of it before the resource goes.
RANK: dict[str, int] = {name: rank for rank, name in enumerate(_dependency_order(KINDS))}

# Where files live when reconcile.yaml names no paths: each kind's directory.
DIRECTORIES: tuple[str, ...] = tuple(kind.directory for kind in KINDS.values() if kind.directory)

__all__ = ["DIRECTORIES", "KINDS", "RANK", "Kind"]
