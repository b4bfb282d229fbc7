"""`reconcile preview` as a user runs it, on the example repository and the embedded sandbox."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from genesys_reconcile import log, redaction

LONG_CALLS = "segments/voice-calls-over-5-minutes-q3.yaml"
SHORT_CALLS = "segments/short-voice-calls.yaml"


def test_an_example_segment_previews_as_a_table(run, repo: Path) -> None:
    result = run("preview", LONG_CALLS, "--sandbox")

    assert (result.code, result.err) == (0, "")
    lines = result.out.splitlines()
    assert lines[0].startswith("Voice Calls Over 5 Minutes Q3: ")
    assert "2024-07-01 00:00 to 2024-09-30 23:59 UTC (92 days), hourly buckets" in lines[0]
    assert lines[2].split()[:4] == ["Queue", "Media", "Offered", "Answered"]
    assert {line.split()[1] for line in lines[4:9]} == {"voice"}
    assert any(line.startswith("Total") for line in lines)


def test_the_formats_agree(run, repo: Path) -> None:
    document = json.loads(run("preview", LONG_CALLS, "--sandbox", "--format", "json").out)
    rows = list(
        csv.DictReader(io.StringIO(run("preview", LONG_CALLS, "--sandbox", "--format", "csv").out))
    )

    assert [r["queue"] for r in rows] == [r["queue"] for r in document["rows"]]
    assert sum(int(r["offered"]) for r in rows) == document["totals"]["offered"] > 0
    assert document["segment"] == "Voice Calls Over 5 Minutes Q3"
    assert document["window"] == {"start": "2024-07-01T00:00:00Z", "end": "2024-09-30T23:59:59Z"}


def test_html_goes_to_the_out_file(run, repo: Path) -> None:
    result = run("preview", LONG_CALLS, "--sandbox", "--format", "html", "--out", "p/q.html")

    assert (result.code, result.out) == (0, "")
    assert (repo / "p/q.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_since_previews_recent_days(run, repo: Path) -> None:
    document = json.loads(
        run("preview", LONG_CALLS, "--sandbox", "--since", "2d", "--format", "json").out
    )

    assert len(document["buckets"]) == 48  # the segment's hourly buckets, over two days


def test_conversations_are_listed(run, repo: Path) -> None:
    result = run("preview", LONG_CALLS, "--sandbox", "--conversations", "--limit", "3")

    assert result.code == 0
    lines = result.out.splitlines()
    assert lines[0].startswith("Voice Calls Over 5 Minutes Q3: ")
    assert lines[0].endswith("conversations match; the first 3 shown")
    assert len(lines) == 2 + 2 + 3  # title, blank, header, rule, rows


def test_a_second_run_is_served_from_the_cache(run, repo: Path) -> None:
    first = run("preview", LONG_CALLS, "--sandbox", "--format", "json")
    entries = list((repo / ".reconcile/cache/analytics").iterdir())

    second = run("preview", LONG_CALLS, "--sandbox", "--format", "json")
    uncached = run("preview", LONG_CALLS, "--sandbox", "--format", "json", "--no-cache")

    assert len(entries) == 1
    assert first.out == second.out == uncached.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["campaigns/spring-outreach.yaml"], "holds a CampaignSegmentation; preview shows"),
        (["segments/missing.yaml"], "no such file: segments/missing.yaml"),
        ([LONG_CALLS, "--since", "a week"], "--since 'a week' is not a duration"),
        ([LONG_CALLS, "--conversations", "--format", "html"], "--conversations prints table"),
        ([LONG_CALLS, "--baseline", "3", "--min-samples", "4"], "must not exceed --baseline"),
    ],
)
def test_mistakes_are_one_line_errors(run, repo: Path, args: list[str], message: str) -> None:
    result = run("preview", *args, "--sandbox")

    assert result.code == 1
    assert message in result.err
    assert "Traceback" not in result.err


def test_an_invalid_segment_shows_its_diagnostics(run, repo: Path) -> None:
    path = repo / "segments/short-voice-calls.yaml"
    path.write_text(path.read_text().replace("LESSTHAN", "SMALLER"), encoding="utf-8")

    result = run("preview", "segments/short-voice-calls.yaml", "--sandbox")

    assert result.code == 1
    assert "segments/short-voice-calls.yaml:15:" in result.err
    assert "the file is invalid; nothing was previewed" in result.err


def test_a_field_without_a_mapping_names_its_line(run, repo: Path) -> None:
    config = repo / "reconcile.yaml"
    config.write_text("segments:\n  fields:\n    conversation.wrapUpCode: text\n", encoding="utf-8")
    path = repo / "segments/short-voice-calls.yaml"
    text = path.read_text().replace(
        "field: conversation.channel, value: voice", "field: conversation.wrapUpCode, value: x"
    )
    path.write_text(text, encoding="utf-8")

    result = run("preview", "segments/short-voice-calls.yaml", "--sandbox")

    assert result.code == 1
    assert "segments/short-voice-calls.yaml:14:" in result.err
    assert "conversation.wrapUpCode has no analytics mapping" in result.err


@pytest.fixture
def verbose() -> Iterator[None]:
    """-v points the log at this test's captured stderr; later tests get the default back."""
    yield
    log.configure()


def test_no_output_log_or_cache_file_holds_a_secret(run, repo: Path, verbose: None) -> None:
    outputs = []
    for output_format in ("table", "csv", "json", "html"):
        result = run("-v", "preview", LONG_CALLS, "--sandbox", "--format", output_format)
        outputs += [result.out, result.err]
    result = run("-v", "preview", LONG_CALLS, "--sandbox", "--conversations", "--format", "json")
    outputs += [result.out, result.err]
    outputs += [p.read_text(encoding="utf-8") for p in (repo / ".reconcile/cache").rglob("*.json")]
    known = list(redaction._known)
    assert known  # the run's client secret and tokens were registered
    assert any('"POST"' in err or "POST" in err for err in outputs)  # -v logged the requests
    for secret in known:
        assert all(secret not in output for output in outputs)


def test_csv_booleans_are_spelt_as_in_json_and_out_names_what_it_wrote(run, repo: Path) -> None:
    listed = run("preview", SHORT_CALLS, "--sandbox", "--conversations", "--format", "csv")
    abandoned = {row["abandoned"] for row in csv.DictReader(io.StringIO(listed.out))}
    assert abandoned <= {"true", "false"} and abandoned
    saved = run("preview", SHORT_CALLS, "--sandbox", "--format", "csv", "--out", "p.csv")
    size = (repo / "p.csv").stat().st_size
    assert (saved.code, saved.out, saved.err) == (0, "", f"wrote p.csv (csv, {size:,} bytes)\n")
