"""The plan as a JSON document: what `plan --out` saves and `apply PLAN_FILE` applies.

It records which org the plan was made for (its id and name; the API URL only for people),
from what (a digest of the input files) and, per change, the live id and version it was
computed from. The checksum only catches accidental damage: anyone can recompute it, so apply
trusts no change in the file, and applies a change only where a fresh plan of the same files
and org makes the very same one. It holds no secret.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from genesys_reconcile import __version__
from genesys_reconcile.errors import ConfigError
from genesys_reconcile.genesys.client import Organization
from genesys_reconcile.manifest.schema import validator
from genesys_reconcile.manifest.yaml import display_path
from genesys_reconcile.plan.model import Action, Change, FieldChange, Plan, Safety, Selector

FORMAT_VERSION = 2  # 2: the org by id


def to_document(
    plan: Plan,
    org: Organization,
    api_url: str,
    inputs: Sequence[Path],
    now: datetime | None = None,
) -> dict[str, Any]:
    changes = [_change(c) for c in plan.changes]
    return {
        "formatVersion": FORMAT_VERSION,
        "tool": {"name": "genesys-reconcile", "version": __version__},
        "createdAt": (now or datetime.now(UTC))
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z"),
        "org": {"id": org.id, "name": org.name},
        "apiUrl": api_url,
        "inputDigest": input_digest(inputs),
        "summary": {
            **{action.value: plan.count(action) for action in Action},
            "unchanged": plan.unchanged,
            "unmanaged": dict(sorted(plan.unmanaged.items())),
            "unowned": {kind: list(names) for kind, names in sorted(plan.unowned.items())},
            "existing": dict(sorted(plan.existing.items())),
        },
        "partial": plan.partial,
        "targets": [str(s) for s in plan.targets],
        "excludes": [str(s) for s in plan.excludes],
        "safety": {
            "updates": plan.safety.updates,
            "deletes": plan.safety.deletes,
            "minExisting": plan.safety.min_existing,
            "violations": plan.violations(),
        },
        "changes": changes,
        "checksum": checksum(changes),
    }


def render(
    plan: Plan,
    org: Organization,
    api_url: str,
    inputs: Sequence[Path],
    now: datetime | None = None,
) -> str:
    data = to_document(plan, org, api_url, inputs, now)
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def organization(data: dict[str, Any]) -> Organization:
    """The org a loaded plan was made for."""
    return Organization(data["org"]["id"], data["org"]["name"])


def plan_checksum(plan: Plan) -> str:
    return checksum([_change(c) for c in plan.changes])


def checksum(value: Any) -> str:
    """A digest of JSON data that no key order or spacing changes."""
    canonical = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(canonical.encode()).hexdigest()


def input_digest(paths: Sequence[Path]) -> str:
    """One digest of the files a plan was made from: their names and their bytes."""
    digest = hashlib.sha256()
    for path in sorted(paths, key=display_path):
        digest.update(display_path(path).encode() + b"\0" + path.read_bytes() + b"\0")
    return "sha256:" + digest.hexdigest()


def _change(change: Any) -> dict[str, Any]:
    data = asdict(change)
    data["action"] = change.action.value
    return data


def load(path: Path) -> tuple[Plan, dict[str, Any]]:
    """A saved plan, checked against its schema and its checksum: one clear error for a file
    that is not a whole plan, before anything is written."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the plan {path}: {exc}") from None
    if isinstance(data, dict) and data.get("formatVersion") == 1:
        raise ConfigError(
            f"{path} was saved by an older version that did not record the org; plan again"
        )
    errors = sorted(_schema().iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        where = "/".join(str(p) for p in errors[0].absolute_path) or "the top level"
        raise ConfigError(
            f"{path} is not a plan of format {FORMAT_VERSION}: at {where}: {errors[0].message}"
        )
    if checksum(data["changes"]) != data["checksum"]:
        raise ConfigError(f"{path} was edited after it was made: its checksum does not match")
    changes = [
        Change(
            kind=c["kind"],
            name=c["name"],
            action=Action(c["action"]),
            fields=_fields(c["fields"]),
            id=c["id"],
            version=c["version"],
            before=c["before"],
            after=c["after"],
            source=c["source"],
            unchanged_fields=c["unchanged_fields"],
            impact=c.get("impact"),
            reason=c.get("reason"),
            shown=_fields(c["shown"]) if c.get("shown") is not None else None,
            shown_note=c.get("shown_note"),
            document=c.get("document"),
        )
        for c in data["changes"]
    ]
    return _plan(changes, data), data


def _fields(saved: list[dict[str, Any]]) -> tuple[FieldChange, ...]:
    return tuple(FieldChange(f["path"], f["before"], f["after"]) for f in saved)


def _plan(changes: list[Change], data: dict[str, Any]) -> Plan:
    """The saved plan as it was made: its counts, selection and thresholds with its changes
    (plans saved before `existing` was recorded show no threshold violations)."""
    summary, safety = data["summary"], data["safety"]
    return Plan(
        changes=changes,
        unchanged=summary["unchanged"],
        unmanaged=dict(summary["unmanaged"]),
        unowned={kind: tuple(names) for kind, names in summary.get("unowned", {}).items()},
        existing=dict(summary.get("existing", {})),
        targets=tuple(Selector(*s.split("/", 1)) for s in data["targets"]),
        excludes=tuple(Selector(*s.split("/", 1)) for s in data["excludes"]),
        safety=Safety(safety["updates"], safety["deletes"], safety["minExisting"]),
    )


def _schema() -> Draft202012Validator:
    return validator("plan.schema.json")
