"""`reconcile validate` as a user runs it: output formats, exit codes, configuration."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, ROOT

TEXT = """\
holds.yaml:2:1: warning: name: file name 'holds' does not match the name; expected 'long-holds.yaml'
holds.yaml:7:19: error: query.aggregations[0].field: unknown field path 'conversation.metrics.holdDurration'; did you mean 'conversation.metrics.holdDuration'? (add fields under kinds.AnalyticsSegment.fields in reconcile.yaml)
long-holds.yaml:2:1: warning: name: file name 'long-holds' does not match the name; expected 'holds-100-the-sequel.yaml'
spring.yaml:2:1: warning: campaign: file name 'spring' does not match the campaign; expected 'spring-outreach.yaml'
spring.yaml:5:18: error: demographics.age.max: age has minimum 55 above its maximum 25: the campaign would dial no one
2 errors, 3 warnings in 3 files
"""

GITHUB = """\
::warning file=holds.yaml,line=2,col=1,title=name::file name 'holds' does not match the name; expected 'long-holds.yaml'
::error file=holds.yaml,line=7,col=19,title=query.aggregations[0].field::unknown field path 'conversation.metrics.holdDurration'; did you mean 'conversation.metrics.holdDuration'? (add fields under kinds.AnalyticsSegment.fields in reconcile.yaml)
::warning file=long-holds.yaml,line=2,col=1,title=name::file name 'long-holds' does not match the name; expected 'holds-100-the-sequel.yaml'
::warning file=spring.yaml,line=2,col=1,title=campaign::file name 'spring' does not match the campaign; expected 'spring-outreach.yaml'
::error file=spring.yaml,line=5,col=18,title=demographics.age.max::age has minimum 55 above its maximum 25: the campaign would dial no one
"""


@pytest.fixture
def in_cli_fixtures(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(FIXTURES / "cli")


def test_text_format_lists_each_problem_with_its_place_and_a_summary(run, in_cli_fixtures) -> None:
    result = run("validate", ".")
    assert (result.code, result.out, result.err) == (1, TEXT, "")


def test_json_format_is_a_list_of_located_diagnostics(run, in_cli_fixtures) -> None:
    result = run("validate", "--format", "json", ".")
    assert result.code == 1
    diagnostics = json.loads(result.out)
    assert diagnostics[1] == {
        "file": "holds.yaml",
        "line": 7,
        "column": 19,
        "path": "query.aggregations[0].field",
        "message": "unknown field path 'conversation.metrics.holdDurration'; did you mean 'conversation.metrics.holdDuration'? (add fields under kinds.AnalyticsSegment.fields in reconcile.yaml)",
        "severity": "error",
    }
    assert [(d["file"], d["line"], d["severity"]) for d in diagnostics] == [
        ("holds.yaml", 2, "warning"),
        ("holds.yaml", 7, "error"),
        ("long-holds.yaml", 2, "warning"),
        ("spring.yaml", 2, "warning"),
        ("spring.yaml", 5, "error"),
    ]


def test_github_format_emits_escaped_workflow_commands(run, in_cli_fixtures) -> None:
    result = run("validate", "--format", "github", ".")
    assert (result.code, result.out) == (1, GITHUB)


def test_github_escaping_of_newlines_percent_colon_and_comma(
    run, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a, b: c%.yaml").write_text("kind: Nope\n", encoding="utf-8")
    result = run("validate", "--format", "github", ".")
    assert result.out == (
        "::error file=a%2C b%3A c%25.yaml,line=1,col=1,title=kind::"
        "unknown kind 'Nope'; expected one of: AnalyticsSegment, CampaignSegmentation, "
        "CampaignSettings, ContactListFilter, JourneySegment, RuleSet\n"
    )


def test_the_repository_examples_pass_strictly(run, monkeypatch) -> None:
    monkeypatch.chdir(ROOT)
    result = run("validate", "--strict")
    assert (result.code, result.out) == (0, "13 files valid\n")


def test_warnings_fail_only_with_strict(run, in_cli_fixtures) -> None:
    assert run("validate", "long-holds.yaml").code == 0
    assert run("validate", "--strict", "long-holds.yaml").code == 1


def test_text_is_plain_when_not_a_terminal_and_with_no_color(
    run, in_cli_fixtures, monkeypatch
) -> None:
    monkeypatch.setattr("genesys_reconcile.cli.checks.use_color", lambda stream: True)
    assert "\x1b[31m" in run("validate", ".").out
    monkeypatch.undo()
    monkeypatch.chdir(FIXTURES / "cli")
    assert "\x1b[" not in run("validate", ".").out


def test_no_color_overrides_a_terminal(monkeypatch) -> None:
    from genesys_reconcile.cli.group import use_color

    class Terminal:
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    assert use_color(Terminal())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(Terminal())


def test_a_missing_path_is_one_line_on_stderr_and_exit_1(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("validate", "nowhere")
    assert (result.code, result.out, result.err) == (
        1,
        "",
        "error: no such file or directory: nowhere\n",
    )


def test_a_repository_may_have_only_one_of_the_default_directories(
    run, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "campaigns").mkdir()
    (tmp_path / "campaigns/spring-outreach.yaml").write_text(
        "kind: CampaignSegmentation\ncampaign: Spring Outreach\nlists: [Primary Leads]\n",
        encoding="utf-8",
    )
    assert (run("validate").code, run("validate").out) == (0, "1 file valid\n")
    (tmp_path / "campaigns/spring-outreach.yaml").unlink()
    (tmp_path / "campaigns").rmdir()
    assert run("validate").err == "error: no such file or directory: segments\n"


def test_an_empty_directory_is_an_error_not_a_silent_pass(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "segments").mkdir()
    result = run("validate", "segments")
    assert (result.code, result.err) == (1, "error: no .yaml files found in segments\n")


def test_a_usage_error_exits_1_never_2(run) -> None:
    result = run("validate", "--format", "xml")
    assert result.code == 1
    assert "'xml' is not one of 'text', 'json', 'github'" in result.err


def test_help_explains_the_command(run) -> None:
    result = run("validate", "--help")
    assert result.code == 0
    assert "Check desired-state files: YAML, schema and semantic rules" in result.out
    assert "--strict" in result.out and "github" in result.out and "--online" in result.out


def test_an_internal_error_exits_3_with_a_log_and_no_traceback(run, monkeypatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("genesys_reconcile.cli.checks.validate", broken)
    result = run("validate", ".")
    assert result.code == 3
    assert result.err.startswith("internal error (RuntimeError); details in ")
    assert "Traceback" not in result.err
    log = Path(result.err.rsplit(" ", 1)[1].strip())
    assert "RuntimeError: boom" in log.read_text(encoding="utf-8")
    log.unlink()


@pytest.mark.parametrize(
    ("settings", "notice"),
    [
        ("kinds:\n  AnalyticsSegment:\n    fields:\n      conversation.direction: text\n", ""),
        (
            "segments:\n  fields:\n    conversation.direction: text\n",
            "reconcile.yaml:2:1: warning: `segments:` is deprecated; write it as "
            "`kinds: {AnalyticsSegment: {fields: ...}}`\n",
        ),
    ],
    ids=["kinds", "deprecated-segments"],
)
def test_paths_and_fields_come_from_reconcile_yaml(
    run, tmp_path: Path, monkeypatch, settings: str, notice: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reconcile.yaml").write_text("paths: [config]\n" + settings, encoding="utf-8")
    (tmp_path / "config").mkdir()
    (tmp_path / "config/by-direction.yaml").write_text(
        "kind: AnalyticsSegment\nname: By Direction\ntype: conversation\nquery:\n"
        "  timeWindow: {start: 2024-07-01T00:00:00Z, end: 2024-07-02T00:00:00Z}\n"
        "  groupBy: [conversation.direction]\n",
        encoding="utf-8",
    )
    result = run("validate")
    assert (result.code, result.out, result.err) == (0, "1 file valid\n", notice)


def test_every_mistake_in_reconcile_yaml_is_named_with_its_line(
    run, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "reconcile.yaml").write_text(
        "pathz: [segments]\nsegments:\n  fields:\n    talk: seconds\n", encoding="utf-8"
    )
    result = run("validate")
    assert result.code == 1
    assert result.err == (
        "error: reconcile.yaml:1:1: unknown property 'pathz'; did you mean 'paths'?\n"
        "error: reconcile.yaml:4:5: 'seconds' is not one of: number, text\n"
    )


def test_a_named_config_file_must_exist(run, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = run("--config", "other.yaml", "validate")
    assert (result.code, result.err) == (1, "error: configuration file not found: other.yaml\n")


@pytest.mark.parametrize(
    "args",
    [
        ("validate", "--config", "other.yaml"),
        ("--config", "reconcile.yaml", "validate", "--config", "other.yaml"),  # after wins
        ("plan", "--sandbox", "--config", "other.yaml"),
    ],
)
def test_the_settings_file_may_be_named_after_the_command(
    run, tmp_path: Path, monkeypatch, args: tuple[str, ...]
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run(*args)
    assert (result.code, result.err) == (1, "error: configuration file not found: other.yaml\n")


def test_verbose_after_the_command_logs_every_request(run, repo) -> None:
    result = run("plan", "--sandbox", "--no-impact", "-v")
    assert result.code == 0
    assert "http.request" in result.err


def test_an_error_line_shows_control_characters_escaped(run, repo) -> None:
    result = run("plan", "--sandbox", "--target", "Segment\x1b[2J\n::error::forged/x")
    assert result.code == 1
    assert "\x1b" not in result.err and "\n::error" not in result.err
    assert result.err.startswith("error: 'Segment\\x1b[2J\\n::error::forged/x' is not KIND/NAME")


def test_a_target_that_matches_nothing_says_so(run, repo) -> None:
    result = run("plan", "--sandbox", "--no-impact", "--target", "AnalyticsSegment/Voice Calls*Q4")
    assert result.code == 0
    assert result.out.splitlines()[:2] == [
        "No changes. The org matches the repository.",
        "Warning: --target AnalyticsSegment/Voice Calls*Q4 matches nothing in the files or the org.",
    ]
    matching = run("plan", "--sandbox", "--no-impact", "--target", "AnalyticsSegment/Voice Calls*")
    assert "Warning" not in matching.out


COMMANDS = [
    ("validate",),
    ("plan",),
    ("apply",),
    ("preview",),
    ("github", "comment"),
    ("github", "issue"),
    ("sandbox", "serve"),
    ("show",),
]


@pytest.mark.parametrize("command", COMMANDS)
def test_every_commands_help_shows_examples_and_the_environment_it_reads(
    run, command: tuple[str, ...]
) -> None:
    result = run(*command, "--help")
    assert result.code == 0
    examples = result.out.split("Examples:\n")[1].split("\n\n")[0].splitlines()
    assert examples and all(e.strip().startswith("reconcile ") for e in examples)
    environment = result.out.split("Environment:\n")[1]
    assert "RECONCILE_CONFIG" in environment
    if command[0] in ("validate", "plan", "apply", "preview"):
        assert "GENESYS_CLIENT_SECRET" in environment and "GENESYSCLOUD_REGION" in environment
