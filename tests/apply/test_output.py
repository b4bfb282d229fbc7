"""Apply and plan whose output is piped to a reader that stops early (`| head -1`): no
traceback, and apply never writes to the org without having shown the plan."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from tests.processes import COMMAND, reconcile, served


def closed_pipe() -> int:
    """The write end of a pipe whose reader has already gone."""
    read, write = os.pipe()
    os.close(read)
    return write


def test_apply_with_stdout_closed_applies_nothing_and_says_so(repo: Path) -> None:
    with served() as env:
        stdout = closed_pipe()
        apply = reconcile(env, "apply", "--auto-approve", stdout=stdout, stderr=subprocess.PIPE)
        os.close(stdout)
        assert (apply.returncode, apply.stderr) == (
            1,
            "error: stdout was closed before the plan was shown; nothing was applied\n",
        )
        assert reconcile(env, "plan", "--detailed-exitcode").returncode == 2
    assert not (repo / ".reconcile/audit.jsonl").exists()


def test_apply_whose_reader_leaves_after_the_plan_finishes_with_the_summary_on_stderr(
    repo: Path,
) -> None:
    with served("--latency", "300") as env:
        apply = subprocess.Popen(
            [*COMMAND, "apply", "--auto-approve"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert apply.stdout is not None and apply.stderr is not None
        shown = iter(apply.stdout.readline, "")
        assert any(line.startswith("Safety:") for line in shown)  # the plan's last line
        apply.stdout.close()  # the reader has seen the plan, and leaves
        err = apply.stderr.read()
        assert apply.wait(timeout=60) == 0, err
        assert "Apply: 4 created, 6 updated, 0 deleted, 0 failed.\n" in err
        assert "Traceback" not in err and "Exception ignored" not in err
        assert reconcile(env, "plan", "--detailed-exitcode").returncode == 0


def test_plan_with_stdout_closed_exits_1_with_one_line(repo: Path) -> None:
    with served() as env:
        stdout = closed_pipe()
        plan = reconcile(env, "plan", stdout=stdout, stderr=subprocess.PIPE)
        os.close(stdout)
    assert (plan.returncode, plan.stderr) == (
        1,
        "error: stdout was closed before all the output was written\n",
    )
