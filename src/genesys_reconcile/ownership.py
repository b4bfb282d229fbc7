"""What the repository owns: `reconcile.owned.yaml`, the live resources `--prune` may delete.

A live resource that no file declares is deleted by `--prune` only when it is recorded here:
one that the repository created (`apply`), adopted (`export`) or declared (`reconcile own`).
Anything else in the org, made by someone else, is a stranger the repository never deletes.
The record is a plain file beside reconcile.yaml, committed with the desired-state files, so
a fresh checkout in CI knows what the repository owns. It is written sorted and whole, so the
same record is always the same bytes and its diff in review shows only what changed.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from genesys_reconcile.errors import ConfigError, ManifestError
from genesys_reconcile.files import write_atomically
from genesys_reconcile.manifest.yaml import Document, display_path, load_bytes

FILE_NAME = "reconcile.owned.yaml"

HEADER = """\
# The live resources this repository owns, by kind and name (written by genesys-reconcile).
# Ownership starts when `reconcile apply` creates a resource, `reconcile export` adopts one
# or `reconcile own` records what the files declare; it ends when apply deletes the resource.
# With --prune, a live resource that no file declares is deleted only when it is listed here:
# resources someone else made are left alone. Commit this file with the desired-state files.
"""

_TOP = "the top level must be a mapping of kinds"
_FIX = f"write {FILE_NAME} as `KIND:` lines, each followed by `  - NAME` lines"
# Names written without quotes: those every YAML reader reads back as the same string.
_PLAIN = re.compile(r"[A-Za-z][A-Za-z0-9 _.,()'&/+-]*[A-Za-z0-9.)'_]|[A-Za-z]")
_WORDS = {"true", "false", "null", "yes", "no", "on", "off", "y", "n"}

Pair = tuple[str, str]


class Ownership:
    """The record: which (kind, name) pairs the repository owns, and where it is kept."""

    def __init__(self, path: Path, owned: Iterable[Pair] = ()) -> None:
        self._path = path
        self._owned: set[Pair] = set(owned)
        self._saved: str | None = None  # the file's text, as last read or written

    @classmethod
    def load(cls, root: Path) -> Ownership:
        """The record beside reconcile.yaml in `root`; none yet means nothing is owned."""
        path = root / FILE_NAME
        if not path.exists():
            return cls(path)
        raw = _read(path)
        loaded = cls(path, _pairs(raw, display_path(path)))
        loaded._saved = raw.decode("utf-8", errors="replace")
        return loaded

    @property
    def path(self) -> Path:
        return self._path

    def owns(self, kind: str, name: str) -> bool:
        return (kind, name) in self._owned

    def pairs(self) -> list[Pair]:
        """Everything owned, sorted by kind, then name."""
        return sorted(self._owned)

    def add(self, pairs: Iterable[Pair]) -> list[Pair]:
        """Record these as owned; returns those newly recorded, sorted."""
        new = set(pairs) - self._owned
        self._owned |= new
        return sorted(new)

    def forget(self, pairs: Iterable[Pair]) -> list[Pair]:
        """Stop owning these; returns those that were recorded, sorted."""
        gone = set(pairs) & self._owned
        self._owned -= gone
        return sorted(gone)

    def save(self) -> bool:
        """Write the record when it differs from the file; returns whether it wrote."""
        text = _text(self._owned)
        if text == self._saved:
            return False
        try:
            write_atomically(self._path, text)
        except OSError as exc:
            raise ConfigError(
                f"cannot write {display_path(self._path)}: {exc.strerror}; check its permissions"
            ) from None
        self._saved = text
        return True


def _text(owned: set[Pair]) -> str:
    kinds: dict[str, list[str]] = {}
    for kind, name in sorted(owned):
        kinds.setdefault(kind, []).append(name)
    lines = [HEADER.rstrip("\n")]
    for kind, names in kinds.items():
        lines.append(f"{_scalar(kind)}:")
        lines.extend(f"  - {_scalar(name)}" for name in names)
    return "\n".join(lines) + "\n"


def _scalar(text: str) -> str:
    """A name as YAML: plain when no reader could take it for anything else, else quoted."""
    if _PLAIN.fullmatch(text) and text.lower() not in _WORDS:
        return text
    return json.dumps(text, ensure_ascii=False)  # a JSON string is a YAML double-quoted one


def _read(path: Path) -> bytes:
    if not path.is_file():
        raise ConfigError(f"{display_path(path)} is not a regular file; {_FIX}")
    try:
        return path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read {display_path(path)}: {exc.strerror}; check its permissions"
        ) from None


def _pairs(raw: bytes, name: str) -> list[Pair]:
    if _blank(raw.decode("utf-8", errors="replace")):
        return []  # the header alone: nothing owned
    try:
        document = load_bytes(raw, name)
    except ManifestError as exc:
        # The loader speaks of desired-state files; this one is a mapping of kinds.
        problem = re.sub(r"^the top level must be a mapping \(.*?\)", _TOP, exc.message)
        raise ConfigError(f"{problem}; {_FIX}", exc.location) from None
    pairs = []
    for kind, names in document.data.items():
        if not isinstance(names, list):
            raise _malformed(document, (kind,), f"{kind}: expected a list of names")
        for index, name in enumerate(names):
            if not isinstance(name, str) or not name:
                raise _malformed(document, (kind, index), f"{kind}: expected a name")
            pairs.append((kind, name))
    return pairs


def _blank(text: str) -> bool:
    return all(not line.strip() or line.lstrip().startswith("#") for line in text.splitlines())


def _malformed(document: Document, path: tuple[Any, ...], problem: str) -> ConfigError:
    return ConfigError(f"{problem}; {_FIX}", document.locate(path))
