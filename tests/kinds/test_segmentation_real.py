"""The seed's campaign segmentation on an org without segmentation rules (`sandbox serve --api
genesys`): each file is planned and applied as the contact list filter and campaign settings it
stands for, what a real campaign cannot hold is an error at its line, and a running campaign is
stopped only when the file says so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.oracle import assert_conforms
from tests.processes import reconcile, served

CAMPAIGNS = "/api/v2/outbound/campaigns"
FILTERS = "/api/v2/outbound/contactlistfilters"


def _api(env: dict[str, str]) -> httpx.Client:
    url = env["GENESYS_API_URL"]
    token = httpx.post(
        f"{url}/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(env["GENESYS_CLIENT_ID"], env["GENESYS_CLIENT_SECRET"]),
    ).json()["access_token"]
    return httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"})


def _campaign(api: httpx.Client, name: str) -> dict[str, Any]:
    found = api.get(CAMPAIGNS, params={"name": name, "filterType": "Equals"}).json()["entities"]
    assert len(found) == 1, found
    return dict(found[0])


def test_what_a_real_campaign_cannot_hold_is_an_error_at_its_line(repo: Path) -> None:
    with served("--api", "genesys") as env:
        planned = reconcile(env, "plan", "--no-impact")
    assert planned.returncode == 1
    errors = [line for line in planned.stderr.splitlines() if ": error: " in line]
    assert [line.split(": error: ")[0] for line in errors] == [
        "campaigns/lapsed-customer-win-back.yaml:5:27",  # its second list
        "campaigns/lapsed-customer-win-back.yaml:12:1",  # useOnlyOnce: true
        "campaigns/spring-outreach.yaml:5:24",
        "campaigns/spring-outreach.yaml:13:1",
    ]
    assert "one contact list, not 2" in errors[0] and "useOnlyOnce" in errors[1]
    assert planned.stdout == ""  # nothing planned


def test_a_segmentation_is_planned_and_applied_as_a_filter_bound_to_its_campaign(
    real_repo: Path,
) -> None:
    repo = real_repo
    (repo / "campaigns" / "spring-outreach.yaml").unlink()  # it runs: see the next test
    with served("--api", "genesys") as env:
        planned = reconcile(env, "plan", "--no-impact", "--target", "ContactListFilter/Policy "
                            "Renewal Reminders audience", "--target", "CampaignSettings/Policy "
                            "Renewal Reminders")  # fmt: skip
        assert planned.returncode == 0, planned.stderr
        heads = [line for line in planned.stdout.splitlines() if line[:2] in ("+ ", "~ ")]
        assert heads == [
            '+ ContactListFilter "Policy Renewal Reminders audience" will be created  '
            "(campaigns/policy-renewal-reminders.yaml:3:1)",
            '~ CampaignSettings "Policy Renewal Reminders" will be updated in place  '
            "(campaigns/policy-renewal-reminders.yaml:3:1)",
        ]
        assert (
            "CampaignSegmentation: this org serves no /api/v2/outbound/lists (404); "
            "campaigns/policy-renewal-reminders.yaml is planned as the real resources it stands "
            "for: ContactListFilter 'Policy Renewal Reminders audience' and CampaignSettings "
            "'Policy Renewal Reminders'"
        ) in planned.stderr.splitlines()

        applied = reconcile(env, "apply", "--auto-approve")
        assert applied.returncode == 0, applied.stderr
        again = reconcile(env, "plan", "--no-impact", "--detailed-exitcode")
        assert again.returncode == 0, again.stdout

        api = _api(env)
        campaign = _campaign(api, "Policy Renewal Reminders")
        bound = api.get(f"{FILTERS}/{campaign['contactListFilters'][0]['id']}").json()
    assert_conforms("Campaign", campaign)
    assert_conforms("ContactListFilter", bound)
    assert bound["name"] == "Policy Renewal Reminders audience"
    assert bound["contactList"]["id"] == campaign["contactList"]["id"]
    assert [
        (p["column"], p["operator"], p.get("value"), p["inverted"])
        for p in bound["clauses"][0]["predicates"]
    ] == [
        ("age", "GREATER_THAN_EQUALS", "18", False),
        ("engagement_score", "GREATER_THAN_EQUALS", "40", False),
        ("do_not_call", "EQUALS", "true", True),  # the exclusion, inverted
    ]


def test_a_running_campaign_is_stopped_only_when_the_file_says_so(real_repo: Path) -> None:
    repo = real_repo
    spring = repo / "campaigns" / "spring-outreach.yaml"
    target = ("--target", "CampaignSegmentation/Spring Outreach")  # the filter and the campaign
    with served("--api", "genesys") as env:
        refused = reconcile(env, "apply", "--auto-approve", *target)
        assert refused.returncode == 1
        assert "is on and contactListFilters, dialingMode needs the campaign off" in (
            refused.stdout + refused.stderr
        )
        api = _api(env)
        assert _campaign(api, "Spring Outreach")["dialingMode"] == "predictive"

        spring.write_text(spring.read_text() + "whileRunning: stop-apply-start\n")
        applied = reconcile(env, "apply", "--auto-approve", *target)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        campaign = _campaign(api, "Spring Outreach")
    assert (campaign["campaignStatus"], campaign["dialingMode"]) == ("on", "progressive")
    assert len(campaign["contactListFilters"]) == 1


def test_more_conditions_than_a_filter_holds_are_an_error_at_the_first_one_over(
    real_repo: Path,
) -> None:
    repo = real_repo
    renewals = repo / "campaigns" / "policy-renewal-reminders.yaml"
    extra = "".join(f"  - {{attribute: flag_{n}, operator: '=', value: x}}\n" for n in range(9))
    renewals.write_text(renewals.read_text().replace("useOnlyOnce", extra + "useOnlyOnce"))
    with served("--api", "genesys") as env:
        planned = reconcile(env, "validate", "--online")
    assert planned.returncode == 1
    lines = planned.stdout.splitlines() + planned.stderr.splitlines()
    over = [line for line in lines if "at most 10 conditions" in line]
    assert [line.split(": error: ")[0] for line in over] == [
        "campaigns/policy-renewal-reminders.yaml:18:5"  # the 11th condition: its 9th flag
    ]


def test_a_campaign_with_its_own_settings_file_takes_one_of_them(real_repo: Path) -> None:
    repo = real_repo
    (repo / "outbound" / "campaigns" / "policy-renewal-reminders.yaml").write_text(
        "kind: CampaignSettings\ncampaign: Policy Renewal Reminders\nruleSets: []\n"
    )
    with served("--api", "genesys") as env:
        planned = reconcile(env, "plan", "--no-impact")
    assert planned.returncode == 1
    assert (
        "campaigns/policy-renewal-reminders.yaml:3:1: error: campaign: on this org the file "
        "stands for CampaignSettings 'Policy Renewal Reminders', which "
        "outbound/campaigns/policy-renewal-reminders.yaml:2:1 also defines; keep one of them"
    ) in planned.stderr.splitlines()


def test_exclusions_checked_at_dialing_become_a_rule_set_the_campaign_applies(
    real_repo: Path,
) -> None:
    renewals = real_repo / "campaigns" / "policy-renewal-reminders.yaml"
    renewals.write_text(renewals.read_text() + "exclusionsMode: runtime\n")
    target = ("--target", "CampaignSegmentation/Policy Renewal Reminders")
    with served("--api", "genesys") as env:
        planned = reconcile(env, "plan", "--no-impact", *target)
        assert planned.returncode == 0, planned.stderr
        assert "and RuleSet 'Policy Renewal Reminders exclusions' and" in planned.stderr
        applied = reconcile(env, "apply", "--auto-approve", *target)
        assert applied.returncode == 0, applied.stdout + applied.stderr
        again = reconcile(env, "plan", "--no-impact", "--detailed-exitcode", *target)
        assert again.returncode == 0, again.stdout
        api = _api(env)
        campaign = _campaign(api, "Policy Renewal Reminders")
        rule_set = api.get(f"/api/v2/outbound/rulesets/{campaign['ruleSets'][0]['id']}").json()
        bound = api.get(f"{FILTERS}/{campaign['contactListFilters'][0]['id']}").json()
    assert_conforms("RuleSet", rule_set)
    assert [(r["name"], r["category"]) for r in rule_set["rules"]] == [
        ("Exclude do_not_call = true", "DIALER_PRECALL")
    ]
    condition = rule_set["rules"][0]["conditions"][0]
    assert (condition["attributeName"], condition["operator"], condition["value"]) == (
        "do_not_call",
        "EQUALS",
        "true",
    )
    assert [p["column"] for p in bound["clauses"][0]["predicates"]] == ["age", "engagement_score"]
