"""JourneySegment files against the sandbox: validated with their lines, planned field by field
against active and inactive segments alike, applied with PATCHes of what differs until a second
plan is empty, retried after a stale write only while the change still holds, pruned; every
body the client sends is the SDK's model."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS
from genesys_reconcile.plan.model import Plan
from genesys_reconcile.sandbox import journey
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.ids import entity_id
from genesys_reconcile.sandbox.server import SandboxServer
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import Report, validate
from tests.conftest import STRANGERS
from tests.genesys.conftest import SECRET, make_client
from tests.kinds import planning
from tests.kinds.planning import recording
from tests.oracle import assert_conforms
from tests.sandbox.conftest import Api, FakeClock

BASE = journey.BASE
MOBILE_NAME = "Returning mobile visitors from paid search"
MOBILE = Path("journeys/returning-mobile-visitors-from-paid-search.yaml")
DESKTOP = Path("journeys/desktop-searchers.yaml")
DESKTOP_TEXT = (
    "kind: JourneySegment\n"
    "name: Desktop searchers\n"
    "context:\n"
    "  - criteria:\n"
    "      - {key: device.category, values: [desktop]}\n"
    "      - {key: authenticated, values: [true]}\n"
    "journey:\n"
    "  - {streamType: Web, sessionType: web, criteria: [{key: searchQuery, values: [help]}]}\n"
)


@pytest.fixture
def sent(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, Any]]:
    """Every body the client sends to the journey segment routes, as the sandbox received it."""
    return recording(monkeypatch, BASE, ("POST", "PATCH"))


def planned(client: GenesysClient, prune: bool = True) -> tuple[Report, LiveState, Plan]:
    # The demo's other segments are this repository's to prune, here.
    return planning.planned(client, prune, owned=STRANGERS)


def journey_changes(plan: Plan) -> list[tuple[str, str, list[str]]]:
    return [
        (c.action.value, c.name, [f.path for f in c.fields])
        for c in plan.changes
        if c.kind == "JourneySegment"
    ]


def applied(repo: Path, client: GenesysClient, clock: FakeClock) -> dict[str, str]:
    report, live, plan = planned(client)
    assert not report.failed(), report.diagnostics
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        outcomes = applier.run(plan).outcomes
    return {o.change.name: o.status for o in outcomes if o.change.kind == "JourneySegment"}


def live_segments(admin: Api) -> dict[str, dict[str, Any]]:
    return {e["displayName"]: e for e in admin.admin("GET", "state")["journeySegments"]}


def test_the_example_plans_one_update_and_every_other_live_segment_active_or_not_is_unmanaged(
    repo: Path, client: GenesysClient
) -> None:
    report, _, plan = planned(client, prune=False)
    assert not report.failed(), report.diagnostics
    assert journey_changes(plan) == [("update", MOBILE_NAME, ["assignmentExpirationDays"])]
    assert plan.unmanaged["JourneySegment"] == 2
    deleted = [(a, n) for a, n, _ in journey_changes(planned(client)[2]) if a == "delete"]
    assert deleted == [("delete", "Spring sale browsers"), ("delete", "Visitors from Ireland")]


def test_a_file_naming_an_inactive_segment_updates_it_instead_of_creating_another(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api
) -> None:
    Path("journeys/spring-sale-browsers.yaml").write_text(
        "kind: JourneySegment\nname: Spring sale browsers\nactive: true\n", "utf-8"
    )
    changes = journey_changes(planned(client, prune=False)[2])
    assert ("update", "Spring sale browsers", ["isActive"]) in changes
    assert applied(repo, client, clock)["Spring sale browsers"] == "applied"
    assert live_segments(admin)["Spring sale browsers"]["isActive"] is True


def test_apply_converges_prunes_and_sends_only_sdk_shaped_bodies(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, sent: list[tuple[str, Any]]
) -> None:
    DESKTOP.write_text(DESKTOP_TEXT, "utf-8")
    assert applied(repo, client, clock) == {
        "Desktop searchers": "applied",
        MOBILE_NAME: "applied",
        "Spring sale browsers": "applied",
        "Visitors from Ireland": "applied",
    }
    assert journey_changes(planned(client)[2]) == []
    segments = live_segments(admin)
    assert sorted(segments) == ["Desktop searchers", MOBILE_NAME]
    for segment in segments.values():
        assert_conforms("JourneySegment", segment)
    desktop = segments["Desktop searchers"]
    assert desktop["context"]["patterns"][0]["criteria"][1] == {
        "key": "authenticated",
        "values": ["true"],
        "operator": "equal",
        "shouldIgnoreCase": False,
        "entityType": "visit",
    }
    assert desktop["journey"]["patterns"][0]["count"] == 1
    assert segments[MOBILE_NAME]["assignmentExpirationDays"] == 30
    assert [method for method, _ in sent] == ["POST", "PATCH"]
    assert_conforms("JourneySegmentRequest", sent[0][1])
    assert_conforms("PatchSegment", sent[1][1])
    assert sent[1][1] == {"assignmentExpirationDays": 30, "version": 1}


def test_the_order_of_patterns_criteria_and_values_is_no_difference(
    repo: Path, client: GenesysClient
) -> None:
    text = MOBILE.read_text("utf-8")
    device = "      - {key: device.category, operator: equal, values: [mobile], ignoreCase: true}\n"
    medium = "      - {key: mktCampaign.medium, operator: equal, values: [cpc], ignoreCase: true}\n"
    text = text.replace(device + medium, medium + device.replace("[mobile]", "[mobile, tablet]"))
    MOBILE.write_text(text.replace("assignmentExpirationDays: 30", "assignmentExpirationDays: 14"))
    assert journey_changes(planned(client, prune=False)[2]) == [
        ("update", MOBILE_NAME, ["context.patterns[0].criteria[0].values[1]"])
    ]
    MOBILE.write_text(text.replace("[mobile, tablet]", "[mobile]").replace(": 30", ": 14"))
    assert journey_changes(planned(client, prune=False)[2]) == []


@pytest.mark.parametrize(
    ("edit", "outcome"),
    [
        # A field the file leaves alone: the reviewed change still holds.
        ({"externalSegment": {"id": "x", "name": "Adobe audience", "source": "Custom"}}, "applied"),
        # The field the change writes moved on: the reviewed change no longer holds.
        ({"assignmentExpirationDays": 7}, "stale"),
    ],
)
def test_a_stale_patch_is_read_again_and_retried_only_if_the_change_still_holds(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    edit: dict[str, Any],
    outcome: str,
) -> None:
    report, live, plan = planned(client, prune=False)
    ident = entity_id("journeysegment", MOBILE_NAME)
    admin.admin("POST", "edit", {"resource": "journeySegments", "id": ident, "set": edit})
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        outcomes = {o.change.name: o.status for o in applier.run(plan).outcomes}
    assert outcomes[MOBILE_NAME] == outcome
    patches = admin.counts().get(f"PATCH {BASE}/{{id}}", 0)
    assert patches == (2 if outcome == "applied" else 1)
    now = live_segments(admin)[MOBILE_NAME]
    if outcome == "applied":
        assert now["assignmentExpirationDays"] == 30
        assert now["externalSegment"]["name"] == "Adobe audience"  # kept: not the file's
    else:
        assert now["assignmentExpirationDays"] == 7


def test_findings_name_their_lines(repo: Path, client: GenesysClient) -> None:
    Path("journeys/broken.yaml").write_text(
        "kind: JourneySegment\n"
        "name: Broken\n"
        "color: green\n"
        "context:\n"
        "  - criteria:\n"
        "      - {key: device.categroy, values: [mobile]}\n"
        "      - {key: geolocation.country, operator: equals, values: [IE]}\n"
        "journey:\n"
        "  - streamType: App\n"
        "    sessionType: web\n"
        "    criteria:\n"
        "      - {key: page.url, values: [/help]}\n"
        "      - {key: url, values: [/help]}\n"
        "  - streamType: Conversation\n"
        "    sessionType: conversation\n"
        "    criteria: [{key: eventName, values: [x]}]\n",
        "utf-8",
    )
    settings = load_settings()
    report = validate(list(settings.paths), settings, LiveState(client))
    found = [
        f"{Path(d.file).name}:{d.line} {d.path}: {d.message}"
        for d in report.diagnostics
        if Path(d.file).name == "broken.yaml"
    ]
    assert any(line.startswith("broken.yaml:3 color: 'green' must be a color") for line in found)
    assert (
        "broken.yaml:6 context[0].criteria[0].key: 'device.categroy' is not a context key the "
        "platform accepts; did you mean 'device.category'?"
    ) in found
    assert any(line.startswith("broken.yaml:7 context[0].criteria[1].operator:") for line in found)
    assert (
        "broken.yaml:10 journey[0].sessionType: sessionType web does not go with streamType "
        "App; use app"
    ) in found
    assert (
        "broken.yaml:13 journey[0].criteria[1].key: 'url' is not a journey key the platform "
        "accepts; use eventName, searchQuery, page.<field> or attributes.<name>.value"
    ) in found
    assert any(line.startswith("broken.yaml:14 journey[1].streamType:") for line in found)


def test_the_whole_loop_on_an_org_that_serves_only_the_real_api(
    real_repo: Path, clock: FakeClock
) -> None:
    repo = real_repo
    (repo / "campaigns/spring-outreach.yaml").unlink()  # it runs: its change would be refused
    genesys = Sandbox(clock=clock, api="genesys", client_id="reconcile-test", client_secret=SECRET)
    with SandboxServer(genesys) as server, make_client(server, clock) as client:
        DESKTOP.write_text(DESKTOP_TEXT, "utf-8")
        assert sorted((a, n) for a, n, _ in journey_changes(planned(client)[2])) == [
            ("create", "Desktop searchers"),
            ("delete", "Spring sale browsers"),
            ("delete", "Visitors from Ireland"),
            ("update", MOBILE_NAME),
        ]
        assert set(applied(repo, client, clock).values()) == {"applied"}
        assert journey_changes(planned(client)[2]) == []
        live = KINDS["JourneySegment"].live_entities(LiveState(client))
        assert sorted(e["displayName"] for e in live) == ["Desktop searchers", MOBILE_NAME]
