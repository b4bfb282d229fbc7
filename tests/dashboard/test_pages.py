"""The dashboard's routes over HTTP, against the embedded sandbox, beside `reconcile preview`."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import httpx

from genesys_reconcile import redaction
from genesys_reconcile.preview.cache import DIRECTORY, Cache
from tests.dashboard.conftest import fetched, in_process, routes
from tests.sandbox.conftest import FakeClock

SEGMENTS = {
    "chat-wrap-up-over-a-minute": "segments/chat-wrap-up-over-a-minute.yaml",
    "long-holds-in-support": "segments/long-holds-in-support.yaml",
    "short-voice-calls": "segments/short-voice-calls.yaml",
    "voice-calls-over-5-minutes-q3": "segments/voice-calls-over-5-minutes-q3.yaml",
}


def previews(run) -> dict[str, dict]:
    """What `reconcile preview --format json` prints for each example segment, uncached."""
    found = {}
    for slug, path in SEGMENTS.items():
        result = run("preview", path, "--sandbox", "--format", "json", "--no-cache")
        assert result.code == 0, result.err
        found[slug] = json.loads(result.out)
    return found


def test_metrics_carry_each_segments_preview_figures_and_alerts(run, repo: Path) -> None:
    expected = previews(run)

    with in_process(repo) as url:
        (answer,) = fetched(url, "/api/dashboard/metrics")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/json"
    entries = {s["slug"]: s for s in answer.json()["segments"]}
    assert entries.keys() == expected.keys()
    for slug, document in expected.items():
        entry = entries[slug]
        assert entry["segment"] == document["segment"]
        for name in ("window", "granularity", "totals", "rows"):
            assert entry[name] == document[name], (slug, name)
        assert entry["alerts"] == document["anomalies"]
        assert entry["links"] == {
            "page": f"/segments/{slug}",
            "json": f"/segments/{slug}.json",
            "csv": f"/segments/{slug}.csv",
        }
    assert sum(e["totals"]["offered"] for e in entries.values()) > 0
    assert any(e["alerts"] for e in entries.values())


def test_a_segments_json_is_its_preview_and_its_csv_parses(run, repo: Path) -> None:
    expected = previews(run)

    with in_process(repo) as url:
        paths = [f"/segments/{slug}{ext}" for slug in SEGMENTS for ext in (".json", ".csv")]
        answers = dict(zip(paths, fetched(url, *paths), strict=True))

    for slug, document in expected.items():
        assert answers[f"/segments/{slug}.json"].json() == document
        download = answers[f"/segments/{slug}.csv"]
        assert download.status_code == 200
        assert download.headers["content-type"] == "text/csv; charset=utf-8"
        assert download.headers["content-disposition"] == f'attachment; filename="{slug}.csv"'
        rows = list(csv.DictReader(io.StringIO(download.text)))
        assert [(r["queue"], r["mediaType"]) for r in rows] == [
            (r["queue"], r["mediaType"]) for r in document["rows"]
        ]
        assert [int(r["offered"]) for r in rows] == [r["offered"] for r in document["rows"]]


def test_the_index_links_each_segments_page(repo: Path) -> None:
    with in_process(repo) as url:
        (index,) = fetched(url, "/")
        pages = fetched(url, *(f"/segments/{slug}" for slug in SEGMENTS))

    assert index.status_code == 200
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    for slug in SEGMENTS:
        assert f'<a href="/segments/{slug}">' in index.text
    assert '<a href="/api/dashboard/metrics">' in index.text
    for page in pages:
        assert page.status_code == 200
        assert page.text.startswith("<!DOCTYPE html>")
        assert '<a href="/">All segments</a>' in page.text
        assert '<script type="application/json" id="preview-data">' in page.text
    assert "<title>What Short Voice Calls selects</title>" in pages[2].text


def test_an_unknown_segment_is_a_404_that_says_so(repo: Path) -> None:
    with in_process(repo) as url:
        page, document, download, elsewhere = fetched(
            url, "/segments/no-such", "/segments/no-such.json", "/segments/no-such.csv", "/x"
        )

    assert (page.status_code, download.status_code, elsewhere.status_code) == (404, 404, 404)
    assert "No segment at /segments/no-such. The index lists" in page.text
    assert "No segment at /segments/no-such.csv." in download.text
    assert document.status_code == 404
    assert document.json() == {
        "error": "no segment at /segments/no-such.json; /api/dashboard/metrics lists them all"
    }


def test_no_page_or_header_holds_a_credential(repo: Path) -> None:
    with in_process(repo) as url:
        answers = fetched(url, *routes(url), "/segments/no-such", "/segments/no-such.json")

    known = list(redaction._known)
    assert known  # the embedded org's client secret and its bearer token were registered
    assert all(a.status_code in (200, 404) for a in answers)
    for answer in answers:
        seen = answer.text + "".join(f"{k}: {v}\n" for k, v in answer.headers.items())
        assert "Bearer" not in seen
        for secret in known:
            assert secret not in seen


def test_pages_are_read_from_the_cache_within_its_ttl_and_refreshed_after(repo: Path) -> None:
    clock = FakeClock()
    cache = Cache(repo / DIRECTORY, ttl=600, clock=clock)

    with in_process(repo, cache) as url:
        first, second = fetched(url, "/api/dashboard/metrics", "/api/dashboard/metrics")
        within = (cache.misses, cache.hits)
        clock.advance(601)
        (third,) = fetched(url, "/api/dashboard/metrics")
        stored = len(list((repo / DIRECTORY).iterdir()))

    assert within == (len(SEGMENTS), len(SEGMENTS))
    assert (cache.misses, cache.hits) == (2 * len(SEGMENTS), len(SEGMENTS))
    assert first.json()["segments"] == second.json()["segments"] == third.json()["segments"]
    assert stored == len(SEGMENTS)


def test_a_segment_that_cannot_be_previewed_fails_alone(repo: Path) -> None:
    config = repo / "reconcile.yaml"
    config.write_text("segments:\n  fields:\n    conversation.wrapUpCode: text\n", encoding="utf-8")
    path = repo / "segments/short-voice-calls.yaml"
    text = path.read_text().replace(
        "field: conversation.channel, value: voice", "field: conversation.wrapUpCode, value: x"
    )
    path.write_text(text, encoding="utf-8")

    with in_process(repo) as url:
        page, document, metrics, other = fetched(
            url,
            "/segments/short-voice-calls",
            "/segments/short-voice-calls.json",
            "/api/dashboard/metrics",
            "/segments/long-holds-in-support",
        )

    assert (page.status_code, document.status_code) == (500, 500)
    assert "segments/short-voice-calls.yaml:14:" in page.text
    assert "conversation.wrapUpCode has no analytics mapping" in document.json()["error"]
    assert metrics.status_code == 200
    entries = {s["slug"]: s for s in metrics.json()["segments"]}
    assert "has no analytics mapping" in entries["short-voice-calls"]["error"]
    assert entries["long-holds-in-support"]["rows"]
    assert other.status_code == 200


def test_a_loopback_dashboard_answers_only_to_loopback_names(repo: Path) -> None:
    with in_process(repo) as url, httpx.Client(base_url=url) as http:
        foreign = http.get("/", headers={"Host": "attacker.example:8000"})
        local = http.get("/", headers={"Host": "localhost:8000"})

    assert foreign.status_code == 421
    assert "answers only to localhost" in foreign.text
    assert local.status_code == 200


def test_a_segment_name_is_shown_as_text_and_slugged_into_its_url(repo: Path) -> None:
    path = repo / "segments/short-voice-calls.yaml"
    hostile = '<b onclick="x()">Short & Sweet</b>'
    text = path.read_text().replace("name: Short Voice Calls", f"name: '{hostile}'")
    path.write_text(text, encoding="utf-8")

    with in_process(repo) as url:
        index, page = fetched(url, "/", "/segments/b-onclick-x-short-sweet-b")

    assert hostile not in index.text
    assert "&lt;b onclick=&quot;x()&quot;&gt;Short &amp; Sweet&lt;/b&gt;" in index.text
    assert page.status_code == 200
    assert hostile not in page.text.split("<script", 1)[0]
