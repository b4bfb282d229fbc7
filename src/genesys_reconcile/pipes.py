"""Standard output that its reader may close early, as `reconcile plan | head -1` does.

Python ignores SIGPIPE, so a write to a closed pipe raises BrokenPipeError, and so would the
interpreter's last flush at exit ("Exception ignored ..."). Once the reader has gone, stdout is
pointed at /dev/null, as Python's documentation advises (signal module, "Note on SIGPIPE").
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path

import click


def echoed(text: str, color: bool | None = None) -> bool:
    """Print `text` on stdout as it is; False when the reader has gone."""
    try:
        click.echo(text, nl=False, color=color)
    except BrokenPipeError:
        silence_stdout()
        return False
    return True


def silence_stdout() -> None:
    """Let every later write to stdout, and the flush at exit, go nowhere."""
    try:
        descriptor = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # not a file (a test's capture): replace it
        sys.stdout = Path(os.devnull).open("w", encoding="utf-8")  # noqa: SIM115 (lives to exit)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, descriptor)
    os.close(devnull)
    with contextlib.suppress(OSError, ValueError):
        sys.stdout.flush()  # what the failed write left in the buffer goes to /dev/null now
