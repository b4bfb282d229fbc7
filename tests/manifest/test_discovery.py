"""Which files `reconcile validate` reads: links that leave the repository and files that are
not regular files are refused by name, and never read."""

from __future__ import annotations

import os
import socket
from pathlib import Path

import pytest

from tests.conftest import own

SECRET = "kind: AnalyticsSegment\nname: root:x:0:0:hunter2\n"
SEGMENT = (
    "kind: AnalyticsSegment\nname: Shared\ntype: conversation\n"
    "query: {timeWindow: {start: 2024-07-01T00:00:00Z, end: 2024-07-02T00:00:00Z}}\n"
)
OUTSIDE_FILE = (
    "a link to a file outside the repository; put the file itself in the repository "
    "(links out of it are not followed)"
)
OUTSIDE_DIRECTORY = (
    "a link to a directory outside the repository; put its files in the repository "
    "(links out of it are not followed)"
)


@pytest.fixture
def outside(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A directory beside the repository, holding what a hostile link points at."""
    directory = tmp_path_factory.mktemp("outside")
    (directory / "passwd").write_text(SECRET, encoding="utf-8")
    (directory / "shared.yaml").write_text(SECRET, encoding="utf-8")
    return directory


@pytest.mark.parametrize("output_format", ["text", "github", "json"])
def test_a_link_to_a_file_outside_the_repository_is_refused_unread(
    run, repo: Path, outside: Path, output_format: str
) -> None:
    (repo / "segments/evil.yaml").symlink_to(outside / "passwd")

    result = run("validate", "--format", output_format)

    assert result.code == 1
    assert "segments/evil.yaml" in result.out and OUTSIDE_FILE in result.out
    assert "hunter2" not in result.out + result.err


def test_the_refusal_is_one_located_error(run, repo: Path, outside: Path) -> None:
    (repo / "segments/evil.yaml").symlink_to(outside / "passwd")

    result = run("validate", "--format", "github")

    assert result.out == f"::error file=segments/evil.yaml,line=1,col=1::{OUTSIDE_FILE}\n"


def test_a_link_named_explicitly_is_refused_too(run, repo: Path, outside: Path) -> None:
    (repo / "segments/evil.yaml").symlink_to(outside / "passwd")

    result = run("validate", "segments/evil.yaml")

    assert (result.code, result.out) == (
        1,
        f"segments/evil.yaml:1:1: error: {OUTSIDE_FILE}\n1 error, 0 warnings in 1 file\n",
    )


def test_a_file_reached_through_a_linked_directory_is_refused(
    run, repo: Path, outside: Path
) -> None:
    (repo / "segments/shared").symlink_to(outside, target_is_directory=True)

    named = run("validate", "segments/shared")
    through = run("validate", "segments/shared/shared.yaml")
    found = run("validate")

    assert (named.code, named.out.splitlines()[0]) == (
        1,
        f"segments/shared:1:1: error: {OUTSIDE_DIRECTORY}",
    )
    assert (through.code, through.out.splitlines()[0]) == (
        1,
        f"segments/shared/shared.yaml:1:1: error: {OUTSIDE_FILE}",
    )
    assert found.code == 1 and f"segments/shared:1:1: error: {OUTSIDE_DIRECTORY}" in found.out
    assert "hunter2" not in named.out + through.out + found.out


def test_links_inside_the_repository_keep_working(run, repo: Path) -> None:
    (repo / "shared").mkdir()
    (repo / "shared/shared.yaml").write_text(SEGMENT, encoding="utf-8")
    (repo / "segments/shared.yaml").symlink_to(repo / "shared/shared.yaml")
    (repo / "linked").symlink_to(repo / "shared", target_is_directory=True)
    own(repo, (("AnalyticsSegment", "Shared"),))

    assert run("validate", "--strict").out == "14 files valid\n"
    assert run("validate", "--strict", "linked").out == "1 file valid\n"
    assert run("validate", "--strict", "linked/shared.yaml").out == "1 file valid\n"


def test_a_named_pipe_named_explicitly_is_not_a_regular_file(run, repo: Path) -> None:
    os.mkfifo(repo / "segments/pipe.yaml")

    result = run("validate", "segments/pipe.yaml")  # opening it would wait for a writer

    assert (result.code, result.err) == (1, "")
    assert result.out.splitlines()[0] == (
        "segments/pipe.yaml:1:1: error: not a regular file but a named pipe, left unread; "
        "name YAML files or directories"
    )


def test_files_that_are_not_regular_files_are_refused_when_found(run, repo: Path) -> None:
    os.mkfifo(repo / "segments/pipe.yaml")
    with socket.socket(socket.AF_UNIX) as listener:
        listener.bind("campaigns/socket.yaml")

        result = run("validate")

    assert result.code == 1
    assert result.out.splitlines()[:2] == [
        "campaigns/socket.yaml:1:1: error: not a regular file but a socket, left unread; "
        "name YAML files or directories",
        "segments/pipe.yaml:1:1: error: not a regular file but a named pipe, left unread; "
        "name YAML files or directories",
    ]


def test_a_device_named_explicitly_is_not_a_regular_file(run, repo: Path) -> None:
    result = run("validate", "/dev/null")

    assert result.out.splitlines()[0] == (
        "/dev/null:1:1: error: not a regular file but a device, left unread; "
        "name YAML files or directories"
    )
