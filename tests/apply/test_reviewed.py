"""`apply PLAN_FILE` trusts the files and the org, not the file: an edited plan, even with a
recomputed checksum, can make apply do nothing that a fresh plan would not; a plan made for
one org is refused by another org at the same URL."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.sandbox.app import DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET, Sandbox
from genesys_reconcile.sandbox.embedded import STATE_FILE
from genesys_reconcile.sandbox.server import SandboxServer
from tests.conftest import own

Plan = dict[str, Any]


def forged(plan: Plan, edit: Callable[[list[dict[str, Any]]], None]) -> Plan:
    """The plan with its changes edited and the checksum recomputed, as anyone can."""
    edit(plan["changes"])
    canonical = json.dumps(plan["changes"], sort_keys=True, separators=(",", ":"))
    plan["checksum"] = "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()
    return plan


def live_names(repo: Path) -> set[str]:
    state = json.loads((repo / STATE_FILE).read_text(encoding="utf-8"))
    return {s["name"] for s in state["segments"]}


@pytest.fixture
def saved(run, repo: Path) -> Plan:
    assert run("plan", "--sandbox", "--out", "plan.json").code == 0
    plan: Plan = json.loads((repo / "plan.json").read_text(encoding="utf-8"))
    return plan


def apply_forged(run, repo: Path, plan: Plan, *flags: str):
    (repo / "plan.json").write_text(json.dumps(plan), encoding="utf-8")
    return run("apply", "plan.json", "--sandbox", "--auto-approve", *flags)


def test_a_delete_appended_to_a_plan_is_not_applied_without_prune(
    run, repo: Path, saved: Plan
) -> None:
    own(repo)
    run("plan", "--sandbox", "--prune", "--out", "pruned.json")
    pruned = json.loads((repo / "pruned.json").read_text(encoding="utf-8"))
    delete = next(
        c for c in pruned["changes"] if c["action"] == "delete" and c["kind"] == "AnalyticsSegment"
    )
    before = live_names(repo)
    result = apply_forged(run, repo, forged(saved, lambda c: c.append(delete)))
    assert result.code == 1
    assert (
        "refused: - AnalyticsSegment 'Abandoned Callbacks': a fresh plan of the files makes no "
        "such change (deletes need --prune on apply)\n"
    ) in result.err
    assert live_names(repo) == before  # nothing at all was applied
    assert "Abandoned Callbacks" in before


def test_a_renamed_change_is_refused_before_any_write(run, repo: Path, saved: Plan) -> None:
    def rename(changes: list[dict[str, Any]]) -> None:
        changes[0]["name"] = "Chat Wrap-Up Renamed"

    before = live_names(repo)
    result = apply_forged(run, repo, forged(saved, rename))
    assert result.code == 1
    assert (
        "refused: + AnalyticsSegment 'Chat Wrap-Up Renamed': a fresh plan of the files makes no such change\n"
        in result.err
    )
    assert "internal error" not in result.err
    assert live_names(repo) == before


def test_an_edited_change_is_refused_and_with_allow_partial_the_rest_applies_as_reviewed(
    run, repo: Path, saved: Plan
) -> None:
    def edit(changes: list[dict[str, Any]]) -> None:
        update = next(c for c in changes if c["name"] == "Voice Calls Over 5 Minutes Q3")
        update["after"]["description"] = "not what the files say"
        changes.append(dict(changes[0]))  # and a change twice

    result = apply_forged(run, repo, forged(saved, edit), "--allow-partial")
    assert result.code == 1
    assert result.out.endswith(
        "Apply: 4 created, 5 updated, 0 deleted, 0 failed.\n"
        "Refused: 2 change(s) of the saved plan were not applied.\n"
        "  refused: AnalyticsSegment 'Voice Calls Over 5 Minutes Q3': differs from what a fresh plan of the files would do; plan again\n"
        "  refused: AnalyticsSegment 'Chat Wrap-Up Over a Minute': appears twice in the plan\n"
    )
    remaining = run("plan", "--sandbox").out
    assert "not what the files say" not in json.dumps(
        json.loads((repo / STATE_FILE).read_text(encoding="utf-8"))
    )
    assert '~ AnalyticsSegment "Voice Calls Over 5 Minutes Q3"' in remaining


@pytest.mark.parametrize(
    "damage",
    [
        lambda c: c.__setitem__(0, {"kind": 5}),
        lambda c: c[0].__setitem__("action", "replace"),
        lambda c: c[0].pop("fields"),
    ],
    ids=["not-a-change", "unknown-action", "missing-field"],
)
def test_a_malformed_plan_is_one_error_before_any_write(
    run, repo: Path, saved: Plan, damage: Callable[[list[dict[str, Any]]], None]
) -> None:
    before = live_names(repo)
    result = apply_forged(run, repo, forged(saved, damage))
    assert result.code == 1
    assert result.err.startswith("error: plan.json is not a plan of format 2: at changes/0")
    assert len(result.err.splitlines()) == 1
    assert live_names(repo) == before


# -- two orgs at one URL ---------------------------------------------------------------------


class OrgAtOneUrl:
    """Sandboxes that take turns listening on one port, each with its own state file: two orgs
    of one region, as the API's single URL shows them."""

    def __init__(self, tmp: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.tmp, self.port = tmp, 0
        self.running: SandboxServer | None = None
        monkeypatch.setenv("GENESYS_CLIENT_ID", DEFAULT_CLIENT_ID)
        monkeypatch.setenv("GENESYS_CLIENT_SECRET", DEFAULT_CLIENT_SECRET)
        self.monkeypatch = monkeypatch

    def serve(self, name: str, seed: int = 0) -> Sandbox:
        self.close()
        app = Sandbox(state_file=self.tmp / f"{name}.json", seed=seed)
        self.running = SandboxServer(app, port=self.port).start()
        self.port = int(self.running.url.rsplit(":", 1)[1])
        self.monkeypatch.setenv("GENESYS_API_URL", self.running.url)
        self.monkeypatch.setenv("GENESYS_LOGIN_URL", self.running.url)
        return app

    def close(self) -> None:
        if self.running:
            self.running.close()
            self.running = None


@pytest.fixture
def orgs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[OrgAtOneUrl]:
    made = OrgAtOneUrl(tmp_path, monkeypatch)
    yield made
    made.close()


def test_a_plan_for_one_org_is_refused_by_another_at_the_same_url(
    run, repo: Path, orgs: OrgAtOneUrl
) -> None:
    first = orgs.serve("a")
    assert run("plan", "--out", "plan.json").code == 0
    recorded = json.loads((repo / "plan.json").read_text(encoding="utf-8"))["org"]
    assert recorded == {
        "id": first.state.organization["id"],
        "name": first.state.organization["name"],
    }
    second = orgs.serve("b")
    assert second.state.organization["id"] != recorded["id"]
    result = run("apply", "plan.json", "--auto-approve")
    assert result.code == 1
    assert result.err == (
        f"error: the plan was made for org {recorded['name']!r} (id {recorded['id']}), but the "
        f"credentials are for org {second.state.organization['name']!r} "
        f"(id {second.state.organization['id']}); plan again against this org\n"
    )
    writes = [e for e in second.journal if e["method"] in ("POST", "PATCH", "DELETE")]
    assert [e["path"] for e in writes] == ["/oauth/token"]


def test_the_org_id_is_in_the_audit_trail(run, repo: Path, orgs: OrgAtOneUrl) -> None:
    org = orgs.serve("a").state.organization
    assert run("apply", "--auto-approve").code == 0
    lines = (repo / ".reconcile/audit.jsonl").read_text(encoding="utf-8").splitlines()
    start = json.loads(lines[0])
    assert start["event"] == "run.start"
    assert start["org"] == {"id": org["id"], "name": org["name"]}


def test_cached_analytics_of_one_org_are_never_shown_for_another(
    run, repo: Path, orgs: OrgAtOneUrl
) -> None:
    segment = "segments/voice-calls-over-5-minutes-q3.yaml"
    orgs.serve("a", seed=1)
    first = run("preview", segment, "--format", "json")
    orgs.serve("b", seed=2)
    cached = run("preview", segment, "--format", "json")
    fresh = run("preview", segment, "--format", "json", "--no-cache")
    assert first.code == cached.code == fresh.code == 0
    assert first.out != fresh.out  # the two orgs' data differ
    assert cached.out == fresh.out


def test_a_plan_applied_again_or_after_part_of_it_was_applied_converges(
    run, repo: Path, saved: Plan
) -> None:
    # Part of the plan made already, as by an earlier run of it that was stopped.
    first = run("apply", "--sandbox", "--auto-approve", "--target", "AnalyticsSegment/Long*")
    assert first.code == 0
    rest = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert rest.code == 0, rest.err
    assert rest.err.startswith("already in the org: + AnalyticsSegment 'Long Holds in Support'\n")
    assert rest.err.count("already in the org: ") == 1
    assert rest.out.endswith("Apply: 3 created, 6 updated, 0 deleted, 0 failed.\n")
    again = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert again.code == 0, again.err
    assert again.err.count("already in the org: ") == 10
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 0


def test_a_binding_planned_before_its_rule_set_existed_applies_once_the_rule_set_does(
    run, repo: Path, saved: Plan
) -> None:
    # The saved plan binds the rule set it creates by name (no id yet); an earlier run made it.
    assert run("apply", "--sandbox", "--auto-approve", "--target", "RuleSet/*").code == 0
    rest = run("apply", "plan.json", "--sandbox", "--auto-approve")
    assert rest.code == 0, rest.err
    assert "already in the org: + RuleSet 'Holiday Promo exclusions'\n" in rest.err
    assert "refused" not in rest.out + rest.err
    assert run("plan", "--sandbox", "--detailed-exitcode").code == 0
