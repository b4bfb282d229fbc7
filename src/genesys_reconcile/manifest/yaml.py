"""Safe YAML loading that remembers where every value came from.

PyYAML's own loaders are unfit for desired-state files: they silently keep the last of two
duplicate keys, expand alias bombs, turn `NO` (Norway) into `false` and dates into `datetime`
objects. This module builds plain JSON-shaped data straight from the parser's event stream
(libyaml when available, which parses without recursion), with:

- YAML 1.2 core-schema scalars: only `true`/`false` are booleans, timestamps stay strings;
- duplicate keys rejected, naming both lines;
- limits on file size, nesting depth and alias expansion, so hostile input fails fast;
- one document per file, whose top level is a mapping;
- a position for every key and list item, so any error can name its line.
"""

from __future__ import annotations

import copy
import functools
import math
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from genesys_reconcile.errors import Location, ManifestError

# A resource file is a few kilobytes; these bounds stop hostile input long before it costs
# noticeable time or memory.
MAX_FILE_BYTES = 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 100_000
_FIRST_READ = 64 * 1024

PathKey = str | int
JsonPath = tuple[PathKey, ...]

_Parser: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_STR = "tag:yaml.org,2002:str"
_ALLOWED_TAGS = {
    "!",
    _STR,
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_NULL = {"", "~", "null", "Null", "NULL"}
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?")
_SPECIAL_FLOAT = re.compile(r"[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)")


@dataclass
class Document:
    """One loaded file: its data and the position of each key and list item in it."""

    file: str
    data: dict[str, Any]
    positions: dict[JsonPath, tuple[int, int]] = field(repr=False)

    def locate(self, path: JsonPath) -> Location:
        """The position of `path`, or of its nearest ancestor that has one (values reached
        through an alias have the alias's position)."""
        for end in range(len(path), -1, -1):
            found = self.positions.get(path[:end])
            if found:
                return Location(self.file, *found)
        return Location(self.file)


def display_path(path: Path) -> str:
    """How messages name a file: relative to the working directory when inside it, as editors
    and CI annotations expect."""
    if not path.is_absolute() and not path.drive:
        return path.as_posix()  # what it is relative to the working directory, spelt as given
    try:
        working = _path_of(os.getcwd())  # noqa: PTH109 (a string, to look the Path up by)
        return path.absolute().relative_to(working).as_posix()
    except ValueError:
        return path.as_posix()


@functools.lru_cache(maxsize=8)
def _path_of(directory: str) -> Path:
    # Path.cwd() builds a new Path each time; naming thousands of files needs just the one.
    return Path(directory)


def load_file(path: Path) -> Document:
    """Load one desired-state file."""
    name = display_path(path)
    try:
        with path.open("rb") as handle:
            # One read of the cap would allocate a MiB for every file; most need one small read.
            raw = handle.read(_FIRST_READ)
            if len(raw) == _FIRST_READ:
                raw += handle.read(MAX_FILE_BYTES + 1 - _FIRST_READ)
    except OSError as exc:
        raise ManifestError(f"cannot read file: {exc.strerror}", Location(name)) from None
    if len(raw) > MAX_FILE_BYTES:
        raise ManifestError(
            f"file is larger than {MAX_FILE_BYTES // 1024} KiB; a resource file is a few KiB",
            Location(name),
        )
    return load_bytes(raw, name)


def load_bytes(raw: bytes, name: str) -> Document:
    """Decode strictly as UTF-8 (a BOM is allowed) and load."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line, column = _line_column(raw, exc.start)
        raise ManifestError(
            f"file is not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded",
            Location(name, line, column),
        ) from None
    return load_text(text, name)


def load_text(text: str, name: str) -> Document:
    try:
        return _compose(text, name)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = Location(name, mark.line + 1, mark.column + 1) if mark else Location(name)
        problem = exc.problem or exc.context or "invalid YAML"
        if mark and text[mark.index : mark.index + 1] == "\t":
            problem = "a tab cannot indent YAML; use spaces"
        raise ManifestError(f"invalid YAML: {problem}", where) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids; carries an offset only
        line = text.count("\n", 0, exc.position) + 1
        column = exc.position - (text.rfind("\n", 0, exc.position) + 1) + 1
        raise ManifestError(
            f"invalid YAML: character U+{exc.character:04X} is not allowed in YAML",
            Location(name, line, column),
        ) from None


def _compose(text: str, name: str) -> Document:
    try:
        return _Composer(name).compose(text, _Parser)
    except yaml.MarkedYAMLError as exc:
        if _Parser is yaml.SafeLoader or "maximum nesting depth" not in (exc.problem or ""):
            raise
    # libyaml (from 0.2.6) stops at 1,000 levels of its own, and may reach them while reading
    # ahead for a key, before it yields the events our limit counts. The pure-Python parser
    # has no such limit, so parsing again with it reaches ours: our message, at our place.
    return _Composer(name).compose(text, yaml.SafeLoader)


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


class _Node:
    """A mapping or sequence still being composed."""

    __slots__ = ("anchor", "key", "key_position", "path", "start", "value")

    def __init__(
        self, value: dict[str, Any] | list[Any], path: JsonPath, anchor: str | None, start: int
    ) -> None:
        self.value = value
        self.path = path
        self.anchor = anchor
        self.start = start  # values counted before it opened, so its size is known at its end
        self.key: str | None = None  # a mapping's key awaiting its value, and where it is
        self.key_position = (0, 0)


# The first character of every plain scalar that the core schema reads as a number.
_NUMBER_START = frozenset("+-.0123456789")


class _Composer:
    """Builds the data from parser events. It runs once per file over every event, so the
    common cases (a plain word, a value under a key, a list item) take the shortest path."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.positions: dict[JsonPath, tuple[int, int]] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Node] = []
        self.total = 0  # values so far, aliases expanded
        self.aliased = False
        self.root: Any = None

    def fail(self, message: str, event: yaml.Event) -> ManifestError:
        return ManifestError(message, Location(self.name, *_position(event)))

    def compose(self, text: str, parser_type: type[Any]) -> Document:
        parser = parser_type(text)
        try:
            self.consume(parser.get_event)
        finally:
            parser.dispose()
        if self.root is None:
            raise ManifestError("file is empty; expected a mapping with kind and name", self._start)
        if not isinstance(self.root, dict):
            raise ManifestError(
                f"the top level must be a mapping (kind, name, ...), not {_describe(self.root)}",
                self._start,
            )
        return Document(self.name, self.root, self.positions)

    def consume(self, next_event: Callable[[], yaml.Event | None]) -> None:
        documents = 0
        while (event := next_event()) is not None:
            if isinstance(event, yaml.ScalarEvent):
                self.scalar(event)
            elif isinstance(event, yaml.CollectionEndEvent):
                self.close(event)
            elif isinstance(event, yaml.MappingStartEvent):
                self.open(event, {})
            elif isinstance(event, yaml.SequenceStartEvent):
                self.open(event, [])
            elif isinstance(event, yaml.AliasEvent):
                self.alias(event)
            elif isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.fail(
                        "a file holds one resource, but a second YAML document starts here", event
                    )

    @property
    def _start(self) -> Location:
        return Location(self.name, *self.positions.get((), (1, 1)))

    def open(self, event: yaml.NodeEvent, value: dict[str, Any] | list[Any]) -> None:
        stack = self.stack
        parent = stack[-1] if stack else None
        if parent is None:
            path: JsonPath = ()
        elif parent.key is not None:
            path = (*parent.path, parent.key)
        elif isinstance(parent.value, list):
            path = (*parent.path, len(parent.value))
        else:
            raise self.fail("a mapping key must be a plain value, not a list or mapping", event)
        self.check_tag(event)
        if len(stack) >= MAX_DEPTH:
            raise self.fail(f"nesting is deeper than {MAX_DEPTH} levels", event)
        if parent is None or parent.key is None:
            # A mapping value takes its key's position instead, when it is attached.
            self.positions[path] = _position(event)
        if event.anchor:
            self.open_anchors.add(event.anchor)
        stack.append(_Node(value, path, event.anchor, self.total))

    def close(self, event: yaml.Event) -> None:
        node = self.stack.pop()
        self.count(1, event)
        if node.anchor:
            self.open_anchors.discard(node.anchor)
            self.anchors[node.anchor] = (node.value, self.total - node.start)
        if not self.stack:
            self.root = node.value
            return
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(node.value)  # its position was recorded when it opened
        elif (key := parent.key) is not None:
            self.set_value(parent, parent.value, key, node.value)

    def count(self, size: int, event: yaml.Event) -> None:
        """Count values against the limit, those reached through aliases included."""
        self.total += size
        if self.total > MAX_NODES:
            raise self.fail(
                f"the document expands to more than {MAX_NODES:,} values through aliases"
                if self.aliased
                else f"the document holds more than {MAX_NODES:,} values",
                event,
            )

    def scalar(self, event: yaml.ScalarEvent) -> None:
        self.count(1, event)
        text: str = event.value
        if event.tag is not None:
            self.check_tag(event)
            value = self.resolve(event)
        elif not event.implicit[0] or (
            text[:1] not in _NUMBER_START and text not in _NULL and text not in _BOOL
        ):
            value = text  # quoted, or a plain word: text either way
        else:
            value = self.resolve(event)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        if not self.place(value, event):
            self.set_key(self.stack[-1], event)

    def place(self, value: Any, event: yaml.NodeEvent) -> bool:
        """Put a value where the document has reached: the root, a list's next item or a
        mapping's pending key. False when a key is due instead."""
        if not self.stack:
            self.root = value
            return True
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            self.positions[(*parent.path, len(parent.value))] = _position(event)
            parent.value.append(value)
        elif (key := parent.key) is not None:
            self.set_value(parent, parent.value, key, value)
        else:
            return False
        return True

    def set_value(self, parent: _Node, mapping: dict[str, Any], key: str, value: Any) -> None:
        mapping[key] = value
        self.positions[(*parent.path, key)] = parent.key_position
        parent.key = None

    def set_key(self, parent: _Node, event: yaml.ScalarEvent) -> None:
        # Keys are kept as written: JSON only has string keys, and `1` and `"1"` are one key.
        name: str = event.value
        if name in parent.value:
            first = self.positions[(*parent.path, name)][0]
            raise self.fail(
                f"duplicate key '{name}' (first defined on line {first}); "
                "YAML would silently keep only the last one",
                event,
            )
        parent.key = name
        parent.key_position = _position(event)

    def alias(self, event: yaml.AliasEvent) -> None:
        anchor = event.anchor
        if anchor in self.open_anchors:
            raise self.fail(f"alias *{anchor} refers to a value that contains it", event)
        if anchor not in self.anchors:
            raise self.fail(f"alias *{anchor} has no anchor &{anchor} before it", event)
        value, size = self.anchors[anchor]
        self.aliased = True
        self.count(size, event)  # before the copy below is made
        # A copy, so later normalisation of one occurrence cannot change another; bounded above.
        if not self.place(copy.deepcopy(value), event):
            raise self.fail("a mapping key must be a plain value, not an alias", event)

    def check_tag(self, event: yaml.NodeEvent) -> None:
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_TAGS:
            short = tag.replace("tag:yaml.org,2002:", "!!")
            raise self.fail(f"YAML tag '{short}' is not allowed; write plain values", event)

    def resolve(self, event: yaml.ScalarEvent) -> Any:
        """YAML 1.2 core schema: plain scalars may be null, bool, int or float; quoted ones
        and `!` are strings."""
        text: str = event.value
        tag = event.tag
        if tag in ("!", _STR) or (tag is None and not event.implicit[0]):
            return text
        if tag in (None, "tag:yaml.org,2002:null") and text in _NULL:
            return None
        if tag in (None, "tag:yaml.org,2002:bool") and text in _BOOL:
            return _BOOL[text]
        if tag in (None, "tag:yaml.org,2002:int") and _INT.fullmatch(text):
            return self.integer(text, event)
        if tag in (None, "tag:yaml.org,2002:float") and _SPECIAL_FLOAT.fullmatch(text):
            raise self.fail(f"'{text}' is not a finite number", event)
        if tag in (None, "tag:yaml.org,2002:float") and _FLOAT.fullmatch(text):
            number = float(text)
            if not math.isfinite(number):  # such as 1e999
                raise self.fail(f"'{text}' is not a finite number", event)
            return number
        if tag is None:
            return text
        raise self.fail(f"'{text}' is not a valid {tag.rsplit(':', 1)[-1]}", event)

    def integer(self, text: str, event: yaml.ScalarEvent) -> int:
        try:
            return int(text, 0) if text[:2] in ("0o", "0x") else int(text, 10)
        except ValueError:  # Python refuses integers of more than 4,300 digits
            raise self.fail("number is too long", event) from None


def _position(event: yaml.Event) -> tuple[int, int]:
    mark: Any = event.start_mark  # every parser event has one
    return mark.line + 1, mark.column + 1


def _describe(value: Any) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the text '{value[:40]}'"
    return f"the value {value!r}"
