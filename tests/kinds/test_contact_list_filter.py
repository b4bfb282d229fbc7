"""`ContactListFilter` over the sandbox: findings at their lines offline and online, the demo
plan's create, update, no change and unmanaged filter, convergence, a stale PUT, pruning, and
every body the client sends on the filter routes checked against the official SDK's models."""

from __future__ import annotations

import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from genesys_reconcile.apply.applier import Applier
from genesys_reconcile.apply.audit import Audit
from genesys_reconcile.apply.outcomes import Outcome
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.genesys.regions import endpoints
from genesys_reconcile.genesys.transport import Policy, Transport
from genesys_reconcile.ownership import Ownership
from genesys_reconcile.plan.model import Plan
from genesys_reconcile.plan.planner import make_plan
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from genesys_reconcile.settings import load_settings
from genesys_reconcile.validation import Report, validate
from tests.conftest import own
from tests.oracle import assert_conforms
from tests.sandbox.conftest import FakeClock

FILTERS = "/api/v2/outbound/contactlistfilters"
HOLIDAY = "outbound/filters/holiday-promo-audience.yaml"


class Recording(httpx.BaseTransport):
    """The sandbox in this process, keeping every request the client sends."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.inner = httpx.WSGITransport(app=sandbox)
        self.sent: list[tuple[str, str, Any]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content.startswith(b"{") else None
        self.sent.append((request.method, request.url.path, body))
        return self.inner.handle_request(request)

    def filter_bodies(self) -> list[tuple[str, str, Any]]:
        return [s for s in self.sent if s[1].startswith(FILTERS) and s[2] is not None]


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sandbox(clock: FakeClock) -> Sandbox:
    return Sandbox(clock=clock)


@pytest.fixture
def recording(sandbox: Sandbox) -> Recording:
    return Recording(sandbox)


@pytest.fixture
def client(recording: Recording, clock: FakeClock) -> Iterator[GenesysClient]:
    url = "http://127.0.0.1:9"  # never dialled: the transport is the sandbox itself
    transport = Transport(
        endpoints(api_url=url, login_url=url),
        DEFAULT_CLIENT_ID,
        Secret(DEFAULT_CLIENT_SECRET),
        Policy(),
        clock=clock,
        sleep=clock.advance,
        rng=random.Random(1),
        http_transport=recording,
    )
    with GenesysClient(transport) as made:
        yield made


def planned(client: GenesysClient, prune: bool = False) -> tuple[Report, LiveState, Plan]:
    settings = load_settings()
    live = LiveState(client)
    report = validate(list(settings.paths), settings, live)
    assert not report.failed(), report.diagnostics
    return (
        report,
        live,
        make_plan(report.resources, live, prune=prune, ownership=Ownership.load(settings.root)),
    )


def applied(
    repo: Path, client: GenesysClient, clock: FakeClock, planned_: tuple[Report, LiveState, Plan]
) -> dict[str, Outcome]:
    report, live, plan = planned_
    with Audit(repo / "audit.jsonl") as audit:
        applier = Applier(
            client, live, report.resources, audit, clock=clock, sleep=clock.advance, parallel=1
        )
        return {o.change.name: o for o in applier.run(plan).outcomes}


def filter_changes(plan: Plan) -> list[tuple[str, str]]:
    return [(c.action.value, c.name) for c in plan.changes if c.kind == "ContactListFilter"]


def edit(sandbox: Sandbox, name: str, changes: dict[str, Any]) -> None:
    """An out-of-band edit, as made in the admin console."""
    with httpx.Client(transport=httpx.WSGITransport(app=sandbox), base_url="http://x") as http:
        body = {"resource": "contactListFilters", "name": name, "set": changes}
        assert http.post("/_sandbox/edit", json=body).status_code == 200


def write(repo: Path, name: str, text: str) -> str:
    path = repo / "outbound/filters" / name
    path.write_text("kind: ContactListFilter\n" + text, encoding="utf-8")
    return f"outbound/filters/{name}"


# -- validation ---------------------------------------------------------------------------------


def test_offline_findings_name_their_lines(run, repo: Path) -> None:
    bad = write(
        repo,
        "bad.yaml",
        "name: Bad\n"  # 2
        "contactList: Primary Leads\n"  # 3
        "columns: {region: text, last_purchase: date}\n"  # 4
        "all:\n"  # 5
        "  - region: {gt: 3}\n"  # 6
        "  - age: {between: [55, 25]}\n"  # 7
        "  - last_purchase: {after: yesterday}\n"  # 8
        "  - last_purchase: {equals: '2024-01-01'}\n"  # 9
        "  - age: {gte: 18, lte: 80}\n"  # 10
        "any: []\n",  # 11
    )
    result = run("validate", bad)
    assert result.code == 1
    assert result.out.splitlines() == [
        f"{bad}:6:14: error: all[0].region.gt: gt does not fit region, a text column; use "
        "after, before, beginsWith, contains, endsWith, equals, in",
        f"{bad}:7:11: error: all[1].age.between: between [55, 25] is empty; write the lower "
        "bound first",
        f"{bad}:8:21: error: all[2].last_purchase.after: 'yesterday' is not a relative time "
        "such as '30d ago' or 'P-30DT00H00M'",
        f"{bad}:9:21: error: all[3].last_purchase.equals: equals does not fit last_purchase, a "
        "date column; use after, before",
        f"{bad}:10:5: error: all[4].age: a condition has one operator, this one 2 (gte, lte); "
        "write one condition per operator",
        f"{bad}:11:1: error: any: a clause needs at least one condition",
        f"{bad}:11:1: error: any: write the conditions under exactly one of all:, any: or clauses:",
        "7 errors, 0 warnings in 1 file",
    ]


def test_more_than_ten_conditions_are_refused_offline(run, repo: Path) -> None:
    conditions = "".join(f"  - age: {{gte: {n}}}\n" for n in range(11))
    many = write(repo, "many.yaml", f"name: Many\ncontactList: Primary Leads\nall:\n{conditions}")
    result = run("validate", many)
    assert result.code == 1
    assert result.out.startswith(
        f"{many}:4:1: error: all: the filter has 11 conditions; the platform allows at most 10"
    )


def test_online_findings_check_the_list_its_columns_and_their_types(run, repo: Path) -> None:
    missing = write(
        repo, "missing.yaml", "name: Missing\ncontactList: Primary Leeds\nall:\n  - age: {gte: 1}\n"
    )
    columns = write(
        repo,
        "columns.yaml",
        "name: Columns\n"  # 2
        "contactList: Primary Leads\n"  # 3
        "columns: {tenure: number}\n"  # 4
        "any:\n"  # 5
        "  - tenure: {gt: 3}\n"  # 6
        "  - age: {contains: '1'}\n"  # 7
        "  - phone: {gt: 5}\n"  # 8
        "  - region: {in: [NW]}\n",  # 9
    )
    assert run("validate", missing, columns).code == 0  # offline, nothing is wrong
    result = run("validate", "--online", "--sandbox", missing, columns)
    assert result.code == 1
    known = "its columns: phone, age, region, engagement_score, do_not_call, recently_contacted, last_purchase"
    assert result.out.splitlines() == [
        f"{columns}:4:11: error: columns.tenure: contact list 'Primary Leads' has no column "
        f"tenure; {known}",
        f"{columns}:6:5: error: any[0].tenure: contact list 'Primary Leads' has no column "
        f"tenure; {known}",
        f"{columns}:7:11: error: any[1].age.contains: contains does not fit age, a number "
        "column; use between, equals, gt, gte, in, lt, lte",
        f"{columns}:8:13: error: any[2].phone.gt: gt compares numbers, but the type of phone "
        "is unknown; declare it under columns: (phone: number)",
        f"{missing}:3:1: error: contactList: contact list 'Primary Leeds' does not exist in "
        "the org",
        "5 errors, 0 warnings in 2 files",
    ]


# -- planning and applying ----------------------------------------------------------------------


def test_the_demo_plan_creates_updates_and_leaves_the_unmanaged_filter(run, repo: Path) -> None:
    result = run("plan", "--sandbox", "--no-impact")
    lines = [line for line in result.out.splitlines() if "ContactListFilter" in line]
    assert lines == [
        f'+ ContactListFilter "Holiday Promo audience" will be created  ({HOLIDAY}:3:1)',
        '~ ContactListFilter "Renewals audience" will be updated in place  '
        "(outbound/filters/renewals-audience.yaml:3:1)",
        '1 live ContactListFilter not in the repository and not owned, left alone: "Old Spring test".',
    ]
    assert "    ~ all[1].engagement_score.gte: 40 -> 50" in result.out  # the file's terms


def test_a_file_matching_the_live_filter_is_no_change(run, repo: Path) -> None:
    write(
        repo,
        "old-spring-test.yaml",
        "name: Old Spring test\ncontactList: Primary Leads\nall:\n"
        "  - region: {in: [NW, CA]}\n  - last_purchase: {after: 180d ago}\n",
    )
    result = run("plan", "--sandbox", "--no-impact")
    assert "Old Spring test" not in result.out
    assert "ContactListFilter not in the repository" not in result.out


def test_the_impact_line_counts_the_previews_before_and_after(run, repo: Path) -> None:
    out = run("plan", "--sandbox").out
    assert "    impact: selects 265 of 2,000 contacts\n" in out  # Holiday Promo audience
    assert "    impact: selects 877 of 2,000 contacts (was 1,034)\n" in out  # Renewals audience


def test_apply_converges_and_every_body_sent_is_the_sdk_model(
    repo: Path, client: GenesysClient, clock: FakeClock, recording: Recording
) -> None:
    own(repo)
    first = planned(client, prune=True)
    assert filter_changes(first[2]) == [
        ("create", "Holiday Promo audience"),
        ("update", "Renewals audience"),
        ("delete", "Old Spring test"),
    ]
    outcomes = applied(repo, client, clock, first)
    assert all(o.ok for o in outcomes.values()), outcomes
    assert filter_changes(planned(client, prune=True)[2]) == []
    names = {f["name"] for f in client.list_all(FILTERS)}
    assert names == {"Holiday Promo audience", "Renewals audience"}  # pruned: Old Spring test
    sent = recording.filter_bodies()
    assert [(method, path.count("/")) for method, path, _ in sent] == [
        ("POST", 4),  # the create
        ("PUT", 5),  # the update
    ]
    for method, _, body in sent:
        assert_conforms("ContactListFilter", body)
        assert (method == "PUT") == ("version" in body)


def test_impact_previews_send_sdk_bodies_and_keep_no_contact_rows(
    run, repo: Path, recording: Recording, client: GenesysClient
) -> None:
    from datetime import UTC, datetime

    from genesys_reconcile.plan.run import Impact
    from genesys_reconcile.plan.run import planned as plan_repo
    from genesys_reconcile.preview.cache import Cache
    from genesys_reconcile.preview.query import since
    from genesys_reconcile.preview.source import Analytics

    cache = Cache(repo / ".reconcile/cache/analytics")
    impact = Impact(Analytics(client, cache), since("7d", datetime.now(UTC)))
    lines = {
        c.name: c.impact for c in plan_repo(load_settings(), client, impact=impact).plan.changes
    }
    assert lines["Renewals audience"] == "selects 877 of 2,000 contacts (was 1,034)"
    previews = [body for _, path, body in recording.sent if path == f"{FILTERS}/preview"]
    assert len(previews) == 3  # Holiday's after; Renewals' after and before
    for body in previews:
        assert_conforms("ContactListFilter", body)
    cached = [json.loads(p.read_text("utf-8")) for p in cache.directory.glob("*.json")]
    counts = [c["answer"] for c in cached if "filteredContacts" in c["answer"]]
    assert len(counts) == 3
    assert all(set(answer) == {"filteredContacts", "totalContacts"} for answer in counts)


def test_a_stale_put_is_retried_only_while_the_change_still_holds(
    repo: Path, client: GenesysClient, clock: FakeClock, sandbox: Sandbox, recording: Recording
) -> None:
    touched = planned(client)
    edit(sandbox, "Renewals audience", {})  # a console save that changed nothing managed
    outcomes = applied(repo, client, clock, touched)
    assert (outcomes["Renewals audience"].status, outcomes["Renewals audience"].detail) == (
        "applied",
        "",
    )
    puts = [s for s in recording.filter_bodies() if s[0] == "PUT"]
    assert [body["version"] for _, _, body in puts] == [1, 2]  # refused as stale, then written
    (repo / "outbound/filters/renewals-audience.yaml").write_text(
        (repo / "outbound/filters/renewals-audience.yaml")
        .read_text("utf-8")
        .replace("gte: 50", "gte: 60"),
        encoding="utf-8",
    )
    changed = planned(client)
    live = next(f for f in client.list_all(FILTERS) if f["name"] == "Renewals audience")
    clauses = json.loads(json.dumps(live["clauses"]))
    clauses[0]["predicates"][0]["value"] = "21"  # one that changed what the filter selects
    edit(sandbox, "Renewals audience", {"clauses": clauses})
    outcome = applied(repo, client, clock, changed)["Renewals audience"]
    assert outcome.status == "stale"
    assert "changed since the plan (now version 4); plan again" in outcome.detail
    assert (
        next(f for f in client.list_all(FILTERS) if f["name"] == "Renewals audience")["clauses"]
        == clauses
    )  # the console's edit stands until a new plan is reviewed


def test_clauses_joined_by_any_are_written_as_the_platform_holds_them(
    repo: Path, client: GenesysClient, clock: FakeClock
) -> None:
    write(
        repo,
        "win-back.yaml",
        "name: Win-back\ncontactList: Lapsed Customers\nmatch: any\nclauses:\n"
        "  - all: [{age: {gte: 30}}, {region: {not: {in: [NY, FL]}}}]\n"
        "  - any: [{recently_contacted: {lt: 7.5}}, {last_purchase: {before: P-400DT00H00M}}]\n",
    )
    outcomes = applied(repo, client, clock, planned(client))
    assert outcomes["Win-back"].ok
    made = next(f for f in client.list_all(FILTERS) if f["name"] == "Win-back")
    assert_conforms("ContactListFilter", made)
    assert made["filterType"] == "OR"
    assert [c["filterType"] for c in made["clauses"]] == ["AND", "OR"]
    assert made["clauses"][0]["predicates"][1] == {
        "column": "region",
        "columnType": "alphabetic",
        "operator": "IN",
        "range": {"inSet": ["NY", "FL"]},
        "inverted": True,
    }
    assert [p["value"] for p in made["clauses"][1]["predicates"]] == ["7.5", "P-400DT00H00M"]
    assert filter_changes(planned(client)[2]) == []


def test_the_examples_declare_their_schema_for_editors(repo: Path) -> None:
    examples = sorted((repo / "outbound/filters").glob("*.yaml"))
    assert len(examples) == 2
    for example in examples:
        first = example.read_text(encoding="utf-8").splitlines()[0]
        assert first == (
            "# yaml-language-server: $schema=../../schemas/contact-list-filter.schema.json"
        )
