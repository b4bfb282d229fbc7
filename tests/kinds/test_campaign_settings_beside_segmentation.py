"""A campaign named by both a `CampaignSegmentation` and a `CampaignSettings` file, in the demo
org: the fields are disjoint, and neither write undoes the other's."""

from __future__ import annotations

from pathlib import Path

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import validate
from tests.sandbox.conftest import FakeClock

CAMPAIGNS = "/api/v2/outbound/campaigns"


def pending(client: GenesysClient) -> list[str]:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    assert not report.failed(), report.diagnostics
    return [f"{c.kind} {c.name}" for c in make_plan(report.resources, live).changes]


def test_settings_and_segmentation_of_one_campaign_both_hold_after_apply(
    repo: Path, client: GenesysClient, clock: FakeClock
) -> None:
    (repo / "outbound/campaigns/spring-outreach.yaml").write_text(
        "kind: CampaignSettings\ncampaign: Spring Outreach\n"
        "dncLists: [Internal DNC]\nsettings: {priority: 2, callerName: Acme Spring}\n",
        encoding="utf-8",
    )
    assert "CampaignSegmentation Spring Outreach" in pending(client)
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    with Audit(repo / "audit.jsonl") as audit:
        ran = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        ).run(make_plan(report.resources, live))
    assert all(o.ok for o in ran.outcomes), [(o.change.name, o.detail) for o in ran.outcomes]
    assert pending(client) == []  # the settings' PUT kept the segmentation, and the reverse
    spring = next(c for c in client.list_all(CAMPAIGNS) if c["name"] == "Spring Outreach")
    assert (spring["priority"], spring["campaignStatus"], spring["indexStatus"]) == (
        2,
        "on",
        "ready",
    )
