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
import math
import re
from collections.abc import Iterator
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
    try:
        return path.absolute().relative_to(Path.cwd()).as_posix()
    except ValueError:
        return path.as_posix()


def load_file(path: Path) -> Document:
    """Load one desired-state file."""
    name = display_path(path)
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_FILE_BYTES + 1)
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
        return _Composer(name).compose(yaml.parse(text, Loader=_Parser))
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


def _line_column(raw: bytes, offset: int) -> tuple[int, int]:
    line_start = raw.rfind(b"\n", 0, offset) + 1
    return raw.count(b"\n", 0, offset) + 1, offset - line_start + 1


@dataclass
class _Node:
    """A mapping or sequence still being composed."""

    value: dict[str, Any] | list[Any]
    path: JsonPath
    anchor: str | None
    key: tuple[str, tuple[int, int]] | None = None  # a mapping's key awaiting its value
    key_lines: dict[str, int] = field(default_factory=dict)


class _Composer:
    def __init__(self, name: str) -> None:
        self.name = name
        self.positions: dict[JsonPath, tuple[int, int]] = {}
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.open_anchors: set[str] = set()
        self.stack: list[_Node] = []
        self.sizes: list[int] = []  # nodes inside each open container, aliases expanded
        self.total = 0
        self.aliased = False
        self.root: Any = None

    def fail(self, message: str, event: yaml.Event) -> ManifestError:
        return ManifestError(message, Location(self.name, *_position(event)))

    def compose(self, events: Iterator[yaml.Event]) -> Document:
        documents = 0
        for event in events:
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    raise self.fail(
                        "a file holds one resource, but a second YAML document starts here", event
                    )
            elif isinstance(event, yaml.ScalarEvent):
                self.count(1, event)
                self.add(self.scalar(event), 1, event)
            elif isinstance(event, yaml.AliasEvent):
                self.add(*self.alias(event), event)
            elif isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                self.open(event)
            elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                self.close(event)
        if self.root is None:
            raise ManifestError("file is empty; expected a mapping with kind and name", self._start)
        if not isinstance(self.root, dict):
            raise ManifestError(
                f"the top level must be a mapping (kind, name, ...), not {_describe(self.root)}",
                self._start,
            )
        return Document(self.name, self.root, self.positions)

    @property
    def _start(self) -> Location:
        return Location(self.name, *self.positions.get((), (1, 1)))

    def path_of_next(self) -> JsonPath | None:
        """The path the next completed value will take, or None for a mapping key."""
        if not self.stack:
            return ()
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            return (*parent.path, len(parent.value))
        return (*parent.path, parent.key[0]) if parent.key else None

    def open(self, event: yaml.MappingStartEvent | yaml.SequenceStartEvent) -> None:
        path = self.path_of_next()
        if path is None:
            raise self.fail("a mapping key must be a plain value, not a list or mapping", event)
        self.check_tag(event)
        if len(self.stack) >= MAX_DEPTH:
            raise self.fail(f"nesting is deeper than {MAX_DEPTH} levels", event)
        if not self.stack or isinstance(self.stack[-1].value, list):
            # A mapping value takes its key's position instead, when it is attached.
            self.positions[path] = _position(event)
        if event.anchor:
            self.open_anchors.add(event.anchor)
        value: dict[str, Any] | list[Any] = {} if isinstance(event, yaml.MappingStartEvent) else []
        self.stack.append(_Node(value, path, event.anchor))
        self.sizes.append(0)

    def close(self, event: yaml.Event) -> None:
        node = self.stack.pop()
        size = self.sizes.pop() + 1
        self.count(1, event)
        if node.anchor:
            self.open_anchors.discard(node.anchor)
            self.anchors[node.anchor] = (node.value, size)
        self.attach(node.value, size, event)

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

    def add(self, value: Any, size: int, event: yaml.Event) -> None:
        """Attach a counted scalar or alias, recording a list item's position."""
        if self.stack and isinstance(self.stack[-1].value, list):
            path = (*self.stack[-1].path, len(self.stack[-1].value))
            self.positions[path] = _position(event)
        self.attach(value, size, event)

    def attach(self, value: Any, size: int, event: yaml.Event) -> None:
        if self.sizes:
            self.sizes[-1] += size
        if not self.stack:
            self.root = value
            return
        parent = self.stack[-1]
        if isinstance(parent.value, list):
            parent.value.append(value)
        elif parent.key is None:
            self.set_key(parent, value, event)
        else:
            key, position = parent.key
            parent.value[key] = value
            self.positions[(*parent.path, key)] = position
            parent.key = None

    def set_key(self, parent: _Node, key: Any, event: yaml.Event) -> None:
        if not isinstance(event, yaml.ScalarEvent):
            raise self.fail("a mapping key must be a plain value, not an alias", event)
        # Keys are kept as written: JSON only has string keys, and `1` and `"1"` are one key.
        name = event.value
        position = _position(event)
        line = position[0]
        if name in parent.key_lines:
            raise self.fail(
                f"duplicate key '{name}' (first defined on line {parent.key_lines[name]}); "
                "YAML would silently keep only the last one",
                event,
            )
        parent.key_lines[name] = line
        parent.key = (name, position)

    def alias(self, event: yaml.AliasEvent) -> tuple[Any, int]:
        if event.anchor in self.open_anchors:
            raise self.fail(f"alias *{event.anchor} refers to a value that contains it", event)
        if event.anchor not in self.anchors:
            raise self.fail(f"alias *{event.anchor} has no anchor &{event.anchor} before it", event)
        value, size = self.anchors[event.anchor]
        self.aliased = True
        self.count(size, event)  # before the copy below is made
        # A copy, so later normalisation of one occurrence cannot change another; bounded above.
        return copy.deepcopy(value), size

    def check_tag(self, event: yaml.NodeEvent) -> None:
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _ALLOWED_TAGS:
            short = tag.replace("tag:yaml.org,2002:", "!!")
            raise self.fail(f"YAML tag '{short}' is not allowed; write plain values", event)

    def scalar(self, event: yaml.ScalarEvent) -> Any:
        self.check_tag(event)
        value = self.resolve(event)
        if event.anchor:
            self.anchors[event.anchor] = (value, 1)
        return value

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
