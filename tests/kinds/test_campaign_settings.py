"""CampaignSettings over the sandbox serving the real platform's API: plans and applies that
converge, stale writes, running campaigns under each `whileRunning` policy, and every body the
client sends judged by the official SDK's models."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS
from genesys_reconcile.plan.model import Plan
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.sandbox import routes
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.demo import entity_id
from genesys_reconcile.sandbox.http import Org, Request, Response
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import Report, validate
from tests.genesys.conftest import SECRET
from tests.oracle import problems
from tests.sandbox.conftest import Api, FakeClock

FILTERS = "/api/v2/outbound/contactlistfilters"
CAMPAIGNS = "/api/v2/outbound/campaigns"
KIND = "CampaignSettings"


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    """The real platform's API only: what the kind meets in a real org."""
    return Sandbox(clock=clock, client_id="reconcile-test", client_secret=SECRET, api="genesys")


@pytest.fixture
def bodies(
    repo: Path, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Iterator[list[tuple[str, Any]]]:
    """Every campaign PUT and PATCH body the client sends, as (model, body); the org also
    holds filters and rule sets, listed at their real paths; only this kind's files are read
    (the demo extension's kinds need routes the real API lacks)."""
    sent: list[tuple[str, Any]] = []
    queries: list[dict[str, str]] = []

    def recording(route: routes.Route) -> routes.Route:
        model = {"PUT": "Campaign", "PATCH": "CampaignPatchRequest"}.get(route.method)
        if model is None or route.template != CAMPAIGNS + "/{id}":
            return route

        def handler(org: Org, request: Request) -> Response:
            sent.append((model, request.body))
            if route.method == "PUT":
                queries.append(request.query)
            return route.handler(org, request)

        return routes.Route(route.method, route.template, handler, route.extension)

    served = tuple(recording(r) for r in routes.API_ROUTES)
    monkeypatch.setattr(routes, "API_ROUTES", served)
    for kind in ("AnalyticsSegment", "CampaignSegmentation"):
        monkeypatch.delitem(KINDS, kind)
    for collection in ("contactListFilters", "ruleSets"):  # unless the org already has them
        setattr(sandbox.state, collection, getattr(sandbox.state, collection, {}))
    # What the example binds, as the repository's other files make it.
    hold(sandbox, "ruleSets", "Holiday Promo exclusions")
    hold(sandbox, "contactListFilters", "Holiday Promo audience")
    (repo / "reconcile.yaml").write_text("paths: [outbound/campaigns]\n", encoding="utf-8")
    yield sent
    assert [found for model, body in sent for found in problems(model, body)] == []
    assert all(q.get("useMaxCallsPerAgentDecimal") == "true" for q in queries)


def hold(sandbox: Sandbox, collection: str, name: str) -> str:
    """A filter or rule set in the org, as another kind's files would have made it."""
    ident = entity_id(collection, name)
    path = {"contactListFilters": "contactlistfilters", "ruleSets": "rulesets"}[collection]
    entity = {
        "id": ident,
        "name": name,
        "version": 1,
        "selfUri": f"/api/v2/outbound/{path}/{ident}",
    }
    sandbox.state.collection(collection)[ident] = entity
    return ident


def write(repo: Path, name: str, text: str) -> None:
    (repo / "outbound/campaigns" / f"{name}.yaml").write_text(
        f"kind: {KIND}\n{text}", encoding="utf-8"
    )


def planned(client: GenesysClient) -> tuple[Report, LiveState, Plan]:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    assert not report.failed(), report.diagnostics
    return report, live, make_plan(report.resources, live)


def applied(
    client: GenesysClient, repo: Path, clock: FakeClock, edit: Any = None
) -> dict[str, tuple[str, str]]:
    """Plan and apply the repository; each change's outcome and detail by name."""
    report, live, plan = planned(client)
    if edit:
        edit()
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        ran = applier.run(plan)
    return {o.change.name: (o.status, o.detail) for o in ran.outcomes}


def campaign(client: GenesysClient, name: str) -> dict[str, Any]:
    found = next(c for c in client.list_all(CAMPAIGNS) if c["name"] == name)
    return client.get(f"{CAMPAIGNS}/{found['id']}")


def calls(admin: Api) -> list[str]:
    """The campaign writes and commands the org received, in order."""
    entries = admin.admin("GET", "journal")["entries"]
    return [
        f"{e['method']} {e['route'].removeprefix(CAMPAIGNS + '/{id}') or '/'}"
        for e in entries
        if e["route"].startswith(CAMPAIGNS) and e["method"] != "GET"
    ]


def steps(repo: Path) -> list[str]:
    lines = (repo / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    return [e["step"] for e in map(json.loads, lines) if e["event"] == "change.step"]


def reason(plan: Plan, name: str) -> str:
    return str(next(c.reason for c in plan.changes if c.name == name))


def test_the_example_plans_applies_and_converges(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, bodies: list[Any]
) -> None:
    plan = planned(client)[2]
    assert [(c.name, sorted({f.path.split("[")[0] for f in c.fields})) for c in plan.changes] == [
        (
            "Holiday Promo",
            [
                "abandonRate",
                "callableTimeSet",
                "contactListFilters",
                "dncLists",
                "priority",
                "ruleSets",
            ],
        )
    ]
    assert reason(plan, "Holiday Promo") == "campaign is off; whileRunning: refuse"
    assert applied(client, repo, clock) == {"Holiday Promo": ("applied", "")}
    holiday = campaign(client, "Holiday Promo")
    assert sorted(d["name"] for d in holiday["dncLists"]) == ["Internal DNC", "National DNC"]
    assert (holiday["abandonRate"], holiday["priority"], holiday["version"]) == (3, 3, 2)
    assert holiday["outboundLineCount"] == 10  # a field the file leaves alone, kept
    assert planned(client)[2].changes == []
    assert [(model, body["campaignStatus"]) for model, body in bodies] == [("Campaign", "off")]


def test_the_order_of_a_set_is_no_change(
    repo: Path, client: GenesysClient, clock: FakeClock, bodies: list[Any]
) -> None:
    write(
        repo, "holiday-promo", "campaign: Holiday Promo\ndncLists: [National DNC, Internal DNC]\n"
    )
    applied(client, repo, clock)
    write(
        repo, "holiday-promo", "campaign: Holiday Promo\ndncLists: [Internal DNC, National DNC]\n"
    )
    assert planned(client)[2].changes == []


def test_filters_and_rule_sets_are_bound_by_id_and_unbound_by_null(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    sandbox: Sandbox,
    bodies: list[Any],
) -> None:
    audience = hold(sandbox, "contactListFilters", "Holiday Promo audience")
    exclusions = hold(sandbox, "ruleSets", "Holiday Promo exclusions")
    write(
        repo,
        "holiday-promo",
        "campaign: Holiday Promo\ncontactListFilter: Holiday Promo audience\n"
        "ruleSets: [Holiday Promo exclusions]\n",
    )
    assert applied(client, repo, clock) == {"Holiday Promo": ("applied", "")}
    holiday = campaign(client, "Holiday Promo")
    assert [f["id"] for f in holiday["contactListFilters"]] == [audience]
    assert [r["id"] for r in holiday["ruleSets"]] == [exclusions]
    assert planned(client)[2].changes == []
    write(repo, "holiday-promo", "campaign: Holiday Promo\ncontactListFilter: null\n")
    assert applied(client, repo, clock) == {"Holiday Promo": ("applied", "")}
    assert campaign(client, "Holiday Promo")["contactListFilters"] == []
    assert planned(client)[2].changes == []


@pytest.mark.parametrize(
    ("edit", "outcome", "puts"),
    [({"outboundLineCount": 12}, "applied", 2), ({"priority": 1}, "stale", 1)],
    ids=["elsewhere", "same-field"],
)
def test_a_stale_put_is_retried_only_if_the_change_still_holds(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    bodies: list[Any],
    edit: dict[str, Any],
    outcome: str,
    puts: int,
) -> None:
    def console() -> None:
        body = {"resource": "campaigns", "name": "Holiday Promo", "action": "update", "set": edit}
        admin.admin("POST", "edit", body)

    assert applied(client, repo, clock, console)["Holiday Promo"][0] == outcome
    assert calls(admin) == ["PUT /"] * puts
    assert {k: campaign(client, "Holiday Promo")[k] for k in edit} == edit


SPRING = "campaign: Spring Outreach\ncontactListFilter: Spring audience\nsettings: {{abandonRate: 4}}\n{}"


def test_a_running_campaign_is_never_stopped_by_refuse(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    sandbox: Sandbox,
    bodies: list[Any],
) -> None:
    hold(sandbox, "contactListFilters", "Spring audience")
    write(repo, "spring-outreach", SPRING.format(""))
    plan = planned(client)[2]
    assert reason(plan, "Spring Outreach") == (
        "campaign is on; whileRunning: refuse; contactListFilters needs the campaign off "
        "(whileRunning: refuse)"
    )
    outcomes = applied(client, repo, clock)
    assert outcomes["Holiday Promo"] == ("applied", "")  # the other campaign goes on
    status, detail = outcomes["Spring Outreach"]
    assert status == "failed"
    assert detail == (
        "campaign 'Spring Outreach' is on and contactListFilters needs the campaign off "
        "(whileRunning: refuse); stop it and apply again, or set whileRunning: stop-apply-start"
    )
    assert calls(admin) == ["PUT /"]  # Holiday Promo's; no stop, no PUT of the filter
    spring = campaign(client, "Spring Outreach")
    assert (spring["campaignStatus"], spring["contactListFilters"]) == ("on", [])


def test_stop_apply_start_stops_writes_and_starts_again(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    sandbox: Sandbox,
    bodies: list[Any],
) -> None:
    audience = hold(sandbox, "contactListFilters", "Spring audience")
    admin.admin("POST", "faults", {"stop_delay": 20})
    write(repo, "spring-outreach", SPRING.format("whileRunning: stop-apply-start\n"))
    assert "apply stops, writes, starts it" in reason(planned(client)[2], "Spring Outreach")
    assert applied(client, repo, clock)["Spring Outreach"] == ("applied", "")
    assert calls(admin) == ["PUT /", "POST /stop", "PUT /", "POST /start"]
    assert steps(repo) == ["stop", "write", "start"]
    spring = campaign(client, "Spring Outreach")
    assert spring["campaignStatus"] == "on"
    assert [f["id"] for f in spring["contactListFilters"]] == [audience]
    assert [b["campaignStatus"] for _, b in bodies] == ["off", "off"]  # each as it was read
    assert planned(client)[2].changes == []


def test_patch_only_writes_the_runtime_fields_and_says_what_it_left(
    repo: Path,
    client: GenesysClient,
    clock: FakeClock,
    admin: Api,
    sandbox: Sandbox,
    bodies: list[Any],
) -> None:
    hold(sandbox, "contactListFilters", "Spring audience")
    write(repo, "spring-outreach", SPRING.format("whileRunning: patch-only\n"))
    assert reason(planned(client)[2], "Spring Outreach") == (
        "campaign is on; whileRunning: patch-only; PATCHes abandonRate, leaves contactListFilters"
    )
    assert applied(client, repo, clock)["Spring Outreach"] == (
        "applied",
        "patch-only: left contactListFilters until the campaign is off",
    )
    assert calls(admin) == ["PUT /", "PATCH /"]
    assert steps(repo) == ["patch-only"]
    assert bodies[-1] == ("CampaignPatchRequest", {"abandonRate": 4.0})
    spring = campaign(client, "Spring Outreach")
    assert (spring["campaignStatus"], spring["abandonRate"], spring["contactListFilters"]) == (
        "on",
        4,
        [],
    )
    assert [f.path for c in planned(client)[2].changes for f in c.fields] == [
        "contactListFilters[0]"
    ]


def test_a_complete_campaign_is_written_back_complete(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, bodies: list[Any]
) -> None:
    edit = {"campaignStatus": "complete"}
    admin.admin(
        "POST",
        "edit",
        {"resource": "campaigns", "name": "Holiday Promo", "action": "update", "set": edit},
    )
    assert applied(client, repo, clock) == {"Holiday Promo": ("applied", "")}
    assert [b["campaignStatus"] for _, b in bodies] == ["complete"]
    assert campaign(client, "Holiday Promo")["campaignStatus"] == "complete"


def test_a_stopping_campaign_is_written_once_it_is_off(
    repo: Path, client: GenesysClient, clock: FakeClock, admin: Api, bodies: list[Any]
) -> None:
    admin.admin("POST", "faults", {"stop_delay": 20})
    spring = campaign(client, "Spring Outreach")
    client.command(f"{CAMPAIGNS}/{spring['id']}/stop")
    write(repo, "spring-outreach", "campaign: Spring Outreach\nsettings: {priority: 1}\n")
    outcomes = applied(client, repo, clock)
    assert outcomes["Spring Outreach"] == ("applied", "")
    assert [b["campaignStatus"] for _, b in bodies][-1] == "off"
    assert campaign(client, "Spring Outreach")["priority"] == 1


def found(repo: Path, client: GenesysClient | None) -> list[tuple[int, str, str]]:
    """Each diagnostic of the repository's files: its line, place and message."""
    settings = load_settings()
    report = validate(list(settings.paths), settings, LiveState(client) if client else None)
    return [(d.line, d.path, d.message) for d in report.diagnostics]


def test_unknown_settings_are_refused_offline_and_a_filter_may_be_null(
    repo: Path, bodies: list[Any]
) -> None:
    write(repo, "holiday-promo", "campaign: Holiday Promo\ncontactListFilter: null\n")
    assert found(repo, None) == []
    write(repo, "holiday-promo", "campaign: Holiday Promo\nsettings: {previewTimeout: 2}\n")
    assert found(repo, None) == [
        (3, "settings.previewTimeout", "unknown property 'previewTimeout'")
    ]


def winter_audience(repo: Path) -> None:
    """A filter file of the repository's, for a filter the org does not hold yet."""
    example = (repo / "outbound/filters/holiday-promo-audience.yaml").read_text(encoding="utf-8")
    winter = example.replace("Holiday Promo audience", "Winter audience")
    (repo / "outbound/filters/winter-audience.yaml").write_text(winter, encoding="utf-8")


def test_names_must_each_name_one_resource_of_the_org_or_of_the_repository(
    repo: Path, client: GenesysClient, bodies: list[Any]
) -> None:
    write(
        repo,
        "holiday-promos",
        "campaign: Holiday Promos\ndncLists: [Internal DNC, Nowhere DNC]\n"
        "callableTimeSet: Moon hours\ncontactListFilter: Winter audience\n",
    )
    assert found(repo, client) == [
        (2, "campaign", "campaign 'Holiday Promos' does not exist in the org"),
        (3, "dncLists[1]", "DNC list 'Nowhere DNC' does not exist in the org"),
        (4, "callableTimeSet", "callable time set 'Moon hours' does not exist in the org"),
        (5, "contactListFilter", "contact list filter 'Winter audience' does not exist in the org"),
    ]
    # A filter another file of the repository creates is no error: apply creates it first.
    winter_audience(repo)
    (repo / "reconcile.yaml").write_text("paths: [outbound]\n", encoding="utf-8")
    assert [f for f in found(repo, client) if f[1] == "contactListFilter"] == []


def test_a_filter_the_repository_creates_is_bound_by_the_id_it_gets_at_apply(
    repo: Path, client: GenesysClient, clock: FakeClock, bodies: list[Any]
) -> None:
    winter_audience(repo)
    paths = "paths: [outbound/filters, outbound/campaigns]\n"
    (repo / "reconcile.yaml").write_text(paths, encoding="utf-8")
    write(repo, "holiday-promo", "campaign: Holiday Promo\ncontactListFilter: Winter audience\n")
    plan = planned(client)[2]
    holiday = next(c for c in plan.changes if c.kind == KIND)
    assert [(f.path, f.after) for f in holiday.fields] == [
        ("contactListFilters[0]", {"name": "Winter audience", "id": None})
    ]
    outcomes = applied(client, repo, clock)
    assert outcomes["Winter audience"][0] == "applied"
    assert outcomes["Holiday Promo"] == ("applied", "")
    made = [f["id"] for f in client.list_all(FILTERS) if f["name"] == "Winter audience"]
    assert [f["id"] for f in campaign(client, "Holiday Promo")["contactListFilters"]] == made
