"""The table, CSV, JSON and HTML outputs of one preview."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.preview.html import render_html
from genesys_reconcile.preview.render import (
    ROW_COLUMNS,
    duration,
    render_csv,
    render_json,
    render_table,
)
from genesys_reconcile.preview.run import Preview, preview
from genesys_reconcile.preview.source import Analytics
from tests.hostile import hidden
from tests.preview.helpers import segment

HOSTILE = '</script><img src=x onerror=alert(1)> & "quotes"'


@pytest.fixture
def result(client: GenesysClient, tmp_path: Path) -> Preview:
    return preview(
        Analytics(client),
        segment(tmp_path, ["{type: NOTEQUAL, field: conversation.channel, value: email}"]),
    )


def typed(value: str, column: str) -> object:
    if value == "":
        return None
    if column in ("queueId", "queue", "mediaType"):
        return value
    number = float(value)
    return int(number) if column in ("offered", "answered", "abandoned", "overSla") else number


def test_csv_reads_back_as_the_json_rows(result: Preview) -> None:
    rows = list(csv.DictReader(io.StringIO(render_csv(result))))

    assert tuple(rows[0]) == ROW_COLUMNS
    read_back = [{k: typed(v, k) for k, v in row.items()} for row in rows]
    assert read_back == json.loads(render_json(result))["rows"]
    assert len(read_back) == len(result.rows) > 5


def test_csv_leaves_a_rate_over_nothing_empty(client: GenesysClient, tmp_path: Path) -> None:
    nothing = preview(
        Analytics(client),
        segment(tmp_path, ["{type: LESSTHAN, field: conversation.metrics.talkDuration, value: 0}"]),
    )
    totals = json.loads(render_json(nothing))["totals"]

    assert render_csv(nothing) == ",".join(ROW_COLUMNS) + "\n"
    assert totals["offered"] == 0 and totals["abandonRate"] is None


def test_the_table_is_aligned_and_ends_with_totals(result: Preview) -> None:
    lines = render_table(result).splitlines()
    header, rule = lines[2], lines[3]
    body = lines[4 : 4 + len(result.rows) + 1]

    assert header.split()[:3] == ["Queue", "Media", "Offered"]
    assert set(rule) == {"-", " "}
    # Numbers are right-aligned: every row ends where the header does.
    assert {len(line) for line in [header, rule, *body]} == {len(header)}
    assert body[-1].startswith("Total")
    assert f"{result.totals.offered:,}" in body[-1]
    assert lines[0].startswith(f"Under Test: {result.totals.offered:,} conversations, 2024-07-01")


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "-"), (0.4, "0s"), (59.4, "59s"), (61, "1m 01s"), (3599, "59m 59s"), (3725, "1h 02m")],
)
def test_durations_read_as_people_say_them(seconds: float | None, shown: str) -> None:
    assert duration(seconds) == shown


def test_the_html_page_is_self_contained(result: Preview) -> None:
    page = render_html(result)

    assert page.startswith("<!DOCTYPE html>")
    assert not re.search(r"<(link|img|iframe)\b|\bsrc=|@import|url\(", page)
    assert "https://" not in page
    data = page.split('<script type="application/json" id="preview-data">')[1]
    embedded = json.loads(data.split("</script>")[0])
    assert embedded == json.loads(render_json(result))


def test_the_html_page_escapes_what_the_segment_names(
    client: GenesysClient, tmp_path: Path
) -> None:
    name = HOSTILE.replace('"', '\\"')
    page = render_html(preview(Analytics(client), segment(tmp_path, [], name=f'"{name}"')))

    assert "<img" not in page and "</script><" not in page.replace("</script>\n<", "")
    assert page.count("</script>") == 2
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt; &amp;" in page


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def test_a_browser_draws_the_charts(result: Preview, tmp_path: Path) -> None:
    # .ci/run installs Debian's chromium; a machine without it fails here, never skips.
    assert CHROMIUM, "this test draws the page in a browser: apt-get install chromium"
    page = tmp_path / "preview.html"
    page.write_text(render_html(result), encoding="utf-8")

    dom = subprocess.run(
        [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout

    series = re.findall(r'class="series" data-series="([^"]+)" data-points="(\d+)"', dom)
    names = [name for name, _ in series]
    assert names[:5] == ["offered", "answered", "abandoned", "abandon rate", "SLA breach rate"]
    assert names[5:] == sorted({r.queue for r in result.rows})  # the per-queue chart, by name
    points = dict(series)
    assert int(points["offered"]) == len(result.buckets) == 10
    assert dom.count('class="chart"') == 3


def test_the_table_shows_hostile_names_escaped_and_aligned(result: Preview) -> None:
    evil = "Q\x1b[2J\u202e\n::warning::x"
    rows = [dataclasses.replace(r, queue=evil) for r in result.rows]
    anomalies = [dataclasses.replace(a, queue=evil) for a in result.anomalies]
    hostile = dataclasses.replace(result, segment=evil, rows=rows, anomalies=anomalies)

    text = render_table(hostile)

    lines = text.splitlines()
    assert hidden(text) == []
    assert lines[0].startswith("Q\\x1b[2J\\u202e\\n::warning::x: ")
    header, rule, body = lines[2], lines[3], lines[4 : 4 + len(rows) + 1]
    assert {len(line) for line in [header, rule, *body]} == {len(header)}


def test_figures_a_duration_condition_does_not_measure_are_explained(
    client: GenesysClient, tmp_path: Path
) -> None:
    long_holds = preview(
        Analytics(client),
        segment(
            tmp_path, ["{type: GREATERTHAN, field: conversation.metrics.holdDuration, value: 60}"]
        ),
    )

    text = render_table(long_holds)
    totals = json.loads(render_json(long_holds))["totals"]

    assert totals["overSla"] is None and totals["avgWaitSeconds"] is None
    assert totals["offered"] > 0
    assert (
        "SLA breach, avg handle and avg wait: not measured for the conversations a duration "
        "condition selects (the analytics API counts them with views)."
    ) in text
