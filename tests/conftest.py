from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from genesys_reconcile.cli import main
from genesys_reconcile.ownership import Ownership

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures"


# The demo org's resources that no file declares: someone else's, so --prune leaves them alone
# until the repository's record owns them.
STRANGERS = (
    ("AnalyticsSegment", "Abandoned Callbacks"),
    ("ContactListFilter", "Old Spring test"),
    ("RuleSet", "Legacy wrap-up retries"),
    ("JourneySegment", "Visitors from Ireland"),
    ("JourneySegment", "Spring sale browsers"),
)


def own(root: Path, pairs: tuple[tuple[str, str], ...] = STRANGERS) -> None:
    """Record these resources as the repository's own, in its reconcile.owned.yaml."""
    record = Ownership.load(root)
    record.add(pairs)
    record.save()


class Run:
    def __init__(self, code: int, out: str, err: str) -> None:
        self.code, self.out, self.err = code, out, err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the example repository (files, schemas, settings, ownership record), as the
    working directory."""
    for name in ("segments", "campaigns", "outbound", "journeys", "schemas"):
        shutil.copytree(ROOT / name, tmp_path / name)
    for name in ("reconcile.yaml", "reconcile.owned.yaml"):
        shutil.copy(ROOT / name, tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def real_repo(repo: Path) -> Path:
    """The example repository as a real org can hold it: the segmentations that name two
    lists keep the first, without useOnlyOnce (a real campaign dials one list, and has no
    such field)."""
    for name in ("spring-outreach", "lapsed-customer-win-back"):
        path = repo / "campaigns" / f"{name}.yaml"
        text = re.sub(r"lists: \[([^,\]]+), [^\]]+\]", r"lists: [\1]", path.read_text("utf-8"))
        path.write_text(text.replace("useOnlyOnce: true\n", ""), encoding="utf-8")
    return repo


@pytest.fixture
def run(capsys: pytest.CaptureFixture[str]):
    """Run the CLI in-process, as a user would from a shell; returns exit code and output."""

    def _run(*args: str) -> Run:
        code = main(list(args))
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return _run
