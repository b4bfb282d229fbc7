"""Each fixture in fixtures/invalid/ plants one class of error and states, in `# expect:` lines,
exactly what validation must report: line, column, severity, path and message."""

from __future__ import annotations

from pathlib import Path

import pytest

from genesys_reconcile.manifest.discovery import discover
from genesys_reconcile.settings import Settings, load_settings
from genesys_reconcile.validation import validate
from tests.conftest import FIXTURES, ROOT

INVALID = sorted((FIXTURES / "invalid").glob("*.yaml"))


def _expected(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return sorted(
        line.removeprefix("# expect: ") for line in lines if line.startswith("# expect: ")
    )


def _reported(path: Path, settings: Settings) -> list[str]:
    report = validate([path], settings)
    return sorted(
        f"{d.line}:{d.column} {d.severity} {d.path + ': ' if d.path else ''}{d.message}"
        for d in report.diagnostics
    )


@pytest.mark.parametrize("fixture", INVALID, ids=[p.stem for p in INVALID])
def test_each_planted_error_is_reported_at_its_line(fixture: Path) -> None:
    expected = _expected(fixture)
    assert expected, f"{fixture.name} has no '# expect:' lines"
    assert _reported(fixture, Settings(root=FIXTURES, paths=())) == expected


def test_every_example_in_the_repository_is_valid_without_warnings(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)
    settings = load_settings()
    report = validate(list(settings.paths), settings)
    assert report.diagnostics == []
    assert {r.kind.kind for r in report.resources} == {
        "AnalyticsSegment",
        "CampaignSegmentation",
        "CampaignSettings",
        "ContactListFilter",
        "JourneySegment",
        "RuleSet",
    }
    assert report.files == len(report.resources) >= 7


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


CAMPAIGN = "kind: CampaignSegmentation\ncampaign: {name}\nlists: [Primary Leads]\n"


def test_a_name_defined_twice_is_reported_with_both_locations(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    _write(tmp_path / "campaigns/spring-outreach.yaml", CAMPAIGN.format(name="Spring Outreach"))
    _write(
        tmp_path / "campaigns/nested/spring-outreach.yml",
        "# copy\n" + CAMPAIGN.format(name="Spring Outreach"),
    )
    report = validate([tmp_path / "campaigns"], Settings(root=tmp_path, paths=()))
    messages = [(d.file, d.line, d.message) for d in report.diagnostics]
    assert messages == [
        (
            "campaigns/spring-outreach.yaml",
            2,
            "CampaignSegmentation 'Spring Outreach' is already defined at campaigns/nested/spring-outreach.yml:3:1",
        )
    ]


def test_the_same_name_in_two_kinds_is_no_conflict(tmp_path: Path) -> None:
    segment = (
        "kind: AnalyticsSegment\nname: Spring Outreach\ntype: conversation\n"
        "query: {timeWindow: {start: 2024-07-01T00:00:00Z, end: 2024-07-02T00:00:00Z}}\n"
    )
    _write(tmp_path / "segments/spring-outreach.yaml", segment)
    _write(tmp_path / "campaigns/spring-outreach.yaml", CAMPAIGN.format(name="Spring Outreach"))
    assert validate([tmp_path], Settings(root=tmp_path, paths=())).diagnostics == []


def test_a_file_named_unlike_its_resource_is_a_warning_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "outreach.yaml", CAMPAIGN.format(name="Spring Outreach"))
    report = validate([path], Settings(root=tmp_path, paths=()))
    assert [(d.severity, d.line, d.message) for d in report.diagnostics] == [
        (
            "warning",
            2,
            "file name 'outreach' does not match the campaign; expected 'spring-outreach.yaml'",
        )
    ]
    assert not report.failed() and report.failed(strict=True)


def test_fields_added_in_settings_are_accepted_with_their_type(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "talk-time.yaml",
        "kind: AnalyticsSegment\nname: Talk Time\ntype: conversation\nquery:\n"
        "  timeWindow: {start: 2024-07-01T00:00:00Z, end: 2024-07-02T00:00:00Z}\n"
        "  filter: {type: AND, predicates: [{type: LESSTHAN, field: conversation.metrics.talkDuration, value: 9}]}\n"
        "  groupBy: [conversation.direction]\n",
    )
    plain = Settings(root=tmp_path, paths=())
    assert len(validate([path], plain).diagnostics) == 2
    extended = Settings(
        root=tmp_path,
        paths=(),
        kinds={
            "AnalyticsSegment": {
                "fields": {
                    "conversation.metrics.talkDuration": "number",
                    "conversation.direction": "text",
                }
            }
        },
    )
    assert validate([path], extended).diagnostics == []


def test_hidden_directories_and_other_files_are_not_read(tmp_path: Path) -> None:
    _write(tmp_path / "spring-outreach.yaml", CAMPAIGN.format(name="Spring Outreach"))
    _write(tmp_path / ".git/bad.yaml", "not: [valid")
    _write(tmp_path / "notes.txt", "not yaml: [")
    report = validate([tmp_path], Settings(root=tmp_path, paths=()))
    assert report.files == 1 and report.diagnostics == []


def test_files_are_found_in_path_order_following_linked_files_but_not_directories(
    tmp_path: Path,
) -> None:
    for name in ("b/c.yaml", "a-c.yaml", "a/b.yml", "Z.yaml", "d.yaml/in.yaml", "real/r.yaml"):
        _write(tmp_path / name, "kind: X\n")
    for name in ("b/.hidden.yaml", ".hidden/x.yaml", "x.YAML", "y.yaml.bak", "yaml"):
        _write(tmp_path / name, "kind: X\n")
    (tmp_path / "b" / "link.yaml").symlink_to(tmp_path / "real" / "r.yaml")
    (tmp_path / "b" / "linked").symlink_to(tmp_path / "real")
    (tmp_path / "b" / "broken.yaml").symlink_to(tmp_path / "nowhere")
    assert [p.relative_to(tmp_path).as_posix() for p in discover([tmp_path], tmp_path)] == [
        "Z.yaml",
        "a/b.yml",
        "a-c.yaml",
        "b/c.yaml",
        "b/link.yaml",
        "d.yaml/in.yaml",
        "real/r.yaml",
    ]


def test_campaigns_that_could_dial_one_contact_twice_are_warned_about(tmp_path: Path) -> None:
    spring = "kind: CampaignSegmentation\ncampaign: Spring Outreach\nlists: [Primary Leads]\ndemographics:\n  age: {min: 25, max: 55}\n"
    _write(tmp_path / "spring-outreach.yaml", spring)
    _write(
        tmp_path / "win-back.yaml",
        "kind: CampaignSegmentation\ncampaign: Win Back\nlists: [Primary Leads, Lapsed]\ndemographics:\n  age: {min: 50}\n",
    )
    report = validate([tmp_path], Settings(root=tmp_path, paths=()))
    assert [
        (d.file.rsplit("/", 1)[-1], d.line, d.severity, d.message) for d in report.diagnostics
    ] == [
        (
            "win-back.yaml",
            3,
            "warning",
            "shares list 'Primary Leads' with campaign 'Spring Outreach', and a contact with age 50 to 55 matches both: it could be dialled twice",
        )
    ]
    _write(
        tmp_path / "win-back.yaml",
        "kind: CampaignSegmentation\ncampaign: Win Back\nlists: [Primary Leads]\ndemographics:\n  age: {min: 56}\n",
    )
    assert validate([tmp_path], Settings(root=tmp_path, paths=())).diagnostics == []


@pytest.mark.parametrize(
    ("broken", "error"),
    [
        ("lists: [[Primary Leads]]", "expected text, found a list"),
        (
            "lists: [Primary Leads]\ndemographics:\n  age: {min: x}",
            "expected a number, found the text 'x'",
        ),
    ],
)
def test_a_campaign_the_schema_rejects_is_left_out_of_checks_across_files(
    tmp_path: Path, broken: str, error: str
) -> None:
    _write(
        tmp_path / "spring-outreach.yaml",
        "kind: CampaignSegmentation\ncampaign: Spring Outreach\nlists: [Primary Leads]\n",
    )
    _write(
        tmp_path / "win-back.yaml", f"kind: CampaignSegmentation\ncampaign: Win Back\n{broken}\n"
    )

    report = validate([tmp_path], Settings(root=tmp_path, paths=()))

    assert [d.message for d in report.diagnostics] == [error]


def test_a_name_that_looks_like_another_fails_validate_strict(run, repo: Path) -> None:
    path = repo / "segments/short-voice-calls.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("name: Short Voice Calls", 'name: "Short Voice\\u200bCalls"'))

    result = run("validate", "--strict", "segments/short-voice-calls.yaml")

    assert result.code == 1
    assert result.out.splitlines()[0] == (
        "segments/short-voice-calls.yaml:3:1: error: name: name contains U+200B (ZERO WIDTH "
        "SPACE), invisible in review; remove it"
    )
