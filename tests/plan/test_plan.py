"""`reconcile plan --sandbox` on a copy of the repository: the demo org's diff, convergence,
drift, pruning, exit codes and the API cost of reading live state."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genesys_reconcile.connection import connect
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, rule_set
from genesys_reconcile.kinds.analytics_segment import MANAGED
from genesys_reconcile.manifest.yaml import load_file
from genesys_reconcile.plan.document import checksum
from genesys_reconcile.rules.compiler import ContactList, compile_rules, resolve
from genesys_reconcile.rules.model import from_document
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.demo import entity_id
from genesys_reconcile.sandbox.embedded import STATE_FILE
from genesys_reconcile.sandbox.state import save
from genesys_reconcile.settings import load_settings
from tests.conftest import ROOT, STRANGERS, own

CAMPAIGNS = "/api/v2/outbound/campaigns"
CONTACT_LISTS = "/api/v2/outbound/lists"
SEGMENTS = "/api/v2/analytics/segments"
DNC_LISTS = "/api/v2/outbound/dnclists"
TIME_SETS = "/api/v2/outbound/callabletimesets"

GOLDEN = Path(__file__).parent / "golden"


def org(repo: Path) -> Sandbox:
    """The embedded sandbox's org, to change it between runs as someone else would."""
    return Sandbox(state_file=repo / STATE_FILE)


def converge(repo: Path) -> None:
    """Make the sandbox org match the files (what apply will do), through the client."""
    settings = load_settings()
    with connect(settings, sandbox=True) as client:
        segments = {s["name"]: s for s in client.list_all(SEGMENTS)}
        for path in sorted((repo / "segments").glob("*.yaml")):
            body = {k: v for k, v in load_file(path).data.items() if k in MANAGED}
            live = segments.get(body["name"])
            if live is None:
                client.create(SEGMENTS, body)
            else:
                client.update(
                    "PATCH", f"{SEGMENTS}/{live['id']}", {**body, "version": live["version"]}
                )
        lists = [ContactList.from_wire(e) for e in client.list_all(CONTACT_LISTS)]
        campaigns = client.list_all(CAMPAIGNS)
        for path in sorted((repo / "campaigns").glob("*.yaml")):
            data = load_file(path).data
            segmentation = from_document(data)
            rules = compile_rules(segmentation, [resolve(n, lists) for n in segmentation.lists])  # type: ignore[misc]
            live = next(c for c in campaigns if c["name"] == segmentation.campaign)
            changes = {"rules": rules, "contactFilters": rules} | {
                k: data[k] for k in ("useOnlyOnce", "dialingMode") if k in data
            }
            client.update(
                "PATCH", f"{CAMPAIGNS}/{live['id']}", {**changes, "version": live["version"]}
            )
        converge_filters(repo, client)
        converge_journeys(repo, client)
        for path in sorted((repo / "outbound/rulesets").glob("*.yaml")):
            body = rule_set.body(load_file(path).data, LiveState(client))
            found = [r for r in client.list_all(rule_set.RULE_SETS) if r["name"] == body["name"]]
            if not found:
                client.create(rule_set.RULE_SETS, body)
        named = (DNC_LISTS, TIME_SETS, rule_set.RULE_SETS, KINDS["ContactListFilter"].collection)
        ids = {e["name"]: e["id"] for p in named for e in client.list_all(p)}
        for path in sorted((repo / "outbound/campaigns").glob("*.yaml")):
            data = load_file(path).data
            live = next(c for c in client.list_all(CAMPAIGNS) if c["name"] == data["campaign"])
            body = live | data["settings"]
            for key in ("dncLists", "ruleSets"):
                body[key] = [{"id": ids[n]} for n in data[key]]
            body["callableTimeSet"] = {"id": ids[data["callableTimeSet"]]}
            body["contactListFilters"] = [{"id": ids[data["contactListFilter"]]}]
            client.update("PUT", f"{CAMPAIGNS}/{live['id']}", body)


def converge_filters(repo: Path, client: GenesysClient) -> None:
    kind, live = KINDS["ContactListFilter"], LiveState(client)
    for path in sorted((repo / "outbound/filters").glob("*.yaml")):
        data = load_file(path).data
        body, found = kind.desired(data, live), kind.named(live, data["name"])
        if found is None:
            client.create(kind.collection, body)
        else:
            client.update("PUT", kind.path_of(found["id"]), {**body, "version": found["version"]})


def converge_journeys(repo: Path, client: GenesysClient) -> None:
    kind, live = KINDS["JourneySegment"], LiveState(client)
    for path in sorted((repo / "journeys").glob("*.yaml")):
        data = load_file(path).data
        found = kind.named(live, data["name"])
        if found is None:
            client.create(kind.collection, kind.written(data))
        else:
            body = {**kind.update_body(found, data, live), "version": found["version"]}
            client.update("PATCH", kind.path_of(found["id"]), body)


def masked(text: str) -> str:
    """Impact counts depend on the hour the plan runs (the last 7 days); tests/plan/
    test_impact.py checks the numbers, the goldens check everything around them."""
    text = re.sub(r"matches [\d,]+ conversations", "matches <n> conversations", text)
    return re.sub(r"\(was [\d,]+(, [+-]\d+%)?\)", "(was <n>, <change>)", text)


def test_the_demo_org_plan_reads_like_the_golden_file(run, repo: Path) -> None:
    result = run("plan", "--sandbox")
    assert (result.code, result.err) == (0, "")
    assert masked(result.out) == (GOLDEN / "demo-plan.txt").read_text(encoding="utf-8")


def test_after_the_demo_is_applied_the_plan_shows_no_changes(run, repo: Path) -> None:
    run("plan", "--sandbox")
    converge(repo)
    result = run("plan", "--sandbox", "--detailed-exitcode")
    assert result.code == 0
    assert result.out == (
        "No changes. The org matches the repository.\n"
        '1 live AnalyticsSegment not in the repository and not owned, left alone: "Abandoned Callbacks".\n'
        '1 live ContactListFilter not in the repository and not owned, left alone: "Old Spring test".\n'
        '2 live JourneySegment not in the repository and not owned, left alone: "Spring sale browsers", "Visitors from Ireland".\n'
        '1 live RuleSet not in the repository and not owned, left alone: "Legacy wrap-up retries".\n'
        "Safety: within the thresholds (updates 30%, deletes 30% of a kind's resources, once 10 exist).\n"
    )


def test_an_out_of_band_edit_shows_as_exactly_that_edit(run, repo: Path) -> None:
    run("plan", "--sandbox")
    converge(repo)
    sandbox = org(repo)
    segment = next(s for s in sandbox.state.segments.values() if s["name"] == "Short Voice Calls")
    segment["query"]["filter"]["predicates"][1]["value"] = 45
    campaign = next(c for c in sandbox.state.campaigns.values() if c["name"] == "Spring Outreach")
    campaign["dialingMode"] = "power"
    save(sandbox.state, repo / STATE_FILE)
    result = run("plan", "--sandbox", "--detailed-exitcode", "--no-impact")
    assert result.code == 2
    assert result.out == (
        '~ AnalyticsSegment "Short Voice Calls" will be updated in place  (segments/short-voice-calls.yaml:3:1)\n'
        "    ~ query.filter.predicates[1].value: 45 -> 30\n"
        "      (15 unchanged fields hidden)\n"
        "\n"
        '~ CampaignSegmentation "Spring Outreach" will be updated in place  (campaigns/spring-outreach.yaml:3:1)\n'
        "    ~ dialingMode: power -> progressive\n"
        "      (5 unchanged fields hidden)\n"
        "\n"
        "Plan: 0 to create, 2 to update, 0 to delete.\n"
        '1 live AnalyticsSegment not in the repository and not owned, left alone: "Abandoned Callbacks".\n'
        '1 live ContactListFilter not in the repository and not owned, left alone: "Old Spring test".\n'
        '2 live JourneySegment not in the repository and not owned, left alone: "Spring sale browsers", "Visitors from Ireland".\n'
        '1 live RuleSet not in the repository and not owned, left alone: "Legacy wrap-up retries".\n'
        "Safety: within the thresholds (updates 30%, deletes 30% of a kind's resources, once 10 exist).\n"
    )


def test_rules_edited_beyond_the_files_terms_show_in_the_apis_terms_and_say_why(
    run, repo: Path
) -> None:
    run("plan", "--sandbox")
    converge(repo)
    sandbox = org(repo)
    campaign = next(c for c in sandbox.state.campaigns.values() if c["name"] == "Spring Outreach")
    include = next(
        r
        for r in campaign["rules"]
        if r["type"] == "contact" and r["actions"][0]["type"] != "exclude"
    )
    include["expression"] += " OR region = 'FL'"  # an OR the file's demographics cannot write
    campaign["contactFilters"] = campaign["rules"]
    save(sandbox.state, repo / STATE_FILE)
    result = run("plan", "--sandbox", "--no-impact")
    block = result.out.split("\n\n")[0].splitlines()
    assert block[0].startswith('~ CampaignSegmentation "Spring Outreach" will be updated in place')
    assert block[1] == (
        "    note: the live resource does not read back into its file's terms (changed outside "
        "this repository?); the API's fields are shown"
    )
    assert block[2].startswith("    ~ include[0]: ") and "OR region = 'FL'-]" in block[2]


def test_differences_of_spelling_and_order_are_not_changes(run, repo: Path) -> None:
    run("plan", "--sandbox")
    converge(repo)
    sandbox = org(repo)
    campaign = next(c for c in sandbox.state.campaigns.values() if c["name"] == "Spring Outreach")
    campaign["rules"] = list(reversed(campaign["rules"]))
    for rule in campaign["rules"]:
        rule["expression"] = rule["expression"].replace(" >= ", ">=").replace(" AND ", "  AND\n ")
    segment = next(s for s in sandbox.state.segments.values() if s["name"] == "Short Voice Calls")
    segment["query"]["filter"]["predicates"].reverse()
    segment["query"]["timeWindow"]["start"] = "2024-08-01T02:00:00+02:00"
    save(sandbox.state, repo / STATE_FILE)
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 0


def test_prune_deletes_what_the_repository_owns_and_lacks(run, repo: Path) -> None:
    run("plan", "--sandbox")
    converge(repo)
    own(repo)
    result = run("plan", "--sandbox", "--prune")
    lines = result.out.splitlines()
    segment = lines.index('- AnalyticsSegment "Abandoned Callbacks" will be deleted')
    assert lines[segment + 1 : segment + 3] == [
        "    - name: Abandoned Callbacks",
        "    - description: Callbacks that waited over two minutes; created in the admin console",
    ]
    # Deletes go in the reverse of the kinds' order: journey segments, registered last, first.
    assert lines[0] == '- JourneySegment "Spring sale browsers" will be deleted'
    assert '- JourneySegment "Visitors from Ireland" will be deleted' in lines
    assert '- RuleSet "Legacy wrap-up retries" will be deleted' in lines
    filter_ = lines.index('- ContactListFilter "Old Spring test" will be deleted')
    assert lines[filter_ + 1] == "    - name: Old Spring test"
    assert result.out.endswith(
        "Plan: 0 to create, 0 to update, 5 to delete.\n"
        + "Safety: within the thresholds (updates 30%, deletes 30% of a kind's resources, once 10 exist).\n"
    )


def test_invalid_files_are_reported_and_nothing_is_planned(run, repo: Path) -> None:
    (repo / "campaigns/spring-outreach.yaml").write_text(
        "kind: CampaignSegmentation\ncampaign: Spring Outreach\nlists: [Primary Leeds]\n",
        encoding="utf-8",
    )
    result = run("plan", "--sandbox")
    assert (result.code, result.out) == (1, "")
    assert (
        "campaigns/spring-outreach.yaml:3:9: error: lists[0]: contact list 'Primary Leeds' does not exist; did you mean 'Primary Leads'?"
        in result.err
    )
    assert result.err.endswith("error: the files are invalid; nothing was planned\n")


@pytest.mark.parametrize("extra", [0, 250, 1_000])
def test_reading_live_state_costs_one_call_per_page(run, repo: Path, extra: int) -> None:
    sandbox = org(repo)
    template = next(iter(sandbox.state.segments.values()))
    for index in range(extra):
        sandbox.state.segments[f"x-{index}"] = dict(
            template, id=f"x-{index}", name=f"Extra {index:04d}"
        )
    save(sandbox.state, repo / STATE_FILE)
    journal: dict[str, Any] = {}

    def keep_journal(self: Sandbox) -> None:
        journal.update(self.journal_view(None).body)  # type: ignore[arg-type]

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            "genesys_reconcile.sandbox.embedded.Embedded.close",
            lambda self: (keep_journal(self.server.app), self.server.close()),
        )
        assert run("plan", "--sandbox").code == 0
    counts = journal["counts"]
    total = extra + 3
    assert counts["GET /api/v2/analytics/segments"] == math.ceil(total / 100)
    assert counts["GET /api/v2/outbound/campaigns"] == counts["GET /api/v2/outbound/lists"] == 1
    assert not any("{id}" in route for route in counts), json.dumps(counts)


def test_the_json_plan_is_valid_and_saved_whole_with_out(run, repo: Path) -> None:
    result = run("plan", "--sandbox", "--format", "json", "--out", "plans/plan.json")
    document = json.loads(result.out)
    saved = json.loads((repo / "plans/plan.json").read_text(encoding="utf-8"))
    assert {k: v for k, v in saved.items() if k != "createdAt"} == {
        k: v for k, v in document.items() if k != "createdAt"
    }
    Draft202012Validator(
        json.loads((ROOT / "schemas/plan.schema.json").read_text(encoding="utf-8"))
    ).validate(document)
    assert document["summary"] == {
        "create": 4,
        "update": 6,
        "delete": 0,
        "unchanged": 3,
        "unmanaged": {
            "AnalyticsSegment": 1,
            "ContactListFilter": 1,
            "JourneySegment": 2,
            "RuleSet": 1,
        },
        "unowned": {
            kind: sorted(name for k, name in STRANGERS if k == kind) for kind, _ in STRANGERS
        },
        "existing": {
            "AnalyticsSegment": 3,
            "CampaignSegmentation": 4,
            "CampaignSettings": 4,
            "ContactListFilter": 2,
            "JourneySegment": 3,
            "RuleSet": 2,
        },
    }
    spring = next(c for c in document["changes"] if c["name"] == "Spring Outreach")
    assert (spring["action"], spring["version"], spring["id"]) == (
        "update",
        1,
        entity_id("campaign", "Spring Outreach"),
    )
    assert document["checksum"] == checksum(document["changes"])
    assert document["apiUrl"] == f"sandbox:{(repo / '.reconcile/sandbox/org.json').resolve()}"
    assert [p.name for p in (repo / "plans").iterdir()] == ["plan.json"]  # no partial file left


def test_the_input_digest_follows_the_files(run, repo: Path) -> None:
    first = json.loads(run("plan", "--sandbox", "--format", "json").out)["inputDigest"]
    assert json.loads(run("plan", "--sandbox", "--format", "json").out)["inputDigest"] == first
    with (repo / "segments/short-voice-calls.yaml").open("a", encoding="utf-8") as handle:
        handle.write("# a comment changes the bytes\n")
    assert json.loads(run("plan", "--sandbox", "--format", "json").out)["inputDigest"] != first


def test_a_comment_over_the_limit_keeps_the_summary_and_says_what_was_cut() -> None:
    from genesys_reconcile.plan import markdown
    from genesys_reconcile.plan.model import Action, Change, FieldChange, Plan

    changes = [
        Change(
            "AnalyticsSegment",
            f"Segment {i:03d}",
            Action.CREATE,
            tuple(FieldChange(f"f{j}", None, "x" * 200) for j in range(40)),
        )
        for i in range(30)
    ]
    plan = Plan(changes=changes)
    comment = markdown.render(plan)
    assert len(comment) <= markdown.COMMENT_LIMIT
    assert comment.startswith(
        markdown.MARKER + "\n### Plan: 30 to create, 0 to update, 0 to delete."
    )
    shown = comment.count("<details>")
    assert 0 < shown < 30
    assert comment.rstrip().endswith(
        f"> {30 - shown} resources not shown: this comment is limited to 65,536 characters. The full plan is in the job's plan artifact."
    )
    assert comment.count("| `+` | AnalyticsSegment |") == 30  # the table lists every resource


def test_no_format_of_the_plan_holds_a_secret(run, repo: Path) -> None:
    from genesys_reconcile import redaction

    outputs = [
        run("plan", "--sandbox", "--format", f, "--out", "plan.json").out
        for f in ("text", "markdown", "json")
    ]
    outputs.append((repo / "plan.json").read_text(encoding="utf-8"))
    known = list(redaction._known)
    assert known  # the run's client secret and tokens were registered
    for secret in known:
        assert all(secret not in output for output in outputs)


def test_targets_and_excludes_limit_the_plan_and_say_so(run, repo: Path) -> None:
    result = run(
        "plan",
        "--sandbox",
        "--target",
        "CampaignSegmentation/*",
        "--exclude",
        "CampaignSegmentation/Lapsed*",
    )
    assert result.code == 0
    headers = [line for line in result.out.splitlines() if line.startswith(("+ ", "~ ", "- "))]
    assert headers == [
        '~ CampaignSegmentation "Spring Outreach" will be updated in place  (campaigns/spring-outreach.yaml:3:1)'
    ]
    assert (
        "Partial plan (--target CampaignSegmentation/* --exclude CampaignSegmentation/Lapsed*): other resources were not compared."
        in result.out
    )
    document = json.loads(
        run("plan", "--sandbox", "--target", "AnalyticsSegment/Long*", "--format", "json").out
    )
    assert (document["partial"], document["targets"], [c["name"] for c in document["changes"]]) == (
        True,
        ["AnalyticsSegment/Long*"],
        ["Long Holds in Support"],
    )


def test_a_targeted_campaign_brings_the_filter_and_rule_set_it_binds(run, repo: Path) -> None:
    target = ("--target", "CampaignSettings/Holiday Promo")
    planned = run("plan", "--sandbox", "--no-impact", *target)
    headers = [line.split("  (")[0] for line in planned.out.splitlines() if line[:2] == "+ "]
    assert headers == [
        '+ ContactListFilter "Holiday Promo audience" will be created',
        '+ RuleSet "Holiday Promo exclusions" will be created',
    ]
    applied = run("apply", "--sandbox", "--auto-approve", *target)
    assert applied.code == 0, applied.out + applied.err
    assert "Apply: 2 created, 1 updated, 0 deleted, 0 failed.\n" in applied.out
    assert run("plan", "--sandbox", "--detailed-exitcode", "--no-impact", *target).code == 0


def test_a_selector_must_name_a_kind(run, repo: Path) -> None:
    result = run("plan", "--sandbox", "--target", "Segment/x")
    assert result.code == 1
    assert (
        "'Segment/x' is not KIND/NAME with KIND one of AnalyticsSegment, CampaignSegmentation"
        in result.err
    )


def test_a_plan_over_the_safety_thresholds_fails_without_force(run, repo: Path) -> None:
    sandbox = org(repo)
    template = next(s for s in sandbox.state.segments.values() if s["name"] == "Short Voice Calls")
    for index in range(8):  # 11 live segments now; the repository will change 4 of them
        sandbox.state.segments[f"x-{index}"] = dict(
            template, id=f"x-{index}", name=f"Other {index}"
        )
    save(sandbox.state, repo / STATE_FILE)
    for name in ("short-voice-calls", "voice-calls-over-5-minutes-q3"):
        path = repo / "segments" / f"{name}.yaml"
        path.write_text(
            path.read_text(encoding="utf-8").replace("description: ", "description: Edited. "),
            encoding="utf-8",
        )
    (repo / "reconcile.yaml").write_text(
        "paths: [segments, campaigns]\nsafety: {updates: 0.1}\n", encoding="utf-8"
    )
    result = run("plan", "--sandbox")
    assert result.code == 1
    assert (
        "UNSAFE: 2 of 11 AnalyticsSegment resources would be updated (18%), over the 10% threshold. Apply refuses this plan without --force."
        in result.out
    )
    assert (
        result.err == "error: the plan exceeds the safety thresholds; review it, then use --force\n"
    )
    assert run("plan", "--sandbox", "--force").code == 0
    violations = json.loads(run("plan", "--sandbox", "--force", "--format", "json").out)["safety"][
        "violations"
    ]
    assert violations == [
        "2 of 11 AnalyticsSegment resources would be updated (18%), over the 10% threshold"
    ]


def test_long_text_changes_show_as_a_word_diff() -> None:
    from genesys_reconcile.plan.text import word_diff

    before = "age >= 21 AND age <= 55 AND region IN ('NW', 'CA', 'TX')"
    after = "age >= 25 AND age <= 55 AND engagement_score >= 70 AND region IN ('NW', 'CA', 'TX')"
    assert (
        word_diff(before, after)
        == "age >= [-21-] {+25+} AND age <= 55 {+AND engagement_score >= 70+} AND region IN ('NW', 'CA', 'TX')"
    )


def test_the_json_plan_reads_like_the_golden_file(run, repo: Path) -> None:
    document = json.loads(masked(run("plan", "--sandbox", "--format", "json").out))
    # What varies by run or by any byte of the examples; each has its own test.
    assert document["org"]["id"] and document["org"]["name"]
    document |= {"createdAt": "<time>", "apiUrl": "<sandbox>", "inputDigest": "<digest>"}
    document["org"] = "<org>"
    document["checksum"] = "<covers the impact counts>"
    golden = json.loads((GOLDEN / "demo-plan.json").read_text(encoding="utf-8"))
    assert document == golden
