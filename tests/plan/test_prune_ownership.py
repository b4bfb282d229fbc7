"""`--prune` deletes only what the repository owns (reconcile.owned.yaml): never a resource
someone else made in the org, such as the demo org's "Abandoned Callbacks" segment."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from genesys_reconcile.ownership import Ownership
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.sandbox.embedded import STATE_FILE
from genesys_reconcile.sandbox.state import save
from tests.conftest import own
from tests.hostile import hidden


def test_prune_never_plans_deleting_what_the_repository_does_not_own(run, repo: Path) -> None:
    result = run("plan", "--sandbox", "--prune", "--no-impact")
    assert result.code == 0
    assert " will be deleted" not in result.out
    assert "Plan: 4 to create, 6 to update, 0 to delete.\n" in result.out
    assert (
        '1 live AnalyticsSegment not in the repository and not owned, left alone: "Abandoned '
        'Callbacks".\n' in result.out
    )


def test_an_owned_resource_whose_file_was_removed_is_deleted_with_prune(run, repo: Path) -> None:
    (repo / "segments/short-voice-calls.yaml").unlink()
    result = run("plan", "--sandbox", "--prune", "--no-impact")
    assert '- AnalyticsSegment "Short Voice Calls" will be deleted' in result.out
    assert "Plan: 4 to create, 6 to update, 1 to delete.\n" in result.out


def test_without_prune_owned_and_unowned_leftovers_are_told_apart(run, repo: Path) -> None:
    (repo / "segments/short-voice-calls.yaml").unlink()
    result = run("plan", "--sandbox", "--no-impact")
    assert (
        "1 live AnalyticsSegment not in the repository, left alone (--prune deletes it).\n"
        '1 live AnalyticsSegment not in the repository and not owned, left alone: "Abandoned '
        'Callbacks".\n' in result.out
    )


def test_an_owned_stranger_is_deleted_and_the_json_plan_names_the_unowned(run, repo: Path) -> None:
    own(repo, (("AnalyticsSegment", "Abandoned Callbacks"),))
    result = run("plan", "--sandbox", "--prune", "--no-impact", "--format", "json")
    document = json.loads(result.out)
    deleted = [(c["kind"], c["name"]) for c in document["changes"] if c["action"] == "delete"]
    assert deleted == [("AnalyticsSegment", "Abandoned Callbacks")]
    assert document["summary"]["unmanaged"] == {
        "ContactListFilter": 1,
        "JourneySegment": 2,
        "RuleSet": 1,
    }
    assert document["summary"]["unowned"] == {
        "ContactListFilter": ["Old Spring test"],
        "JourneySegment": ["Spring sale browsers", "Visitors from Ireland"],
        "RuleSet": ["Legacy wrap-up retries"],
    }


def test_the_record_survives_a_fresh_checkout(
    run, repo: Path, tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    own(repo, (("AnalyticsSegment", "Abandoned Callbacks"),))
    checkout = tmp_path_factory.mktemp("checkout") / "repo"
    shutil.copytree(repo, checkout, ignore=shutil.ignore_patterns(".reconcile*"))
    monkeypatch.chdir(checkout)
    result = run("plan", "--sandbox", "--prune", "--no-impact")
    assert '- AnalyticsSegment "Abandoned Callbacks" will be deleted' in result.out
    assert "Plan: 4 to create, 6 to update, 1 to delete.\n" in result.out


def test_a_saved_delete_is_refused_once_the_record_no_longer_owns_it(run, repo: Path) -> None:
    own(repo, (("AnalyticsSegment", "Abandoned Callbacks"),))
    assert run("plan", "--sandbox", "--prune", "--out", "plan.json").code == 0
    record = Ownership.load(repo)
    record.forget([("AnalyticsSegment", "Abandoned Callbacks")])
    record.save()
    result = run("apply", "plan.json", "--sandbox", "--prune", "--auto-approve")
    assert result.code == 1
    assert (
        "refused: - AnalyticsSegment 'Abandoned Callbacks': a fresh plan of the files makes no "
        "such change\n" in result.err
    )
    again = run("plan", "--sandbox", "--no-impact")
    assert 'left alone: "Abandoned Callbacks".\n' in again.out


def test_a_strangers_hostile_name_is_shown_escaped(run, repo: Path) -> None:
    run("plan", "--sandbox", "--no-impact")  # the org's state file, to edit as a console user
    sandbox = Sandbox(state_file=repo / STATE_FILE)
    segment = next(s for s in sandbox.state.segments.values() if s["name"] == "Abandoned Callbacks")
    segment["name"] = "</details><img src=x>\n::warning::forged\x1b[2J"
    save(sandbox.state, repo / STATE_FILE)
    text = run("plan", "--sandbox", "--no-impact").out
    assert hidden(text) == [] and "\n::warning" not in text
    markdown = run("plan", "--sandbox", "--no-impact", "--format", "markdown").out
    assert "</details><img" not in markdown and "\n::warning" not in markdown
    assert '"&lt;/details&gt;&lt;img src=x&gt;&#92;n::warning::forged&#92;u001b[2J"' in markdown


def test_a_plan_saved_before_ownership_was_recorded_still_shows(run, repo: Path) -> None:
    assert run("plan", "--sandbox", "--no-impact", "--out", "plan.json").code == 0
    saved = json.loads((repo / "plan.json").read_text(encoding="utf-8"))
    del saved["summary"]["unowned"]
    (repo / "plan.json").write_text(json.dumps(saved), encoding="utf-8")
    result = run("show", "plan.json")
    assert result.code == 0, result.err
    assert "1 live RuleSet not in the repository, left alone (--prune deletes it).\n" in result.out


def test_a_recorded_name_neither_the_files_nor_the_org_hold_is_named_with_the_fix(
    run, repo: Path
) -> None:
    own(repo, (("ContactListFilter", "Deleted in CI"),))  # a delete whose record was lost
    result = run("plan", "--sandbox", "--no-impact")
    assert result.code == 0
    assert result.err.splitlines() == [
        "reconcile.owned.yaml records ContactListFilter 'Deleted in CI', which neither the "
        "files nor the org hold (its delete's record not committed?); `reconcile own --forget "
        "ContactListFilter/Deleted in CI` drops it, before another resource takes the name"
    ]
    assert run("own", "--forget", "ContactListFilter/Deleted in CI").code == 0
    assert run("plan", "--sandbox", "--no-impact").err == ""
