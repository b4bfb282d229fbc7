"""Validation of a set of desired-state files: every reason, in every file, before failing.

It stands above the kinds, whose checks it runs; the file formats it reads stand below them.
"""

from __future__ import annotations

import contextlib
import difflib
import gc
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from genesys_reconcile.errors import ConfigError, Location, ManifestError, ReconcileError
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS, Kind
from genesys_reconcile.kinds.base import file_stem_for
from genesys_reconcile.kinds.stand_ins import StandIn, StandIns
from genesys_reconcile.manifest.diagnostics import Diagnostic, Finding, Severity, render_text
from genesys_reconcile.manifest.discovery import Refusal, find
from genesys_reconcile.manifest.schema import schema_findings
from genesys_reconcile.manifest.yaml import Document, JsonPath, display_path, load_file
from genesys_reconcile.ownership import FILE_NAME, Ownership
from genesys_reconcile.settings import Settings


@dataclass(frozen=True)
class Resource:
    """One desired resource, identified by (kind, name)."""

    kind: Kind
    name: str
    document: Document
    # The (kind, name) of the file it was compiled from, on an org that does not serve that
    # kind; a --target naming that file selects it.
    stands_for: tuple[str, str] | None = None


@dataclass
class Report:
    paths: list[Path] = field(default_factory=list)  # the files read
    refused: list[Refusal] = field(default_factory=list)  # the paths not read, and why
    resources: list[Resource] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)

    @property
    def files(self) -> int:
        return len(self.paths) + len(self.refused)

    def failed(self, strict: bool = False) -> bool:
        return any(d.severity is Severity.ERROR or strict for d in self.diagnostics)


class InvalidFiles(ReconcileError):
    """Files that do not hold; the diagnostics go before the one-line error."""

    def __init__(
        self, report: Report, message: str = "the files are invalid; nothing was planned"
    ) -> None:
        super().__init__(message)
        self.preface = render_text(report.diagnostics, report.files, color=False)


def validate(paths: Sequence[Path], settings: Settings, live: LiveState | None = None) -> Report:
    """Check the files under `paths`; with `live`, also against the org's current state."""
    with _fewer_collections():
        return _validate(paths, settings, live)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Validation keeps every file's data to its end and makes next to no reference cycles, so
    the cycle collector, at its usual pace, would walk all of it again and again: a tenth of the
    time on thousands of files. It runs a hundred times less often until validation ends."""
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0] * 100, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


def _validate(paths: Sequence[Path], settings: Settings, live: LiveState | None) -> Report:
    discovered = find(paths, settings.root)
    if not discovered.files and not discovered.refused:
        raise ConfigError("no .yaml files found in " + ", ".join(display_path(p) for p in paths))
    report = Report(paths=discovered.files, refused=discovered.refused)
    report.diagnostics.extend(
        Diagnostic.at(Location(display_path(r.path)), "", r.reason, Severity.ERROR)
        for r in discovered.refused
    )
    sound: list[Resource] = []  # without errors: what checks across files and the org may read
    for path in discovered.files:
        try:
            document = load_file(path)
        except ManifestError as exc:
            assert exc.location is not None
            report.diagnostics.append(Diagnostic.at(exc.location, "", exc.message, Severity.ERROR))
            continue
        resource, findings = _check_document(document, settings)
        report.diagnostics.extend(Diagnostic.of(document, f) for f in findings)
        if resource:
            report.resources.append(resource)
            if not any(f.severity is Severity.ERROR for f in findings):
                sound.append(resource)
    report.diagnostics.extend(_cross_file_diagnostics(report.resources))
    report.diagnostics.extend(_kind_wide_diagnostics(sound))
    record, files = Ownership.load(settings.root), list(sound)  # the files' own resources
    if live is not None:
        sound = _stood_in(report, sound, settings, live)
        # What the repository declares, for references to resources this apply creates.
        declared = {(r.kind.kind, r.name) for r in sound}
        live.memo("declared", lambda: declared)
        for resource in sound:
            found = resource.kind.check_live(resource.document.data, live)
            report.diagnostics.extend(Diagnostic.of(resource.document, f) for f in found)
    report.diagnostics.extend(_unrecorded(files, report.diagnostics, record))
    report.diagnostics.sort()
    return report


def _stood_in(
    report: Report, sound: list[Resource], settings: Settings, live: LiveState
) -> list[Resource]:
    """The sound resources, with each file whose kind this org does not serve replaced by the
    real resources it stands for there (see `kinds.stand_ins`)."""
    kept: list[Resource] = []
    compiled: list[tuple[Resource, StandIns]] = []
    for resource in sound:
        found = resource.kind.stand_ins(resource.document.data, live)
        if found is None:
            kept.append(resource)
        else:
            compiled.append((resource, found))
    taken = {(r.kind.kind, r.name): r for r in kept}
    for resource, found in compiled:
        report.resources.remove(resource)
        report.diagnostics.extend(Diagnostic.of(resource.document, f) for f in found.findings)
        for stand_in in found.documents:
            made, findings = _stand_in(resource, stand_in, settings)
            findings.extend(_taken(made, taken))
            report.diagnostics.extend(Diagnostic.of(made.document, f) for f in findings)
            report.resources.append(made)
            if not findings and not found.findings:
                kept.append(made)
                taken[(made.kind.kind, made.name)] = made
    return kept


def _stand_in(
    resource: Resource, stand_in: StandIn, settings: Settings
) -> tuple[Resource, list[Finding]]:
    """A compiled document as a resource of its kind, placed at its source's lines."""
    kind, source = KINDS[stand_in.kind], resource.document
    positions = {path: source.locate(origin) for path, origin in stand_in.origins.items()}
    placed = {path: (at.line, at.column) for path, at in positions.items()}
    placed[()] = source.positions.get((), (1, 1))
    document = Document(source.file, stand_in.data, placed)
    origin = (resource.kind.kind, resource.name)
    made = Resource(kind, kind.identity(stand_in.data) or "", document, origin)
    findings = schema_findings(kind.schema_file, stand_in.data)
    findings.extend(kind.check(stand_in.data, settings))
    return made, findings


def _taken(made: Resource, taken: dict[tuple[str, str], Resource]) -> Iterator[Finding]:
    """A compiled resource that another file defines as well."""
    other = taken.get((made.kind.kind, made.name))
    if other is not None:
        where = other.document.locate((other.kind.identity_field,))
        identity = (made.kind.identity_field,)
        yield Finding(
            identity,
            f"on this org the file stands for {made.kind.kind} {made.name!r}, which {where} "
            "also defines; keep one of them",
        )


def _check_document(
    document: Document, settings: Settings
) -> tuple[Resource | None, list[Finding]]:
    kind_name = document.data.get("kind")
    kind = KINDS.get(kind_name) if isinstance(kind_name, str) else None
    if kind is None:
        return None, [_kind_finding(kind_name)]
    markers = list(unresolved(document.data))
    findings = [
        f
        for f in schema_findings(kind.schema_file, document.data)
        if not any(f.path[: len(u.path)] == u.path for u in markers)
    ]
    findings.extend(markers or kind.check(document.data, settings))
    name = kind.identity(document.data)
    if name:
        findings.extend(_invisible_in_name(kind.identity_field, name))
    return (Resource(kind, name, document) if name else None), findings


def unresolved(value: object, path: JsonPath = ()) -> Iterator[Finding]:
    """Each `{unresolved: id}` an export wrote for a reference whose resource was gone."""
    if isinstance(value, dict):
        if list(value) == ["unresolved"]:
            yield Finding(
                path,
                f"refers to id {value['unresolved']}, which the org no longer has (export "
                "wrote it so); name an existing resource, or remove the reference",
            )
            return
        for key, item in value.items():
            yield from unresolved(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from unresolved(item, (*path, index))


def _invisible_in_name(field: str, name: str) -> Iterator[Finding]:
    """Names are identities that reviewers compare by eye, so two names that look the same
    must be the same: a format character (zero-width, bidi) or a C1 control in one is an error.
    C0 controls and DEL are the schema's to refuse, as not one line."""
    if name.isprintable():  # the usual case, at C speed
        return
    for code in sorted({ord(c) for c in name if unicodedata.category(c) in ("Cf", "Cc")}):
        if 0x80 <= code <= 0x9F or unicodedata.category(chr(code)) == "Cf":
            what = unicodedata.name(chr(code), "a control character")
            yield Finding(
                (field,), f"{field} contains U+{code:04X} ({what}), invisible in review; remove it"
            )


def _kind_finding(kind_name: object) -> Finding:
    known = sorted(KINDS)
    if kind_name is None:
        return Finding((), f"missing 'kind'; expected one of: {', '.join(known)}")
    close = difflib.get_close_matches(str(kind_name), known, n=1)
    hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {', '.join(known)}"
    return Finding(("kind",), f"unknown kind {kind_name!r}; {hint}")


def _unrecorded(
    resources: Sequence[Resource], found: Sequence[Diagnostic], record: Ownership
) -> list[Diagnostic]:
    """A warning per declared resource the reconciler creates that the record lacks (once its
    file is removed, --prune would leave it in the org), but for files with errors to fix
    first. A repository without a record has not started recording ownership: its plans say
    that --prune leaves everything alone."""
    if not record.path.is_file():
        return []
    failed = {d.file for d in found if d.severity is Severity.ERROR}
    return [
        _unrecorded_warning(r)
        for r in resources
        if r.kind.creatable
        and r.document.file not in failed
        and not record.owns(r.kind.kind, r.name)
    ]


def _unrecorded_warning(resource: Resource) -> Diagnostic:
    return Diagnostic.of(
        resource.document,
        Finding(
            (resource.kind.identity_field,),
            f"not recorded in {FILE_NAME}: removing this file later would not delete it; "
            "run `reconcile own`",
            Severity.WARNING,
        ),
    )


def _kind_wide_diagnostics(resources: Sequence[Resource]) -> Iterator[Diagnostic]:
    for kind in KINDS.values():
        documents = [r.document for r in resources if r.kind is kind]
        for index, finding in kind.check_across([d.data for d in documents]):
            yield Diagnostic.of(documents[index], finding)


def _cross_file_diagnostics(resources: Sequence[Resource]) -> Iterator[Diagnostic]:
    first: dict[tuple[str, str], Resource] = {}
    for resource in resources:
        document, identity = resource.document, (resource.kind.identity_field,)
        key = (resource.kind.kind, resource.name)
        if key in first:
            where = first[key].document.locate(identity)
            yield Diagnostic.of(
                document,
                Finding(
                    identity,
                    f"{resource.kind.kind} {resource.name!r} is already defined at {where}",
                ),
            )
        first.setdefault(key, resource)
        expected = file_stem_for(resource.name)
        stem = Path(document.file).stem
        if expected and stem != expected:
            yield Diagnostic.of(
                document,
                Finding(
                    identity,
                    f"file name '{stem}' does not match the {resource.kind.identity_field}; "
                    f"expected '{expected}{Path(document.file).suffix}'",
                    Severity.WARNING,
                ),
            )
