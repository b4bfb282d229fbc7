"""Writing files atomically: the whole new file or the old one, with the usual permissions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from genesys_reconcile.files import write_atomically


def test_the_file_is_replaced_whole_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "out" / "plan.json"
    write_atomically(target, "old")

    write_atomically(target, "new")

    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in target.parent.iterdir()] == ["plan.json"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_the_file_gets_the_mode_the_umask_gives(tmp_path: Path, umask: int, mode: int) -> None:
    previous = os.umask(umask)
    try:
        write_atomically(tmp_path / "report.html", "<!DOCTYPE html>")
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "report.html").stat().st_mode) == mode
