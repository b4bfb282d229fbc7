"""The rule compiler: right meaning, safe literals, stable output, limits, live list checks,
and rules the platform accepts."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genesys_reconcile.connection import connect
from genesys_reconcile.manifest.yaml import load_file, load_text
from genesys_reconcile.rules import expression as ex
from genesys_reconcile.rules.compiler import (
    ContactList,
    compile_rules,
    limit_findings,
    list_findings,
    offline_lists,
)
from genesys_reconcile.rules.model import OneOf, Segmentation, from_document
from genesys_reconcile.sandbox.demo import LIST_ATTRIBUTES
from genesys_reconcile.settings import Settings
from tests.conftest import ROOT

CAMPAIGNS = "/api/v2/outbound/campaigns"
CONTACT_LISTS = "/api/v2/outbound/lists"

TYPES = dict(LIST_ATTRIBUTES)  # the demo org's lists
PRIMARY = ContactList("id-primary", "Primary Leads", TYPES)
SECONDARY = ContactList("id-secondary", "Secondary Leads", TYPES)
SPRING = ROOT / "campaigns" / "spring-outreach.yaml"


def model(path: Path) -> Segmentation:
    return from_document(load_file(path).data)


def test_the_seed_example_compiles_to_list_include_and_exclude_rules() -> None:
    rules = compile_rules(model(SPRING), [SECONDARY, PRIMARY])
    assert [(r["type"], r["actions"], r["expression"]) for r in rules] == [
        ("list", [{"type": "include"}], "listId = 'id-primary'"),
        ("list", [{"type": "include"}], "listId = 'id-secondary'"),
        (
            "contact",
            [{"type": "include"}],
            "age >= 25 AND age <= 55 AND engagement_score >= 70 AND engagement_score <= 100 AND region IN ('NW', 'CA', 'TX')",
        ),
        ("contact", [{"type": "exclude"}], "do_not_call = true OR recently_contacted > 30"),
    ]
    assert all(r["filter"] == {"type": r["type"], "expression": r["expression"]} for r in rules)


def dialled(rules: list[dict[str, Any]], contact: dict[str, Any]) -> bool:
    """How the platform reads rules: every include condition holds and no exclude one does."""
    contact_rules = [
        (r["actions"][0]["type"], ex.parse(r["expression"]))
        for r in rules
        if r["type"] == "contact"
    ]
    included = all(ex.evaluate(e, contact) for action, e in contact_rules if action == "include")
    excluded = any(ex.evaluate(e, contact) for action, e in contact_rules if action == "exclude")
    return included and not excluded


def intended(data: dict[str, Any], contact: dict[str, Any]) -> bool:
    """What the YAML says, read directly (not through the compiler)."""
    for attribute, spec in data["demographics"].items():
        value = contact[attribute]
        if "allowed" in spec and value not in spec["allowed"]:
            return False
        if not spec.get("min", value) <= value <= spec.get("max", value):
            return False
    compare = {"=": lambda a, b: a == b, ">": lambda a, b: a > b}
    return not any(
        compare[e["operator"]](contact[e["attribute"]], e["value"]) for e in data["exclusions"]
    )


def test_the_compiled_rules_dial_exactly_the_contacts_the_file_describes() -> None:
    data = load_file(SPRING).data
    rules = compile_rules(from_document(data), [PRIMARY])
    contacts = [
        {
            "age": age,
            "region": region,
            "engagement_score": score,
            "do_not_call": dnc,
            "recently_contacted": days,
        }
        for age, region, score, dnc, days in itertools.product(
            [18, 25, 40, 55, 56],
            ["NW", "TX", "NY", "CA'"],
            [69, 70, 100],
            [True, False],
            [0, 30, 31],
        )
    ]
    assert sum(intended(data, c) for c in contacts) > 0
    assert [dialled(rules, c) for c in contacts] == [intended(data, c) for c in contacts]
    # A double negation (NOT of the exclusions, with the action exclude) would dial exactly
    # the do-not-call contacts.
    assert not dialled(
        rules,
        dict(
            contacts[0],
            age=30,
            region="NW",
            engagement_score=80,
            do_not_call=True,
            recently_contacted=0,
        ),
    )


@given(st.lists(st.text(max_size=20), min_size=1, max_size=5, unique=True))
def test_no_value_can_change_an_expression_structure(values: list[str]) -> None:
    segmentation = Segmentation("c", ("Primary Leads",), (OneOf("region", tuple(values)),))
    include = compile_rules(segmentation, [PRIMARY])[1]["expression"]
    assert ex.parse(include) == ex.Membership("region", tuple(values))


def test_reordering_a_file_changes_no_byte_of_the_rules() -> None:
    text = SPRING.read_text(encoding="utf-8")
    shuffled = text.replace(
        "  age: {min: 25, max: 55}\n  region: {allowed: [NW, CA, TX]}\n",
        "  region: {allowed: [NW, CA, TX]}\n  age: {max: 55, min: 25}\n",
    )
    lines = shuffled.splitlines(keepends=True)
    exclusions = [i for i, line in enumerate(lines) if line.startswith("  - {attribute")]
    lines[exclusions[0]], lines[exclusions[1]] = lines[exclusions[1]], lines[exclusions[0]]
    reordered = from_document(load_text("".join(lines), "x.yaml").data)
    assert "".join(lines) != text
    assert compile_rules(reordered, [PRIMARY, SECONDARY]) == compile_rules(
        model(SPRING), [SECONDARY, PRIMARY]
    )


def test_limits_are_checked_on_the_compiled_rules() -> None:
    many_lists = Segmentation(
        "c", tuple(f"List {i}" for i in range(49)), (OneOf("region", ("NW",)),), ()
    )
    assert [f.message for f in limit_findings(many_lists, offline_lists(many_lists))] == []
    too_many = Segmentation(
        "c", tuple(f"List {i}" for i in range(50)), (OneOf("region", ("NW",)),), ()
    )
    assert [f.message for f in limit_findings(too_many, offline_lists(too_many))] == [
        "compiles to 51 rules; a campaign takes at most 50"
    ]
    long_set = Segmentation(
        "c", ("L",), (OneOf("region", tuple(f"region-number-{i:04d}" for i in range(120))),)
    )
    assert [(f.path, f.message) for f in limit_findings(long_set, offline_lists(long_set))] == [
        (
            ("demographics",),
            "compiles to an expression of 2,650 characters; at most 2,048 are allowed",
        )
    ]


def write(directory: Path, name: str, text: str) -> Path:
    path = directory / "campaigns" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_online_validation_checks_campaigns_lists_attributes_and_types(
    run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    write(
        tmp_path,
        "spring-outreach.yaml",
        "kind: CampaignSegmentation\n"
        "campaign: Spring Outreach\n"
        "lists: [Primary Leads, Secondary Lead]\n"
        "demographics:\n"
        "  agee: {min: 25}\n"
        "  region: {min: 1}\n"
        "exclusions:\n"
        "  - {attribute: do_not_call, operator: '=', value: 'yes'}\n",
    )
    write(
        tmp_path,
        "summer-sale.yaml",
        "kind: CampaignSegmentation\ncampaign: Summer Sale\nlists: [Renewals Due]\n",
    )
    assert run("validate").code == 0  # offline, nothing is wrong
    result = run("validate", "--sandbox")
    assert result.code == 1
    assert result.out.splitlines() == [
        "campaigns/spring-outreach.yaml:3:24: error: lists[1]: contact list 'Secondary Lead' does not exist; did you mean 'Secondary Leads'?",
        "campaigns/spring-outreach.yaml:5:3: error: demographics.agee: contact list 'Primary Leads' has no attribute 'agee'; did you mean 'age'?",
        "campaigns/spring-outreach.yaml:6:3: error: demographics.region: region is text; '>=' orders numbers and dates only (in contact list 'Primary Leads')",
        "campaigns/spring-outreach.yaml:8:5: error: exclusions[0]: do_not_call is a boolean, but is compared with the text 'yes' (in contact list 'Primary Leads')",
        "campaigns/summer-sale.yaml:2:1: error: campaign: campaign 'Summer Sale' does not exist; segmentation applies to an existing campaign and never creates one",
        "5 errors, 0 warnings in 2 files",
    ]


HARDER = {
    "quotes-and-dates": (
        "Spring Outreach",
        "lists: [Primary Leads]\n"
        "demographics:\n"
        "  region: {allowed: [\"O'Brien\", Zürich, \"' OR '1'='1\", 'two  spaces']}\n"
        "exclusions:\n"
        "  - {attribute: last_purchase, operator: '<', value: '2023-01-01'}\n"
        "  - {attribute: region, operator: '=', value: \"x'); DROP\"}\n",
    ),
    "negative-and-fractional-numbers": (
        "Policy Renewal Reminders",
        "lists: [Renewals Due]\n"
        "demographics:\n"
        "  engagement_score: {min: -5.5, max: 99.75}\n"
        "  age: {max: 120}\n"
        "exclusions:\n"
        "  - {attribute: recently_contacted, operator: '<=', value: 0.5}\n"
        "  - {attribute: age, operator: '!=', value: -1}\n",
    ),
    "every-list-and-many-exclusions": (
        "Holiday Promo",
        "lists: [Primary Leads, Secondary Leads, Renewals Due, Lapsed Customers]\n"
        "demographics:\n"
        "  region: {allowed: [NW, NO, 'ON', 'YES']}\n"
        "exclusions:\n"
        + "".join(
            f"  - {{attribute: recently_contacted, operator: '=', value: {d}}}\n" for d in range(12)
        )
        + "  - {attribute: do_not_call, operator: '=', value: true}\n",
    ),
}


def campaigns_to_apply() -> list[tuple[str, str]]:
    examples = [
        (p.read_text(encoding="utf-8"), p.stem) for p in sorted((ROOT / "campaigns").glob("*.yaml"))
    ]
    harder = [
        (f"kind: CampaignSegmentation\ncampaign: {campaign}\n{body}", name)
        for name, (campaign, body) in HARDER.items()
    ]
    return examples + harder


@pytest.mark.parametrize(
    ("text", "name"), campaigns_to_apply(), ids=[n for _, n in campaigns_to_apply()]
)
def test_examples_and_harder_campaigns_are_accepted_by_the_platform(
    text: str, name: str, tmp_path: Path
) -> None:
    data = load_text(text, f"{name}.yaml").data
    segmentation = from_document(data)
    with connect(Settings(root=tmp_path, paths=()), sandbox=True) as client:
        lists = [ContactList.from_wire(e) for e in client.list_all(CONTACT_LISTS)]
        assert list(list_findings(segmentation, lists)) == []  # valid against the live lists
        chosen = [next(cl for cl in lists if cl.name == n) for n in segmentation.lists]
        rules = compile_rules(segmentation, chosen)
        campaign = next(c for c in client.list_all(CAMPAIGNS) if c["name"] == segmentation.campaign)
        applied = client.update(
            "PATCH",
            f"{CAMPAIGNS}/{campaign['id']}",
            {"rules": rules, "contactFilters": rules, "version": campaign["version"]},
        )
    assert applied["rules"] == rules
    assert [ex.render(ex.parse(r["expression"])) for r in applied["rules"]] == [
        r["expression"] for r in rules
    ]
    if name == "quotes-and-dates":
        include = ex.parse(rules[1]["expression"])
        assert include == ex.Membership(
            "region", ("O'Brien", "Zürich", "' OR '1'='1", "two  spaces")
        )
