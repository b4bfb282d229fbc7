"""`reconcile apply` with stderr on a real 50-column terminal, stopped by Ctrl-C as a user
stops it: the screen keeps what finished, the status line never wraps, and the summary says
what was done, what was not and where the audit trail is; the exit code stays 130."""

from __future__ import annotations

import fcntl
import os
import pty
import signal
import struct
import subprocess
import termios
import threading
from pathlib import Path

from tests.apply.test_progress_terminal import TOTAL, WIDTH, Screen, joined
from tests.processes import COMMAND, audit_events, served, wait_for


def terminal(columns: int) -> tuple[int, int]:
    """A pseudo-terminal `columns` wide: its controlling and its terminal end."""
    controller, end = pty.openpty()
    fcntl.ioctl(end, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    return controller, end


def read_all(controller: int, into: list[bytes]) -> threading.Thread:
    """Everything the terminal shows, read as it comes (a full terminal would block apply)."""

    def reading() -> None:
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the other end closed: Linux says EIO
                return
            if not chunk:
                return
            into.append(chunk)

    reader = threading.Thread(target=reading, daemon=True)
    reader.start()
    return reader


def test_ctrl_c_on_a_terminal_leaves_what_finished_and_a_summary_and_exits_130(
    repo: Path,
) -> None:
    audit = repo / "audit.jsonl"
    controller, end = terminal(WIDTH)
    shown: list[bytes] = []
    reader = read_all(controller, shown)
    with served("--latency", "300") as env:
        env.pop("COLUMNS", None)  # the width is the terminal's own
        apply = subprocess.Popen(
            [*COMMAND, "apply", "--auto-approve", "--audit-log", str(audit)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=end,
            text=True,
        )
        os.close(end)
        wait_for(lambda: any(e["event"] == "change.result" for e in audit_events(audit)))
        apply.send_signal(signal.SIGINT)
        out, _ = apply.communicate(timeout=60)
    reader.join(timeout=10)
    os.close(controller)

    assert apply.returncode == 130
    lines = joined(Screen(b"".join(shown).decode()).lines)
    assert lines[-1] == "error: interrupted by SIGINT"
    stopped = next(line for line in lines if line.startswith("Stopped: "))
    summary = lines[lines.index(stopped) : -1]
    finished = lines[: lines.index(stopped) - 1]  # above the status line's last state
    results = [e for e in audit_events(audit) if e["event"] == "change.result"]
    assert len(finished) == len(results) < TOTAL
    assert all(line.endswith(" s") and " in " in line for line in finished), lines
    assert (
        stopped
        == f"Stopped: {len(results)} of {TOTAL} changes finished, {TOTAL - len(results)} not started."
    )
    assert "  not started: ~ CampaignSegmentation 'Spring Outreach'" in summary
    assert summary[-1] == f"  audit trail: {audit}"
    assert "  not started: CampaignSegmentation 'Spring Outreach'" in out  # as before
    assert "Traceback" not in b"".join(shown).decode()
