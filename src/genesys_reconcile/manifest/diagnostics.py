"""What validation found, and the three ways of showing it (text, json, GitHub annotations)."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from enum import StrEnum

import click

from genesys_reconcile.errors import Location
from genesys_reconcile.manifest.yaml import Document, JsonPath
from genesys_reconcile.text_safety import visible


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Finding:
    """A problem at a path inside one document; checks report these and need no line numbers."""

    path: JsonPath
    message: str
    severity: Severity = Severity.ERROR


@dataclass(frozen=True, order=True)
class Diagnostic:
    """A finding placed in its file; sorts by file, line and column."""

    file: str
    line: int
    column: int
    path: str
    message: str
    severity: Severity = Severity.ERROR

    @classmethod
    def at(cls, location: Location, path: str, message: str, severity: Severity) -> Diagnostic:
        return cls(location.file, location.line, location.column, path, message, severity)

    @classmethod
    def of(cls, document: Document, finding: Finding) -> Diagnostic:
        location = document.locate(finding.path)
        return cls.at(location, format_path(finding.path), finding.message, finding.severity)


def format_path(path: JsonPath) -> str:
    """`("query", "aggregations", 3, "field")` -> `query.aggregations[3].field`."""
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        elif part.isidentifier():
            text += f".{part}" if text else part
        else:
            text += f"[{json.dumps(part)}]"
    return text


_COLORS = {Severity.ERROR: "red", Severity.WARNING: "yellow"}


def render_text(diagnostics: Sequence[Diagnostic], files: int, color: bool) -> str:
    lines = []
    for d in diagnostics:
        label = d.severity.value
        if color:
            label = click.style(label, fg=_COLORS[d.severity], bold=True)
        where = f"{visible(d.path)}: " if d.path else ""
        lines.append(f"{visible(d.file)}:{d.line}:{d.column}: {label}: {where}{visible(d.message)}")
    lines.append(_summary(diagnostics, files))
    return "\n".join(lines)


def _summary(diagnostics: Sequence[Diagnostic], files: int) -> str:
    errors = sum(d.severity is Severity.ERROR for d in diagnostics)
    warnings = len(diagnostics) - errors
    checked = f"{files} file{'s' if files != 1 else ''}"
    if not diagnostics:
        return f"{checked} valid"
    return f"{_count(errors, 'error')}, {_count(warnings, 'warning')} in {checked}"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'s' if n != 1 else ''}"


def render_json(diagnostics: Iterable[Diagnostic]) -> str:
    return json.dumps([asdict(d) for d in diagnostics], indent=2)


def render_github(diagnostics: Iterable[Diagnostic]) -> str:
    """GitHub Actions workflow commands, which annotate the pull request's changed lines. A
    value can start no command of its own: control characters show as escapes, `%` and any
    line break are encoded as the runner decodes them, and `:` and `,` cannot end a property."""
    lines = []
    for d in diagnostics:
        props = f"file={_escape_property(d.file)},line={d.line},col={d.column}"
        if d.path:
            props += f",title={_escape_property(d.path)}"
        lines.append(f"::{d.severity.value} {props}::{_escape_data(visible(d.message))}")
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(visible(text)).replace(":", "%3A").replace(",", "%2C")
