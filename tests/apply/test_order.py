"""The order changes apply in: creates and updates kind by kind in dependency order, deletes
last in the reverse order, whatever order a saved plan lists them in."""

from __future__ import annotations

import hashlib
import itertools
import json
from pathlib import Path

from genesys_reconcile.apply.audit import DEFAULT_PATH as AUDIT_LOG
from genesys_reconcile.kinds import RANK
from genesys_reconcile.plan.model import Action, Change
from genesys_reconcile.plan.planner import apply_order
from tests.conftest import own


def change(kind: str, action: Action, name: str) -> Change:
    return Change(kind, name, action, ())


def test_what_relies_on_a_kind_is_written_after_it_and_lets_go_before_it_goes() -> None:
    assert RANK["AnalyticsSegment"] < RANK["CampaignSegmentation"]
    changes = [
        change("AnalyticsSegment", Action.DELETE, "Old"),
        change("CampaignSegmentation", Action.UPDATE, "Spring"),
        change("AnalyticsSegment", Action.UPDATE, "Kept"),
        change("AnalyticsSegment", Action.CREATE, "New"),
    ]
    ordered = [(c.kind, c.action.value, c.name) for c in sorted(changes, key=apply_order)]
    assert ordered == [
        ("AnalyticsSegment", "create", "New"),
        ("AnalyticsSegment", "update", "Kept"),
        ("CampaignSegmentation", "update", "Spring"),
        ("AnalyticsSegment", "delete", "Old"),
    ]


def test_a_saved_plan_listed_in_another_order_applies_in_dependency_order(run, repo: Path) -> None:
    own(repo)  # so that --prune deletes the demo org's resources that no file declares
    assert run("plan", "--sandbox", "--prune", "--out", "plan.json").code == 0
    plan = json.loads((repo / "plan.json").read_text(encoding="utf-8"))
    plan["changes"].reverse()  # deletes first, campaigns before segments
    canonical = json.dumps(plan["changes"], sort_keys=True, separators=(",", ":"))
    plan["checksum"] = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    (repo / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    result = run("apply", "plan.json", "--sandbox", "--auto-approve", "--prune")
    assert result.code == 0, result.err
    lines = [json.loads(line) for line in (repo / AUDIT_LOG).read_text("utf-8").splitlines()]
    intents = [(e["kind"], e["action"]) for e in lines if e["event"] == "change.intent"]
    # Within a step (one kind, writes or deletes) changes run in parallel, in any order.
    steps = [step for step, _ in itertools.groupby(intents, key=lambda i: (i[0], i[1] == "delete"))]
    assert steps == [
        ("AnalyticsSegment", False),
        ("ContactListFilter", False),
        ("CampaignSegmentation", False),
        ("RuleSet", False),
        ("CampaignSettings", False),
        ("JourneySegment", False),
        ("JourneySegment", True),
        ("RuleSet", True),
        ("ContactListFilter", True),
        ("AnalyticsSegment", True),
    ]
    assert sorted(intents) == [
        ("AnalyticsSegment", "create"),
        ("AnalyticsSegment", "create"),
        ("AnalyticsSegment", "delete"),
        ("AnalyticsSegment", "update"),
        ("CampaignSegmentation", "update"),
        ("CampaignSegmentation", "update"),
        ("CampaignSettings", "update"),
        ("ContactListFilter", "create"),
        ("ContactListFilter", "delete"),
        ("ContactListFilter", "update"),
        ("JourneySegment", "delete"),
        ("JourneySegment", "delete"),
        ("JourneySegment", "update"),
        ("RuleSet", "create"),
        ("RuleSet", "delete"),
    ]
