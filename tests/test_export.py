"""`reconcile export`: an org written as the repository's files, which then plan no change;
the same bytes on every run; names several resources share, references to resources gone,
and existing files handled without losing anything."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from genesys_reconcile.ownership import Ownership
from genesys_reconcile.sandbox import generated
from genesys_reconcile.sandbox.ids import entity_id
from genesys_reconcile.sandbox.state import OrgState, save
from tests.processes import reconcile, served

NOW = "2024-10-01T00:00:00.000Z"


@contextmanager
def org(tmp_path: Path, state: dict[str, Any] | None = None) -> Iterator[dict[str, str]]:
    """A sandbox serving only the real API, holding `state` (the demo org by default)."""
    path = tmp_path / "org.json"
    save(OrgState.from_json(state or generated.org(0, NOW)), path)
    with served("--api", "genesys", "--state", str(path)) as env:
        yield env


def tree(directory: Path) -> dict[str, bytes]:
    return {
        p.relative_to(directory).as_posix(): p.read_bytes()
        for p in sorted(directory.rglob("*/*.yaml"))  # the kinds' files, not the record
        if "schemas" not in p.parts
    }


@pytest.fixture
def empty(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty repository, but for the schemas, as the working directory."""
    directory = tmp_path / "repo"
    directory.mkdir()
    root = Path(__file__).resolve().parents[1]
    (directory / "schemas").symlink_to(root / "schemas")
    monkeypatch.chdir(directory)
    return directory


def test_the_demo_org_exported_into_an_empty_repository_plans_no_changes(empty: Path) -> None:
    with served() as env:
        exported = reconcile(env, "export")
        assert exported.returncode == 0, exported.stderr
        planned = reconcile(env, "plan", "--no-impact", "--detailed-exitcode")
    assert planned.returncode == 0, planned.stdout + planned.stderr
    assert "No changes" in planned.stdout
    assert set(tree(empty)) >= {
        "outbound/filters/renewals-audience.yaml",
        "outbound/rulesets/do-not-call-safety.yaml",
        "outbound/campaigns/spring-outreach.yaml",
        "campaigns/spring-outreach.yaml",
        "segments/short-voice-calls.yaml",
        "journeys/spring-sale-browsers.yaml",  # an inactive journey segment too
    }
    # What cannot be written as a file is named, with why, never dropped silently.
    skipped = [line for line in exported.stderr.splitlines() if "not exported" in line]
    assert [line.split("'")[1] for line in skipped] == [
        "Abandoned Callbacks",  # a field reconcile.yaml must declare first
    ]
    assert "add fields under kinds.AnalyticsSegment.fields in reconcile.yaml" in skipped[0]
    assert exported.stdout.splitlines()[-1] == (
        f"Export: {len(tree(empty))} written, 0 already described, 1 not exported."
    )
    assert "sandbox-secret" not in exported.stdout + exported.stderr


def test_what_export_writes_is_adopted_so_removing_its_file_deletes_it_with_prune(
    empty: Path,
) -> None:
    with served() as env:
        assert reconcile(env, "export").returncode == 0
        record = Ownership.load(empty)
        assert record.owns("RuleSet", "Legacy wrap-up retries")
        assert not record.owns("CampaignSettings", "Spring Outreach")  # never created or deleted
        (empty / "outbound/rulesets/legacy-wrap-up-retries.yaml").unlink()
        pruned = reconcile(env, "plan", "--no-impact", "--prune")
    assert pruned.returncode == 0, pruned.stderr
    heads = [line for line in pruned.stdout.splitlines() if line[:2] in ("+ ", "~ ", "- ")]
    assert heads[0] == '- RuleSet "Legacy wrap-up retries" will be deleted'
    assert len([h for h in heads if h.endswith("will be deleted")]) == 1  # no stranger


def test_a_generated_org_of_a_thousand_round_trips_in_the_same_bytes_every_time(
    empty: Path, tmp_path: Path
) -> None:
    again = tmp_path / "again"
    with org(tmp_path, generated.org(1_000, NOW)) as env:
        first = reconcile(env, "export")
        second = reconcile(env, "export", "--dir", str(again))
        planned = reconcile(env, "plan", "--no-impact", "--detailed-exitcode")
    assert first.returncode == second.returncode == 0, first.stderr + second.stderr
    assert (
        first.stdout.splitlines()[-1]
        == "Export: 1011 written, 0 already described, 0 not exported."
    )
    assert planned.returncode == 0, planned.stdout[-2000:]
    assert tree(empty) == tree(again)
    assert (empty / "outbound/filters/audience-00003.yaml").read_text() == (
        "# yaml-language-server: $schema=../../schemas/contact-list-filter.schema.json\n"
        "kind: ContactListFilter\n"
        "name: Audience 00003\n"
        "contactList: Lapsed Customers\n"
        "all: [{age: {between: [37, 45]}}]\n"
    )


def test_files_in_the_way_stop_the_export_before_anything_is_written(empty: Path) -> None:
    theirs = empty / "outbound/filters/old-spring-test.yaml"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("# someone's notes\n")
    root = Path(__file__).resolve().parents[1]
    ours = empty / "outbound/filters/renewals.yaml"  # describes "Renewals audience"
    ours.write_text((root / "outbound/filters/renewals-audience.yaml").read_text())
    with org(empty.parent) as env:
        refused = reconcile(env, "export")
        assert refused.returncode == 1
        assert "outbound/filters/old-spring-test.yaml" in refused.stderr
        assert "nothing was written" in refused.stderr
        assert set(tree(empty)) == {
            "outbound/filters/old-spring-test.yaml",
            "outbound/filters/renewals.yaml",
        }
        assert theirs.read_text() == "# someone's notes\n"

        forced = reconcile(env, "export", "--force")
    assert forced.returncode == 0, forced.stderr
    assert "kind: ContactListFilter" in theirs.read_text()
    assert (
        "Renewals audience': already described by outbound/filters/renewals.yaml" in forced.stderr
    )
    assert not (empty / "outbound/filters/renewals-audience.yaml").exists()


def test_names_several_resources_share_are_reported_and_written_apart(
    empty: Path, tmp_path: Path
) -> None:
    state = generated.org(10, NOW)
    twin = dict(state["contactListFilters"][-1], id=entity_id("contactlistfilter", "twin"))
    state["contactListFilters"].append(twin)
    with org(tmp_path, state) as env:
        exported = reconcile(env, "export", "ContactListFilter")
    assert exported.returncode == 0, exported.stderr
    ids = sorted(f["id"] for f in state["contactListFilters"][-2:])
    assert (
        f"warning: 2 ContactListFilters are named 'Audience 00003' (ids {', '.join(ids)})"
        in exported.stderr
    )
    assert {f"outbound/filters/audience-00003-{i[:8]}.yaml" for i in ids} <= set(tree(empty))


def test_a_reference_to_a_resource_gone_is_written_as_unresolved_and_validate_says_so(
    empty: Path, tmp_path: Path
) -> None:
    state = generated.org(0, NOW)
    gone = entity_id("dnclist", "Deleted DNC")
    spring = next(c for c in state["campaigns"] if c["name"] == "Spring Outreach")
    spring["dncLists"] = [*spring["dncLists"], {"id": gone, "name": "Deleted DNC"}]
    with org(tmp_path, state) as env:
        exported = reconcile(env, "export", "CampaignSettings")
        checked = reconcile(env, "validate")
    assert exported.returncode == 0, exported.stderr
    written = (empty / "outbound/campaigns/spring-outreach.yaml").read_text()
    assert f"dncLists:\n  - Internal DNC\n  - National DNC\n  - {{unresolved: {gone}}}\n" in written
    assert "1 reference(s) to resources the org no longer has" in exported.stderr
    assert checked.returncode == 1
    line = next(n for n, text in enumerate(written.splitlines(), 1) if "unresolved" in text)
    assert (
        f"outbound/campaigns/spring-outreach.yaml:{line}:5: error: dncLists[2]: refers to id "
        f"{gone}, which the org no longer has" in checked.stdout + checked.stderr
    )


def test_an_unknown_kind_is_refused_with_the_known_ones(empty: Path) -> None:
    with served() as env:
        refused = reconcile(env, "export", "Campaign")
    assert refused.returncode == 1
    assert "unknown kind 'Campaign'; expected one of: AnalyticsSegment" in refused.stderr
    assert [p.name for p in empty.iterdir()] == ["schemas"]
