"""What the registry of kinds decides for the whole tool: the settings each kind reads, where
its files live by default, and which changes the shipped workflows plan and apply."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from genesys_reconcile.kinds import DIRECTORIES, KINDS
from tests.conftest import ROOT


def test_the_settings_schema_carries_each_kinds_own_section() -> None:
    schema = json.loads((ROOT / "schemas/reconcile-config.schema.json").read_text("utf-8"))
    sections = schema["properties"]["kinds"]["properties"]
    assert sections == {name: dict(kind.options_schema) for name, kind in KINDS.items()}


def triggers(name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((ROOT / f".github/workflows/{name}.yml").read_text("utf-8"))
    on: dict[str, Any] = loaded.get("on") or loaded[True]  # YAML 1.1 reads `on` as true
    return on


def test_the_workflows_plan_and_apply_when_any_kinds_files_change() -> None:
    expected = [f"{directory}/**" for directory in DIRECTORIES] + ["schemas/**", "reconcile.yaml"]
    assert triggers("plan")["pull_request"]["paths"] == expected
    assert triggers("apply")["push"]["paths"] == expected


def test_without_reconcile_yaml_each_kinds_directory_is_read(
    run, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for directory in DIRECTORIES:
        shutil.copytree(ROOT / directory, tmp_path / directory)
    result = run("validate")
    files = sum(1 for d in DIRECTORIES for _ in (tmp_path / d).glob("*.yaml"))
    assert (result.code, result.out) == (0, f"{files} files valid\n")
