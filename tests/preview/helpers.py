"""Segments written to disk, and the sandbox's data set read directly, for independent sums."""

from __future__ import annotations

from pathlib import Path

from genesys_reconcile.preview.run import load_segment
from genesys_reconcile.sandbox.analytics import Analytics as DataSet
from genesys_reconcile.sandbox.app import Sandbox
from genesys_reconcile.settings import Settings
from genesys_reconcile.validation import Resource

SEGMENT = """\
kind: AnalyticsSegment
name: {name}
type: conversation
query:
  timeGroup: {time_group}
  timeWindow: {{start: "{start}", end: "{end}"}}
{filter}"""


def segment_file(
    directory: Path,
    predicates: list[str],
    combination: str = "AND",
    name: str = "Under Test",
    start: str = "2024-07-01T00:00:00Z",
    end: str = "2024-07-11T00:00:00Z",
    time_group: str = "day",
) -> Path:
    lines = ""
    if predicates:
        lines = f"  filter:\n    type: {combination}\n    predicates:\n"
        lines += "".join(f"      - {p}\n" for p in predicates)
    path = directory / "under-test.yaml"
    text = SEGMENT.format(name=name, start=start, end=end, time_group=time_group, filter=lines)
    path.write_text(text, encoding="utf-8")
    return path


# Fields beyond the built-in ones that the preview maps, declared as a repository would.
EXTRA_FIELDS = {
    "conversation.metrics.waitDuration": "number",
    "conversation.metrics.talkDuration": "number",
    "conversation.direction": "text",
}


def settings(directory: Path) -> Settings:
    return Settings(
        root=directory, paths=(directory,), kinds={"AnalyticsSegment": {"fields": EXTRA_FIELDS}}
    )


def segment(directory: Path, predicates: list[str], **options: str) -> Resource:
    path = segment_file(directory, predicates, **options)
    return load_segment(path, settings(directory))


def data_set(sandbox: Sandbox) -> DataSet:
    """The sandbox's synthetic conversations, read directly rather than through a query."""
    state = sandbox.state

    def entities(collection: str) -> list[dict[str, str]]:
        return [{"id": e["id"], "name": e["name"]} for e in state.collection(collection).values()]

    return DataSet(sandbox.seed, entities("queues"), entities("users"), entities("campaigns"))


def queue_names(sandbox: Sandbox) -> dict[str, str]:
    return {q["id"]: q["name"] for q in sandbox.state.queues.values()}
