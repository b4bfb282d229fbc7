"""What a plan covers: every file's resource, or those `--target` names and what they need,
less what `--exclude` names.

A target selects a resource by its own name or by the file it was compiled from (a campaign
segmentation, on a real org, stands for a filter and campaign settings). As Terraform's
`-target` does, a targeted resource brings along the resources of the repository it needs to
exist first, such as the filter a campaign binds: a partial apply that wrote the binding but
not the filter would fail."""

from __future__ import annotations

from collections.abc import Sequence

from genesys_reconcile.plan.model import Selector
from genesys_reconcile.validation import Resource


def selected(
    resources: Sequence[Resource], targets: Sequence[Selector], excludes: Sequence[Selector]
) -> list[Resource]:
    def excluded(resource: Resource) -> bool:
        return any(s.matches(*n) for s in excludes for n in _names(resource))

    if not targets:
        return [r for r in resources if not excluded(r)]
    chosen = {id(r) for r in resources if any(s.matches(*n) for s in targets for n in _names(r))}
    needed = {pair for r in resources if id(r) in chosen for pair in r.kind.needs(r.document.data)}
    return [
        r
        for r in resources
        if (id(r) in chosen or (r.kind.kind, r.name) in needed) and not excluded(r)
    ]


def _names(resource: Resource) -> list[tuple[str, str]]:
    """How a selector may name a resource: as itself, or as the file it was compiled from."""
    return [(resource.kind.kind, resource.name), *filter(None, [resource.stands_for])]
