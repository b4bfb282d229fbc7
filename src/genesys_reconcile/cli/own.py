"""`reconcile own`: record in reconcile.owned.yaml the resources the files declare."""

from __future__ import annotations

from collections.abc import Sequence

import click

from genesys_reconcile.cli.group import cli, epilog, settings, to_stderr
from genesys_reconcile.errors import EXIT_FAILURE, EXIT_OK, ConfigError, ReconcileError
from genesys_reconcile.ownership import FILE_NAME, Ownership, Pair
from genesys_reconcile.plan.run import selector
from genesys_reconcile.settings import Settings
from genesys_reconcile.validation import InvalidFiles, validate


@cli.command(
    name="own",
    epilog=epilog(
        [
            "reconcile own",
            "reconcile own --check            # in CI: every declared resource is recorded",
            "reconcile own --exit-non-zero-on-change   # as the pre-commit hook runs it",
            "reconcile own --forget 'AnalyticsSegment/Old segment'",
        ]
    ),
)
@click.option(
    "--check",
    is_flag=True,
    help=f"Change nothing; exit 1 when {FILE_NAME} lacks a resource the files declare.",
)
@click.option(
    "--exit-non-zero-on-change",
    "strict",
    is_flag=True,
    help=f"Exit 1 when {FILE_NAME} was changed, so a pre-commit hook stops the commit until "
    "the record is added to it.",
)
@click.option(
    "--forget",
    "forgets",
    multiple=True,
    metavar="KIND/NAME",
    help="Stop owning a recorded resource that no file declares, so --prune leaves it in the "
    "org (repeatable).",
)
@click.pass_context
def own_command(ctx: click.Context, check: bool, strict: bool, forgets: tuple[str, ...]) -> int:
    """Record every resource the files declare as the repository's own.

    --prune deletes a live resource that no file declares only when reconcile.owned.yaml (beside
    reconcile.yaml) records it: one apply created, export adopted, or this command recorded.
    Checks the files offline first. Resources the record lists that no file declares stay
    recorded (removing a file is how --prune deletes a resource) unless --forget names them.
    Commit the record with the files.
    """
    config = settings(ctx)
    if check and forgets:
        raise ConfigError("--check changes nothing; run --forget without it")
    declared = declared_resources(config)
    record = Ownership.load(config.root)
    if check:
        _check(record, declared)
        return EXIT_OK
    added = record.add(declared)
    forgotten = record.forget(_forgettable(record, declared, forgets))
    for kind, name in record.pairs():
        if (kind, name) not in declared:
            to_stderr(f"recorded, declared by no file (--prune deletes it): {kind}/{name}")
    record.save()
    for kind, name in added:
        click.echo(f"recorded: {kind}/{name}")
    for kind, name in forgotten:
        click.echo(f"forgot: {kind}/{name}")
    if not added and not forgotten:
        click.echo(f"{FILE_NAME} records every declared resource.")
        return EXIT_OK
    click.echo(f"{FILE_NAME}: {len(added)} recorded, {len(forgotten)} forgotten; commit it.")
    return EXIT_FAILURE if strict else EXIT_OK


def declared_resources(config: Settings) -> dict[Pair, str]:
    """Each resource of a kind the reconciler creates that the files declare, with its file."""
    report = validate(list(config.paths), config)
    if report.failed():
        raise InvalidFiles(report, "the files are invalid; nothing was recorded")
    return {
        (r.kind.kind, r.name): r.document.file
        for r in sorted(report.resources, key=lambda r: (r.kind.kind, r.name))
        if r.kind.creatable
    }


def _check(record: Ownership, declared: dict[Pair, str]) -> None:
    missing = [pair for pair in declared if not record.owns(*pair)]
    for kind, name in missing:
        to_stderr(f"not recorded: {kind}/{name} ({declared[(kind, name)]})")
    if missing:
        them = "resource is" if len(missing) == 1 else "resources are"
        raise ReconcileError(
            f"{len(missing)} declared {them} not recorded in {FILE_NAME}; run `reconcile own` "
            "and commit it"
        )


def _forgettable(
    record: Ownership, declared: dict[Pair, str], forgets: Sequence[str]
) -> list[Pair]:
    """The --forget resources, each recorded and declared by no file (a declared one would be
    recorded again by the next run)."""
    pairs = []
    for text in forgets:
        chosen = selector(text)
        pair = (chosen.kind, chosen.name)
        if pair in declared:
            raise ReconcileError(
                f"{text} is declared by {declared[pair]}; remove that file first, or keep it "
                "recorded"
            )
        if not record.owns(*pair):
            raise ReconcileError(f"{FILE_NAME} does not record {text}")
        pairs.append(pair)
    return pairs
