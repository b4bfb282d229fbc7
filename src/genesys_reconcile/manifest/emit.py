"""Desired-state documents written as YAML a person would write: block style at the top, short
lists and mappings inline (`{between: [50, 100]}`), keys in the order given, the same bytes for
the same document every time."""

from __future__ import annotations

import json
import posixpath
from typing import Any

import yaml

_INLINE = 88  # characters: longer mappings and lists go one item a line


class _Dumper(yaml.SafeDumper):
    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        # Block lists indented under their key, as the repository's files are.
        super().increase_indent(flow, False)


class _Top(dict[str, Any]):
    """The document itself: always block style."""


def _inline(data: Any) -> bool:
    return len(json.dumps(data, ensure_ascii=False, default=str)) <= _INLINE


def _mapping(dumper: _Dumper, data: dict[str, Any]) -> yaml.Node:
    flow = not isinstance(data, _Top) and _inline(data)
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


def _sequence(dumper: _Dumper, data: list[Any]) -> yaml.Node:
    # Several mappings read best one a line, each inline: `- {age: {gte: 18}}`.
    plain = len(data) < 2 or not any(isinstance(item, dict | list) for item in data)
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=plain and _inline(data)
    )


_Dumper.add_representer(dict, _mapping)
_Dumper.add_representer(_Top, _mapping)
_Dumper.add_representer(list, _sequence)


def modeline(path: str, schema_file: str) -> str:
    """The first line that points editors (yaml-language-server) at the schema of the file at
    `path` (relative to the repository's root), in the repository's `schemas/`."""
    relative = posixpath.relpath(f"schemas/{schema_file}", posixpath.dirname(path) or ".")
    return f"# yaml-language-server: $schema={relative}\n"


def inline(value: Any) -> str:
    """A value as one line of YAML, as a file would write it: `{min: 70, max: 100}`."""
    text = yaml.dump(
        value,
        Dumper=yaml.SafeDumper,
        default_flow_style=True,
        allow_unicode=True,
        sort_keys=False,
        width=10**9,
    )
    return text.removesuffix("\n...\n").removesuffix("\n")


def dump(document: dict[str, Any], preface: str = "", width: int = 100) -> str:
    """`document` as YAML under `preface` (comment lines, such as a schema modeline), long
    plain strings folded at the first space past `width` characters."""
    body = yaml.dump(
        _Top(document),
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=width,
        default_flow_style=False,
    )
    return preface + body
