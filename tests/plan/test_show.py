"""`reconcile show` renders a saved plan as `plan` printed it, without reaching the org."""

from __future__ import annotations

import json
from pathlib import Path


def test_a_saved_plan_shows_as_it_was_planned_in_every_format(run, repo: Path) -> None:
    for output_format in ("text", "markdown"):
        planned = run("plan", "--sandbox", "--out", "plan.json", "--format", output_format)
        shown = run("show", "plan.json", "--format", output_format)
        assert (planned.code, shown.code) == (0, 0)
        if output_format == "text":
            org = json.loads((repo / "plan.json").read_text("utf-8"))["org"]
            header, _blank, *rest = shown.out.splitlines(keepends=True)
            assert header.startswith(f"Plan for org {org['name']} ({org['id']}), made ")
            assert "".join(rest) == planned.out
        else:
            assert shown.out == planned.out
    assert run("show", "plan.json", "--format", "json").out == (repo / "plan.json").read_text()


def test_an_unsafe_saved_plan_still_shows_why(run, repo: Path) -> None:
    (repo / "reconcile.yaml").write_text(
        "safety: {updates: 0.1, deletes: 0.1, minExisting: 1}\n", "utf-8"
    )
    planned = run("plan", "--sandbox", "--no-impact", "--out", "plan.json")
    assert planned.code == 1 and "UNSAFE" in planned.out
    shown = run("show", "plan.json")
    assert shown.code == 0

    def unsafe(output: str) -> list[str]:
        return [line for line in output.splitlines() if line.startswith("UNSAFE")]

    assert unsafe(shown.out) == unsafe(planned.out) != []


def test_an_edited_plan_is_refused(run, repo: Path) -> None:
    run("plan", "--sandbox", "--no-impact", "--out", "plan.json")
    saved = json.loads((repo / "plan.json").read_text("utf-8"))
    saved["changes"][0]["name"] = "Something else"
    (repo / "plan.json").write_text(json.dumps(saved), "utf-8")
    shown = run("show", "plan.json")
    assert (shown.code, shown.err) == (
        1,
        "error: plan.json was edited after it was made: its checksum does not match\n",
    )
