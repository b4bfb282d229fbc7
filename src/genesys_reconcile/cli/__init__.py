"""The command line: parse, build settings, call one function, print its result.

Each command is a module of its own that registers itself with the root group; `main` is the
one place where errors become exit codes.
"""

from __future__ import annotations

import sys
import tempfile
import time
import traceback

import click

from genesys_reconcile import pipes, signals

# Each command module registers its command with the root group as it is imported.
from genesys_reconcile.cli import (  # noqa: F401
    applying,
    checks,
    dashboard,
    exporting,
    github,
    init,
    own,
    planning,
    previewing,
    sandbox,
    showing,
)
from genesys_reconcile.cli.group import cli, completion
from genesys_reconcile.errors import EXIT_FAILURE, EXIT_INTERNAL, EXIT_OK, ReconcileError
from genesys_reconcile.redaction import redact
from genesys_reconcile.text_safety import visible

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    with signals.graceful():
        try:
            return _invoked(sys.argv[1:] if argv is None else argv)
        except KeyboardInterrupt as exc:
            return _interrupted(exc)
        except click.exceptions.Exit as exc:  # --help and --version
            return exc.exit_code
        except click.exceptions.Abort as exc:
            if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl-C at a prompt
                return _interrupted(exc.__context__)
            click.echo("Aborted.", err=True)
            return EXIT_FAILURE
        except click.ClickException as exc:
            exc.show()
            return EXIT_FAILURE
        except BrokenPipeError:
            pipes.silence_stdout()
            click.echo("error: stdout was closed before all the output was written", err=True)
            return EXIT_FAILURE
        except ReconcileError as exc:
            if exc.preface:
                click.echo(exc.preface, err=True)
            # One line, whatever a path or a name in it holds: a raw newline could forge a
            # workflow command in a CI log, and an escape sequence could move the cursor.
            click.echo(f"error: {visible(str(exc))}", err=True)
            return exc.exit_code
        except Exception as exc:  # a bug: keep the traceback out of the way, but keep it
            log = _crash_log(exc)
            click.echo(f"internal error ({type(exc).__name__}); details in {log}", err=True)
            return EXIT_INTERNAL


def _invoked(args: list[str]) -> int:
    # Not click's own main: it turns Ctrl-C into a plain Abort (exit 1) and a closed stdout
    # into a silent exit 1, where these must be told apart.
    completed = completion()
    if completed is not None:
        return completed
    with cli.make_context("reconcile", list(args)) as ctx:
        result = cli.invoke(ctx)
    # --help and --version return None; a command returns its exit code.
    return result if isinstance(result, int) else EXIT_OK


def _interrupted(interrupt: KeyboardInterrupt) -> int:
    click.echo(f"error: interrupted by {signals.signal_of(interrupt).name}", err=True)
    return signals.exit_code(interrupt)


def _crash_log(exc: Exception) -> str:
    stamp = time.strftime("%Y%m%dT%H%M%S")
    with tempfile.NamedTemporaryFile(
        "w", prefix=f"reconcile-crash-{stamp}-", suffix=".log", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(redact("".join(traceback.format_exception(exc))))
    return handle.name
