"""The one error hierarchy. The CLI maps these to exit codes in one place (`cli.main`).

An expected failure is a `ReconcileError`: the CLI prints its message on one line and exits with
its `exit_code`. Anything else is a bug and exits with `EXIT_INTERNAL`.
"""

from __future__ import annotations

from dataclasses import dataclass

EXIT_OK = 0
EXIT_FAILURE = 1
# Only `plan --detailed-exitcode` uses 2, so usage errors exit 1, never 2: a CI job must not
# mistake a mistyped flag for "changes pending".
EXIT_CHANGES = 2
EXIT_INTERNAL = 3


@dataclass(frozen=True, order=True)
class Location:
    """A place in a file; line and column count from 1."""

    file: str
    line: int = 1
    column: int = 1

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


class ReconcileError(Exception):
    """A failure the user can act on; its message is shown as it is."""

    exit_code = EXIT_FAILURE
    preface = ""  # shown before the one-line message, such as the diagnostics behind it

    def __init__(self, message: str, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class ManifestError(ReconcileError):
    """A desired-state file that cannot be read as one YAML mapping."""


class ConfigError(ReconcileError):
    """A problem in `reconcile.yaml`, a flag or an environment variable."""
