"""Which desired-state files the paths a command is given name.

A repository is input from whoever opened the pull request. A link in it must not make a
command read a file elsewhere on the machine (and echo it into annotations), and a named pipe
must not make it wait forever: such paths are refused by name, and never opened.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from genesys_reconcile.errors import ConfigError
from genesys_reconcile.manifest.yaml import display_path

SUFFIXES = (".yaml", ".yml")

_OUTSIDE = {
    "file": "a link to a file outside the repository; put the file itself in the repository "
    "(links out of it are not followed)",
    "directory": "a link to a directory outside the repository; put its files in the "
    "repository (links out of it are not followed)",
}
_SPECIAL = {
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


@dataclass(frozen=True)
class Refusal:
    """A path that is not read, and why, in words for the user."""

    path: Path
    reason: str


@dataclass
class Found:
    files: list[Path] = field(default_factory=list)  # in order, each once
    refused: list[Refusal] = field(default_factory=list)


def find(paths: Iterable[Path], root: Path) -> Found:
    """The YAML files named or found below `paths` (hidden entries skipped), and the paths
    refused: links from inside `root` (the repository) to outside it, and files that are not
    regular files."""
    found = Found()
    real_root = str(root.resolve())
    files: dict[Path, None] = {}
    for path in paths:
        boundary = _boundary(path, root, real_root)
        if boundary is None:
            found.refused.append(Refusal(path, _OUTSIDE[_what(path)]))
            continue
        try:
            mode = path.stat().st_mode  # stat never opens, so a pipe cannot block it
        except OSError:
            raise ConfigError(f"no such file or directory: {display_path(path)}") from None
        if stat.S_ISREG(mode):
            files[path] = None
        elif stat.S_ISDIR(mode):
            files.update(dict.fromkeys(_files_below(path, boundary, found.refused)))
        else:
            found.refused.append(Refusal(path, _not_regular(mode)))
    found.files = list(files)
    return found


def discover(paths: Iterable[Path], root: Path) -> list[Path]:
    """The files `find` would have read."""
    return find(paths, root).files


def _boundary(path: Path, root: Path, real_root: str) -> str | None:
    """What links met through `path` must stay within: the repository when `path` is in it,
    else the place `path` itself names (a path outside the repository is the user's choice).
    None when `path` is in the repository but leads out of it."""
    absolute = os.path.normpath(path.absolute())  # `..` undone as written, not through links
    real = str(path.resolve())
    if not (_within(absolute, os.path.normpath(root.absolute())) or _within(absolute, real_root)):
        return real
    if _within(real, real_root) or not Path(real).exists():
        return real_root  # a broken link is "no such file", as before
    return None


def _files_below(top: Path, boundary: str, refused: list[Refusal]) -> list[Path]:
    """The YAML files below `top`, hidden ones and those in hidden directories skipped, in
    path order: what filtering `sorted(top.rglob("*"))` gives, without a Path and a stat call
    for every entry. Links to directories are not followed (as rglob)."""
    found: list[Path] = []
    directories = [str(top)]
    while directories:
        try:
            with os.scandir(directories.pop()) as scan:
                entries = list(scan)
        except PermissionError:  # as rglob, which skips what it may not read
            continue
        for entry in entries:
            if entry.name.startswith("."):
                continue
            yaml = _suffix(entry.name) in SUFFIXES
            if entry.is_symlink() and not _within(os.path.realpath(entry.path), boundary):
                what = _what(Path(entry.path))
                if what == "directory" or (yaml and Path(entry.path).exists()):
                    refused.append(Refusal(Path(entry.path), _OUTSIDE[what]))
            elif entry.is_dir(follow_symlinks=False):
                directories.append(entry.path)
            elif yaml and entry.is_file():
                found.append(Path(entry.path))
            elif yaml and (reason := _special(entry.path)):
                refused.append(Refusal(Path(entry.path), reason))
    return sorted(found)


def _within(path: str, directory: str) -> bool:
    return os.path.commonpath([path, directory]) == directory


def _what(path: Path) -> str:
    return "directory" if path.is_dir() else "file"


def _special(path: str) -> str | None:
    """Why a file found below a directory is refused: it is not a regular file. None for
    what is skipped as before: directories and broken links."""
    try:
        mode = Path(path).stat().st_mode
    except OSError:
        return None
    return None if stat.S_ISDIR(mode) or stat.S_ISREG(mode) else _not_regular(mode)


def _not_regular(mode: int) -> str:
    kind = _SPECIAL.get(stat.S_IFMT(mode), "a special file")
    return f"not a regular file but {kind}, left unread; name YAML files or directories"


def _suffix(name: str) -> str:
    """`Path(name).suffix`."""
    dot = name.rfind(".")
    return name[dot:] if 0 < dot < len(name) - 1 else ""
