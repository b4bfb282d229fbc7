"""RuleSet files against the sandbox: validated with their lines, planned rule by rule, applied
until a second plan is empty, retried after a stale write only while the change still holds,
pruned; every body the client sends is the SDK's model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.plan.model import Plan
from genesys_reconcile.sandbox import rule_sets
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import Report, validate
from tests.conftest import own
from tests.kinds.planning import planned, recording
from tests.oracle import assert_conforms
from tests.sandbox.conftest import Api, FakeClock

BASE = rule_sets.BASE
HOLIDAY = Path("outbound/rulesets/holiday-promo-exclusions.yaml")


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every body the client sends to the rule set routes, as the sandbox received it."""
    return recording(monkeypatch, BASE, ("POST", "PUT"))


def rule_set_changes(plan: Plan) -> list[tuple[str, str, list[str]]]:
    return [
        (c.action.value, c.name, [f.path for f in c.fields])
        for c in plan.changes
        if c.kind == "RuleSet"
    ]


def applied(repo: Path, client: GenesysClient, clock: FakeClock) -> dict[str, str]:
    report, live, plan = planned(client)
    assert not report.failed(), report.diagnostics
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        outcomes = applier.run(plan).outcomes
    return {o.change.name: o.status for o in outcomes if o.change.kind == "RuleSet"}


def live_rule_set(admin: Api, name: str) -> dict[str, Any]:
    state = admin.admin("GET", "state")
    found: dict[str, Any] = next(e for e in state["ruleSets"] if e["name"] == name)
    return found


def diagnostics(report: Report) -> list[str]:
    return [f"{Path(d.file).name}:{d.line} {d.path}: {d.message}" for d in report.diagnostics]


def test_the_examples_plan_a_create_no_change_and_an_unmanaged_rule_set(
    repo: Path, client: GenesysClient
) -> None:
    report, _, plan = planned(client, prune=False)
    assert not report.failed(), report.diagnostics
    changes = rule_set_changes(plan)
    assert [(action, name) for action, name, _ in changes] == [
        ("create", "Holiday Promo exclusions")
    ]
    assert "rules.No calls on Sundays.conditions[0].subConditions[0].type" in changes[0][2]
    assert plan.unmanaged == {
        "AnalyticsSegment": 1,
        "ContactListFilter": 1,
        "JourneySegment": 2,
        "RuleSet": 1,
    }
    own(repo)
    (deleted,) = [fields for a, n, fields in rule_set_changes(planned(client)[2]) if a == "delete"]
    assert "rules.Call back an hour later.actions[0].properties.callbackOffset" in deleted
    assert not any(path.endswith("properties.Action") for path in deleted)  # the server's


def test_apply_converges_prunes_and_sends_only_sdk_shaped_bodies(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, sent: list[tuple[str, Any]]
) -> None:
    own(repo)
    assert applied(repo, client, clock) == {
        "Holiday Promo exclusions": "applied",
        "Legacy wrap-up retries": "applied",
    }
    assert rule_set_changes(planned(client)[2]) == []
    holiday = live_rule_set(admin, "Holiday Promo exclusions")
    assert_conforms("RuleSet", holiday)
    assert [r["name"] for r in holiday["rules"]] == [
        "Do-not-call flag",
        "Attempted in the last 30 days",
        "Retry busy lines in 5 minutes",
        "No calls on Sundays",
    ]
    assert holiday["rules"][2]["actions"][0]["properties"] == {
        "callbackOffset": "5",
        "Action": "SCHEDULE_CALLBACK",
    }
    assert {e["name"] for e in admin.admin("GET", "state")["ruleSets"]} == {
        "Do-not-call safety",
        "Holiday Promo exclusions",
    }
    text = HOLIDAY.read_text("utf-8").replace("{scheduleCallback: 5m}", "{scheduleCallback: 10m}")
    HOLIDAY.write_text(text, "utf-8")
    assert applied(repo, client, clock) == {"Holiday Promo exclusions": "applied"}
    assert [method for method, _ in sent] == ["POST", "PUT"]
    for _, body in sent:
        assert_conforms("RuleSet", body)
    assert "id" not in str([r.keys() for r in sent[0][1]["rules"]])
    assert [r["id"] for r in sent[1][1]["rules"]] == [r["id"] for r in holiday["rules"]]


def test_a_renamed_or_moved_rule_shows_as_that_and_kept_rules_keep_their_ids(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api
) -> None:
    applied(repo, client, clock)
    before = {r["name"]: r["id"] for r in live_rule_set(admin, "Holiday Promo exclusions")["rules"]}
    text = HOLIDAY.read_text("utf-8").replace("No calls on Sundays", "Quiet Sundays")
    first, rest = text.split("  - name: Attempted in the last 30 days\n")
    moved, last = rest.split("  - name: Retry busy lines in 5 minutes\n")
    HOLIDAY.write_text(
        first
        + "  - name: Retry busy lines in 5 minutes\n"
        + last.split("  - name: Quiet Sundays\n")[0]
        + "  - name: Attempted in the last 30 days\n"
        + moved
        + "  - name: Quiet Sundays\n"
        + last.split("  - name: Quiet Sundays\n")[1],
        "utf-8",
    )
    (change,) = [c for c in planned(client)[2].changes if c.kind == "RuleSet"]
    moves = [(f.path, f.before, f.after) for f in change.fields if f.path.endswith(".order")]
    assert moves == [
        ("rules.Attempted in the last 30 days.order", 1, 2),
        ("rules.Retry busy lines in 5 minutes.order", 2, 1),
    ]
    renamed = {
        f.path: (f.before is None, f.after is None)
        for f in change.fields
        if not f.path.endswith(".order")
    }
    assert renamed == {
        "rules.No calls on Sundays": (False, True),  # one rule goes, whole
        "rules.Quiet Sundays": (True, False),  # and one comes; no other rule changes
    }
    assert applied(repo, client, clock) == {"Holiday Promo exclusions": "applied"}
    after = {r["name"]: r["id"] for r in live_rule_set(admin, "Holiday Promo exclusions")["rules"]}
    for kept in (
        "Do-not-call flag",
        "Attempted in the last 30 days",
        "Retry busy lines in 5 minutes",
    ):
        assert after[kept] == before[kept]
    assert after["Quiet Sundays"] not in before.values()
    assert rule_set_changes(planned(client)[2]) == []


@pytest.mark.parametrize(
    ("edit", "outcome"),
    [
        ({"queue": {"id": "x"}}, "applied"),  # a field the file leaves alone: the change holds
        ({"rules": []}, "stale"),  # the rules moved on: the reviewed change no longer holds
    ],
)
def test_a_stale_put_is_read_again_and_retried_only_if_the_change_still_holds(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    edit: dict[str, Any],
    outcome: str,
) -> None:
    safety = Path("outbound/rulesets/do-not-call-safety.yaml")
    safety.write_text(safety.read_text("utf-8").replace('equals: "true"', 'equals: "yes"'), "utf-8")
    report, live, plan = planned(client, prune=False)
    assert [n for _, n, _ in rule_set_changes(plan)] == [
        "Holiday Promo exclusions",
        "Do-not-call safety",
    ]
    if "queue" in edit:
        edit = {"queue": live_rule_set(admin, "Legacy wrap-up retries")["queue"]}
    admin.admin("POST", "edit", {"resource": "ruleSets", "name": "Do-not-call safety", "set": edit})
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        outcomes = {o.change.name: o.status for o in applier.run(plan).outcomes}
    assert outcomes["Do-not-call safety"] == outcome
    puts = admin.counts().get(f"PUT {BASE}/{{id}}", 0)
    assert puts == (2 if outcome == "applied" else 1)
    safety_now = live_rule_set(admin, "Do-not-call safety")
    if outcome == "applied":
        assert safety_now["queue"]["name"] == "Sales"  # kept: the PUT carried it as read
        assert safety_now["rules"][0]["conditions"][0]["value"] == "yes"
    else:
        assert safety_now["rules"] == []


def findings(client: GenesysClient, text: str) -> list[str]:
    Path("outbound/rulesets/broken.yaml").write_text(text, "utf-8")
    settings = load_settings()
    return diagnostics(validate(list(settings.paths), settings, LiveState(client)))


def test_offline_findings_name_their_lines(repo: Path, client: GenesysClient) -> None:
    text = (
        "kind: RuleSet\n"
        "name: Broken\n"
        "rules:\n"
        "  - name: One\n"
        "    when: wrapup\n"
        "    if: [{callAnalysis: sit}]\n"
        "    then: [doNotDial]\n"
        "  - name: Two\n"
        "    when: precall\n"
        "    if: [{lastAttempt: {after: P-1DT-12H-0M}}, {lastAttempt: {before: 1d 12h ago}}]\n"
        "    then: [doNotDial]\n"
        "  - name: One\n"
        "    when: precall\n"
        "    if: [{lastAttempt: {before: last week}}]\n"
        "    then: [{scheduleCallback: -5}]\n"
    )
    assert findings(client, text) == [
        "broken.yaml:12 rules[2].name: rule name 'One' is already used by rule 1; rule names must "
        "be unique in a rule set, as plans tell rules apart by name",
        "broken.yaml:14 rules[2].if[0].lastAttempt.before: 'last week' is not a relative time; "
        "write it as 30d ago, 12h ago or 1d 6h ago",
        "broken.yaml:15 rules[2].then[0].scheduleCallback: a callback offset must be positive, "
        "not -5",
    ]


def test_online_findings_name_their_lines(repo: Path, client: GenesysClient) -> None:
    text = (
        "kind: RuleSet\n"
        "name: Broken\n"
        "contactList: Primary Leads\n"
        "queue: Nowhere\n"
        "rules:\n"
        "  - name: One\n"
        "    when: wrapup\n"
        "    if: [{wrapup: [Sale, Voicemail]}, {not: {column: shoe_size, gt: 40}}]\n"
        "    then: [{setAttribute: {called_back: true}}]\n"
    )
    columns = (
        "(its columns: age, do_not_call, engagement_score, last_purchase, phone, "
        "recently_contacted, region)"
    )
    assert findings(client, text) == [
        "broken.yaml:4 queue: queue 'Nowhere' does not exist in the org",
        "broken.yaml:8 rules[0].if[0].wrapup[1]: wrap-up code 'Voicemail' does not exist in the org",
        "broken.yaml:8 rules[0].if[1].not.column: column 'shoe_size' is not in contact list "
        f"'Primary Leads' {columns}",
        "broken.yaml:9 rules[0].then[0].setAttribute.called_back: column 'called_back' is not in "
        f"contact list 'Primary Leads' {columns}",
    ]
    text = text.replace("Primary Leads", "Nobody's Leads").replace("queue: Nowhere", "queue: Sales")
    assert findings(client, text) == [
        "broken.yaml:3 contactList: contact list 'Nobody's Leads' does not exist in the org",
        "broken.yaml:8 rules[0].if[0].wrapup[1]: wrap-up code 'Voicemail' does not exist in the org",
    ]
