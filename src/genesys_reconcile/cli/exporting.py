"""`reconcile export`: an existing org written as the repository's files."""

from __future__ import annotations

from pathlib import Path

import click

from genesys_reconcile.cli.group import ORG_ENV, cli, epilog, settings, to_stderr
from genesys_reconcile.connection import connect
from genesys_reconcile.errors import EXIT_OK, ConfigError
from genesys_reconcile.export.run import Exported, Outcome, exported, write
from genesys_reconcile.genesys.live import LiveState
from genesys_reconcile.kinds import KINDS
from genesys_reconcile.manifest.yaml import display_path
from genesys_reconcile.ownership import Ownership
from genesys_reconcile.plan.run import selector


@cli.command(
    name="export",
    epilog=epilog(
        [
            "reconcile export --sandbox --dir adopted",
            "reconcile export ContactListFilter RuleSet",
            "reconcile export --target 'CampaignSettings/Spring*' --force",
        ],
        ORG_ENV,
    ),
)
@click.argument("kinds", nargs=-1, metavar="[KIND]...")
@click.option("--sandbox", is_flag=True, help="Export the embedded sandbox org.")
@click.option(
    "--dir",
    "directory",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path(),
    show_default=True,
    help="The repository to write into, in its layout (each kind in its directory).",
)
@click.option(
    "--target", "targets", multiple=True, metavar="KIND/NAME", help="Only these (repeatable)."
)
@click.option("--exclude", "excludes", multiple=True, metavar="KIND/NAME", help="Leave these out.")
@click.option("--force", is_flag=True, help="Overwrite files in the way.")
@click.pass_context
def export_command(
    ctx: click.Context,
    kinds: tuple[str, ...],
    sandbox: bool,
    directory: Path,
    targets: tuple[str, ...],
    excludes: tuple[str, ...],
    force: bool,
) -> int:
    """Write each live resource of the org as a file, for every kind or the KINDs named.

    One listing per kind (read-only credentials suffice); references are written as names.
    Every file is checked to plan no change against the org before it is written, so that
    `reconcile plan` after an export says "No changes". A resource a file already describes
    is left alone; an existing file in the way stops the export, unless --force.
    """
    config = settings(ctx)
    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ConfigError(f"unknown kind {unknown[0]!r}; expected one of: {', '.join(KINDS)}")
    chosen_kinds = [KINDS[k] for k in (kinds or KINDS)]
    wanted, left_out = [selector(t) for t in targets], [selector(e) for e in excludes]

    def chosen(kind: str, name: str) -> bool:
        hit = not wanted or any(s.matches(kind, name) for s in wanted)
        return hit and not any(s.matches(kind, name) for s in left_out)

    with connect(config, sandbox=sandbox) as client:
        outcome = exported(chosen_kinds, LiveState(client), chosen, directory, config)
    written = write(outcome, force)
    for made in written:
        click.echo(f"wrote {display_path(made.path)}  ({made.kind} {made.name!r})")
    _adopt(directory, written)
    _report(outcome)
    click.echo(
        f"Export: {len(written)} written, {len(outcome.described)} already described, "
        f"{len(outcome.skipped)} not exported."
    )
    return EXIT_OK


def _adopt(directory: Path, written: list[Exported]) -> None:
    """What export wrote is the repository's own from now on: removing its file deletes it
    with --prune. Campaigns are never created or deleted, so never owned."""
    record = Ownership.load(directory)
    adopted = record.add((m.kind, m.name) for m in written if KINDS[m.kind].creatable)
    if record.save():
        click.echo(
            f"{display_path(record.path)} records {len(adopted)} adopted resources; commit it "
            "with the files."
        )


_LISTED = 10  # resources already described that are named one by one


def _report(outcome: Outcome) -> None:
    for kind, path in sorted(outcome.unserved.items()):
        to_stderr(f"{kind}: this org serves no {path} (404); nothing to export")
    for made, where in outcome.described[:_LISTED]:
        to_stderr(f"{made.kind} {made.name!r}: already described by {where}; left alone")
    if len(outcome.described) > _LISTED:
        to_stderr(f"... and {len(outcome.described) - _LISTED} more already described")
    for kind, name, ids in outcome.duplicates:
        to_stderr(
            f"warning: {len(ids)} {kind}s are named {name!r} (ids {', '.join(ids)}); each file "
            "name carries its id, and plan refuses the name until all but one are renamed"
        )
    for made in (*outcome.files, *outcome.conflicts):
        if made.unresolved:
            to_stderr(
                f"warning: {display_path(made.path)}: {made.unresolved} reference(s) to "
                "resources the org no longer has, written as {unresolved: id}; fix them "
                "before planning"
            )
    for kind, name, ident, why in outcome.skipped:
        to_stderr(f"warning: {kind} {name!r} ({ident}) not exported: {why}")
