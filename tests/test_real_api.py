"""The whole loop against `reconcile sandbox serve --api genesys`, which serves only what the real
platform serves: the real kinds plan, apply, converge and prune; the demo extension's kinds
(analytics segments) are left out, named once; campaign segmentations are planned as the
contact list filters and campaign settings they stand for there."""

from __future__ import annotations

from pathlib import Path

from genesys_reconcile.ownership import Ownership
from tests.conftest import STRANGERS, own
from tests.processes import reconcile, served


def test_the_real_kinds_converge_on_an_org_that_serves_only_the_real_api(real_repo: Path) -> None:
    (real_repo / "campaigns" / "spring-outreach.yaml").unlink()  # it runs; the file would stop it
    with served("--api", "genesys") as env:
        planned = reconcile(env, "plan", "--no-impact")
        assert planned.returncode == 0, planned.stderr
        assert planned.stderr.splitlines() == [
            "AnalyticsSegment: this org serves no /api/v2/analytics/segments (404); left out of "
            "the plan: segments/chat-wrap-up-over-a-minute.yaml, segments/long-holds-in-support"
            ".yaml, segments/short-voice-calls.yaml, segments/voice-calls-over-5-minutes-q3.yaml",
            *(
                f"CampaignSegmentation: this org serves no /api/v2/outbound/lists (404); "
                f"campaigns/{file}.yaml is planned as the real resources it stands for: "
                f"ContactListFilter '{name} audience' and CampaignSettings '{name}'"
                for file, name in (
                    ("lapsed-customer-win-back", "Lapsed Customer Win-Back"),
                    ("policy-renewal-reminders", "Policy Renewal Reminders"),
                )
            ),
        ]
        changes = [line for line in planned.stdout.splitlines() if line[:2] in ("+ ", "~ ")]
        assert [line.split("  (")[0] for line in changes] == [
            '+ ContactListFilter "Holiday Promo audience" will be created',
            '+ ContactListFilter "Lapsed Customer Win-Back audience" will be created',
            '+ ContactListFilter "Policy Renewal Reminders audience" will be created',
            '~ ContactListFilter "Renewals audience" will be updated in place',
            '+ RuleSet "Holiday Promo exclusions" will be created',
            '~ CampaignSettings "Holiday Promo" will be updated in place',
            '~ CampaignSettings "Lapsed Customer Win-Back" will be updated in place',
            '~ CampaignSettings "Policy Renewal Reminders" will be updated in place',
            '~ JourneySegment "Returning mobile visitors from paid search" will be updated in place',
        ]
        own(real_repo, tuple(s for s in STRANGERS if s[0] != "AnalyticsSegment"))
        applied = reconcile(env, "apply", "--auto-approve", "--prune")
        assert applied.returncode == 0, applied.stderr
        assert applied.stdout.endswith(
            "Apply: 4 created, 5 updated, 4 deleted, 0 failed.\n"
            "reconcile.owned.yaml records 2 new resources and forgets 4 deleted resources; "
            "commit it.\n"
        )
        record = Ownership.load(real_repo)  # the filters the campaign files stand for, too
        assert record.owns("ContactListFilter", "Lapsed Customer Win-Back audience")
        assert not record.owns("RuleSet", "Legacy wrap-up retries")
        again = reconcile(env, "plan", "--no-impact", "--prune", "--detailed-exitcode")
        assert again.returncode == 0, again.stdout
