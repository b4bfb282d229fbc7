"""The HTML preview's charts as a reader sees them: drawn by a browser, then read from its DOM."""

from __future__ import annotations

import itertools
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.preview.html import render_html
from genesys_reconcile.preview.run import preview
from genesys_reconcile.preview.source import Analytics
from tests.preview.helpers import segment

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
LONG_CALLS = "segments/voice-calls-over-5-minutes-q3.yaml"  # 92 days, hourly
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node] = field(default_factory=list)
    own: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(self.own) + "".join(c.text for c in self.children)

    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    def find(self, css_class: str) -> list[Node]:
        found = [self] if css_class in self.classes() else []
        return found + [n for c in self.children for n in c.find(css_class)]


class _Tree(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.root = Node("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        while len(self.stack) > 1:
            if self.stack.pop().tag == tag:
                break

    def handle_data(self, data: str) -> None:
        self.stack[-1].own.append(data)


def drawn(page: str, tmp_path: Path, width: int = 1400) -> Node:
    """The page's DOM after its script ran in a headless browser."""
    # .ci/run installs Debian's chromium; a machine without it fails here, never skips.
    assert CHROMIUM, "this test draws the page in a browser: apt-get install chromium"
    path = tmp_path / f"preview-{len(list(tmp_path.glob('preview-*')))}.html"
    path.write_text(page, encoding="utf-8")
    command = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu"]
    command += [f"--window-size={width},900", "--dump-dom", path.as_uri()]
    dom = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True).stdout
    tree = _Tree()
    tree.feed(dom)
    return tree.root


def embedded(page: str) -> dict[str, object]:
    data = page.split('<script type="application/json" id="preview-data">')[1]
    return dict(json.loads(data.split("</script>")[0]))


def chart(dom: Node, name: str) -> Node:
    (found,) = [c for c in dom.find("chart") if c.attrs.get("data-chart") == name]
    return found


def number(label: str) -> float:
    return float(re.sub(r"[^0-9.]", "", label))


def across_new_year(client: GenesysClient, tmp_path: Path, *predicates: str) -> str:
    resource = segment(
        tmp_path, list(predicates), start="2024-12-20T00:00:00Z", end="2025-01-10T00:00:00Z"
    )
    return render_html(preview(Analytics(client), resource))


def test_every_chart_names_its_axes_with_units(client: GenesysClient, tmp_path: Path) -> None:
    dom = drawn(across_new_year(client, tmp_path), tmp_path)

    titles = {
        c.attrs["data-chart"]: [t.text for t in c.find("axis-title")] for c in dom.find("chart")
    }
    assert titles == {
        "volume": ["Conversations per day", "Day (UTC)"],
        "rates": ["% of offered conversations", "Day (UTC)"],
        "queues": ["Conversations offered per day", "Day (UTC)"],
    }


def test_time_ticks_fall_on_calendar_days_and_show_the_year_where_it_changes(
    client: GenesysClient, tmp_path: Path
) -> None:
    dom = drawn(across_new_year(client, tmp_path), tmp_path)

    ticks = [t.text for t in chart(dom, "volume").find("x-tick")]
    with_year = [t for t in ticks if re.search(r"\d{4}", t)]
    assert re.fullmatch(r"2\d Dec 2024", ticks[0])
    assert len(with_year) == 2 and re.fullmatch(r"\d Jan 2025", with_year[1])
    # Elsewhere the year is not repeated, and every tick names a day.
    others = [t for t in ticks if t not in with_year]
    assert len(others) >= 4 and all(re.fullmatch(r"\d{1,2} (Dec|Jan)", t) for t in others)


def test_the_y_scale_fits_the_data(client: GenesysClient, tmp_path: Path) -> None:
    page = across_new_year(client, tmp_path)
    dom = drawn(page, tmp_path)

    buckets = embedded(page)["buckets"]
    assert isinstance(buckets, list)
    most = max(b["offered"] for b in buckets)
    top = max(number(t.text) for t in chart(dom, "volume").find("y-tick"))
    assert most <= top <= 1.25 * most
    rates = [b[k] for b in buckets for k in ("abandonRate", "slaBreachRate")]
    worst = max(r for r in rates if r is not None) * 100
    top_rate = max(number(t.text) for t in chart(dom, "rates").find("y-tick"))
    assert worst <= top_rate <= 1.5 * worst


def test_offered_and_answered_are_drawn_apart_with_a_legend(
    client: GenesysClient, tmp_path: Path
) -> None:
    volume = chart(drawn(across_new_year(client, tmp_path), tmp_path), "volume")

    series = {s.attrs["data-series"]: s for s in volume.find("series")}
    assert set(series) == {"offered", "answered", "abandoned"}
    assert series["offered"].tag == "path" and series["offered"].attrs["fill"] != "none"
    assert series["answered"].attrs.get("stroke-dasharray")
    assert [i.text for i in volume.find("legend-item")] == ["offered", "answered", "abandoned"]


def queue_colours(page: str, tmp_path: Path) -> dict[str, str]:
    queues = chart(drawn(page, tmp_path), "queues")
    return {s.attrs["data-series"]: s.attrs["stroke"] for s in queues.find("series")}


def test_a_queue_keeps_its_colour_whatever_else_the_page_shows(
    client: GenesysClient, tmp_path: Path
) -> None:
    every = queue_colours(across_new_year(client, tmp_path), tmp_path)
    one = queue_colours(
        across_new_year(client, tmp_path, "{type: EQUAL, field: queue.name, value: Support}"),
        tmp_path,
    )

    assert len(every) == 5 and set(one) == {"Support"}
    assert one["Support"] == every["Support"]
    assert len(set(every.values())) == 5


def test_a_long_hourly_window_is_drawn_daily_and_says_so(run, repo: Path) -> None:
    assert run("preview", LONG_CALLS, "--sandbox", "--format", "html", "--out", "q3.html").code == 0
    page = (repo / "q3.html").read_text(encoding="utf-8")
    dom = drawn(page, repo, width=800)

    (note,) = dom.find("coarse-note")
    assert "2,208 hourly buckets" in note.text and "92 daily" in note.text
    offered = [
        s for s in chart(dom, "volume").find("series") if s.attrs["data-series"] == "offered"
    ]
    assert offered[0].attrs["data-points"] == "92"
    assert [t.text for t in chart(dom, "volume").find("axis-title")][1] == "Day (UTC)"
    ticks = [t.text for t in chart(dom, "volume").find("x-tick")]
    assert ticks[0] == "1 Jul 2024" and 3 <= len(ticks) <= 16


def test_anomalies_are_labelled_with_their_queue_and_value(run, repo: Path) -> None:
    run("preview", LONG_CALLS, "--sandbox", "--format", "html", "--out", "q3.html")
    page = (repo / "q3.html").read_text(encoding="utf-8")
    dom = drawn(page, repo)

    anomalies = embedded(page)["anomalies"]
    assert isinstance(anomalies, list) and anomalies
    marks = chart(dom, "queues").find("anomaly")
    assert len(marks) == len(anomalies)
    for mark, anomaly in zip(marks, anomalies, strict=True):
        (hover,) = [c for c in mark.children if c.tag == "title"]
        (label,) = mark.find("anomaly-label")
        value = f"{anomaly['value']:,.0f}"
        assert anomaly["queue"] in hover.text and value in hover.text
        assert anomaly["queue"] in label.text and value in label.text


def test_partial_first_and_last_buckets_are_marked(client: GenesysClient, tmp_path: Path) -> None:
    resource = segment(tmp_path, [], start="2024-07-01T12:00:00Z", end="2024-07-11T06:00:00Z")
    dom = drawn(render_html(preview(Analytics(client), resource)), tmp_path)

    volume = chart(dom, "volume")
    assert [p.attrs["data-bucket"] for p in volume.find("partial")] == ["0", "10"]
    (note,) = volume.find("partial-note")
    assert "partial" in note.text


def test_whole_buckets_are_not_marked_partial(client: GenesysClient, tmp_path: Path) -> None:
    dom = drawn(across_new_year(client, tmp_path), tmp_path)

    assert chart(dom, "volume").find("partial") == []


def test_a_few_days_of_hours_are_ticked_by_the_hour_and_counted_in_whole_numbers(
    client: GenesysClient, tmp_path: Path
) -> None:
    # Long voice calls on three days whose busiest hour has 15: a scale that could step by 2.5.
    resource = segment(
        tmp_path,
        [
            "{type: EQUAL, field: conversation.channel, value: voice}",
            "{type: GREATERTHAN, field: conversation.metrics.callDuration, value: 300}",
        ],
        start="2026-11-27T00:00:00Z",
        end="2026-11-30T00:00:00Z",
        time_group="hour",
    )
    volume = chart(drawn(render_html(preview(Analytics(client), resource)), tmp_path), "volume")

    ticks = [t.text for t in volume.find("x-tick")]
    assert ticks[0] == "27 Nov 2026"
    assert {"28 Nov", "29 Nov"} <= set(ticks)
    assert {t for t in ticks if ":" in t} >= {"12:00"}
    assert [t.text for t in volume.find("axis-title")] == ["Conversations per hour", "Hour (UTC)"]
    # Whole conversations, in even steps.
    values = [number(t.text) for t in volume.find("y-tick")]
    assert len({b - a for a, b in itertools.pairwise(values)}) == 1
    assert max(values) >= 15


def test_past_a_dozen_anomalies_the_strongest_are_labelled_and_all_have_titles(
    client: GenesysClient, tmp_path: Path
) -> None:
    resource = segment(
        tmp_path,
        ["{type: EQUAL, field: conversation.channel, value: voice}"],
        start="2024-01-01T00:00:00Z",
        end="2024-06-29T00:00:00Z",
        time_group="hour",
    )
    result = preview(Analytics(client), resource)
    queues = chart(drawn(render_html(result), tmp_path), "queues")

    assert len(result.anomalies) > 12
    marks = queues.find("anomaly")
    assert [m.attrs["data-queue"] for m in marks] == [a.queue for a in result.anomalies]
    labels = [m.find("anomaly-label") for m in marks]
    strongest = sorted(result.anomalies, key=lambda a: -abs(a.z))[:12]
    assert [a for a, label in zip(result.anomalies, labels, strict=True) if label] == [
        a for a in result.anomalies if a in strongest
    ]
    (note,) = queues.find("anomaly-note")
    assert f"{len(result.anomalies)} anomalies: the 12 strongest are labelled" in note.text
