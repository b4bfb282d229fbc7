"""Apply's progress on stderr: on a terminal, one status line rewritten in place (counts, the
current resource, waits for it to settle); otherwise one line per finished change, for CI logs."""

from __future__ import annotations

import threading
from typing import TextIO

from genesys_reconcile.text_safety import visible


class Progress:
    def __init__(self, total: int, stream: TextIO, live: bool) -> None:
        self.total, self.stream, self.live = total, stream, live
        self.done = 0
        self.lock = threading.Lock()  # changes report from parallel threads

    def finished(self, line: str) -> None:
        line = visible(line)  # names and server messages, on a terminal or in a CI log
        with self.lock:
            self.done += 1
            if self.live:
                self._status(f"[{self.done}/{self.total}] {line}")
            else:
                self.stream.write(line + "\n")
            self.stream.flush()

    def waiting(self, line: str) -> None:
        """A resource still settling, such as a campaign rebuilding its index."""
        if self.live:
            with self.lock:
                self._status(f"[{self.done}/{self.total}] {visible(line)}")
                self.stream.flush()

    def close(self) -> None:
        if self.live and self.done:
            self.stream.write("\n")
            self.stream.flush()

    def _status(self, text: str) -> None:
        self.stream.write("\r\x1b[2K" + text)  # back to the start of the line, then clear it
