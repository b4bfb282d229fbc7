"""What the registry of kinds decides for the whole tool: the settings each kind reads, where
its files live by default, and which changes the shipped workflows plan and apply. The files
that cannot import the registry are written from it by `scripts/sync_kinds.py`."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import yaml

from genesys_reconcile.kinds import DIRECTORIES, KINDS
from scripts.sync_kinds import CONFIG_SCHEMA, WORKFLOWS, main
from tests.conftest import ROOT


def test_the_files_derived_from_the_registry_are_up_to_date(capsys) -> None:
    assert main(["--check"]) == 0, "run: python scripts/sync_kinds.py\n" + capsys.readouterr().out


def test_the_settings_schema_carries_each_kinds_own_section() -> None:
    schema = json.loads((ROOT / CONFIG_SCHEMA).read_text("utf-8"))
    sections = schema["properties"]["kinds"]["properties"]
    assert sections == {name: dict(kind.options_schema) for name, kind in KINDS.items()}


def triggers(root: Path, name: str) -> dict[str, Any]:
    loaded = yaml.safe_load((root / f".github/workflows/{name}.yml").read_text("utf-8"))
    on: dict[str, Any] = loaded.get("on") or loaded[True]  # YAML 1.1 reads `on` as true
    return on


def test_the_workflows_plan_and_apply_when_any_kinds_files_change() -> None:
    expected = [f"{directory}/**" for directory in DIRECTORIES] + [
        "schemas/**",
        "reconcile.yaml",
        "reconcile.owned.yaml",
    ]
    assert triggers(ROOT, "plan")["pull_request"]["paths"] == expected
    assert triggers(ROOT, "apply")["push"]["paths"] == expected


def test_the_script_brings_stale_files_up_to_date(tmp_path: Path, capsys) -> None:
    for name in (CONFIG_SCHEMA, *WORKFLOWS):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / name, tmp_path / name)
    schema = json.loads((tmp_path / CONFIG_SCHEMA).read_text("utf-8"))
    del schema["properties"]["kinds"]["properties"]["CampaignSegmentation"]
    (tmp_path / CONFIG_SCHEMA).write_text(json.dumps(schema), "utf-8")
    plan = tmp_path / WORKFLOWS[0]
    plan.write_text(plan.read_text("utf-8").replace("campaigns/**, ", ""), "utf-8")
    assert main(["--check"], root=tmp_path) == 1
    assert main([], root=tmp_path) == 0
    assert capsys.readouterr().out.splitlines()[-2:] == [
        f"{CONFIG_SCHEMA}: updated",
        f"{WORKFLOWS[0]}: updated",
    ]
    for name in (CONFIG_SCHEMA, *WORKFLOWS):
        assert (tmp_path / name).read_text("utf-8") == (ROOT / name).read_text("utf-8")


def test_without_reconcile_yaml_each_kinds_directory_is_read(
    run, tmp_path: Path, monkeypatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for directory in DIRECTORIES:
        shutil.copytree(ROOT / directory, tmp_path / directory)
    result = run("validate")
    files = sum(1 for d in DIRECTORIES for _ in (tmp_path / d).glob("*.yaml"))
    assert (result.code, result.out) == (0, f"{files} files valid\n")
