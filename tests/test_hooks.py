"""The pre-commit hook, run as pre-commit runs it from another repository: `try-repo` installs
this project into its own environment and validates that repository's files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

PRE_COMMIT = [sys.executable, "-m", "pre_commit"]


def git(repo: Path, *args: str) -> None:
    identity = ["-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run(["git", *identity, *args], cwd=repo, check=True, capture_output=True)


def try_repo(
    repo: Path, home: Path, hook: str = "reconcile-validate"
) -> subprocess.CompletedProcess[str]:
    command = [*PRE_COMMIT, "try-repo", str(ROOT), hook, "--all-files"]
    # Its own cache, so the hook is installed from this checkout, never from an earlier run.
    env = {**os.environ, "PRE_COMMIT_HOME": str(home / "pre-commit")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    return subprocess.run(command, cwd=repo, env=env, capture_output=True, text=True, check=False)


def test_the_hook_passes_valid_files_and_fails_an_invalid_one_naming_its_line(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "config-repo"
    repo.mkdir()
    for name in ("segments", "schemas"):
        shutil.copytree(ROOT / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "desired state")
    passed = try_repo(repo, tmp_path)
    assert passed.returncode == 0, passed.stdout + passed.stderr
    assert "reconcile validate" in passed.stdout and "Passed" in passed.stdout
    broken = repo / "segments" / "short-voice-calls.yaml"
    broken.write_text(broken.read_text("utf-8").replace("kind: ", "knd: ", 1), "utf-8")
    git(repo, "commit", "-qam", "a typo")
    failed = try_repo(repo, tmp_path)
    assert failed.returncode == 1
    assert "Failed" in failed.stdout and "segments/short-voice-calls.yaml:" in failed.stdout


def test_the_own_hook_records_the_declared_resources_and_fails_until_the_record_is_added(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "config-repo"
    repo.mkdir()
    for name in ("segments", "schemas"):
        shutil.copytree(ROOT / name, repo / name)
    git(repo, "init", "-q")
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "desired state")
    first = try_repo(repo, tmp_path, "reconcile-own")
    assert first.returncode == 1, first.stdout + first.stderr
    record = (repo / "reconcile.owned.yaml").read_text("utf-8")
    assert "AnalyticsSegment:\n  - Chat Wrap-Up Over a Minute\n" in record
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", "the record")
    again = try_repo(repo, tmp_path, "reconcile-own")
    assert again.returncode == 0, again.stdout + again.stderr
