"""The resource kinds, by the name used in a file's `kind:` field."""

from genesys_reconcile.kinds.analytics_segment import AnalyticsSegment
from genesys_reconcile.kinds.base import Kind
from genesys_reconcile.kinds.campaign_segmentation import CampaignSegmentation

KINDS: dict[str, Kind] = {kind.kind: kind for kind in (AnalyticsSegment(), CampaignSegmentation())}

__all__ = ["KINDS", "Kind"]
