"""The schemas are the file format's single definition: valid, documented and strict."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from genesys_reconcile.kinds import KINDS
from genesys_reconcile.manifest.schema import schema_dir
from tests.conftest import ROOT

SCHEMAS = sorted((ROOT / "schemas").glob("*.schema.json"))


def _properties(schema: Any, where: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every property schema, found through properties, items and $defs."""
    if not isinstance(schema, dict):
        return
    for name, sub in schema.get("properties", {}).items():
        yield f"{where}.{name}", sub
        yield from _properties(sub, f"{where}.{name}")
    for key in ("items", "additionalProperties"):
        yield from _properties(schema.get(key), f"{where}[]")
    for name, sub in schema.get("$defs", {}).items():
        yield from _properties(sub, f"$defs.{name}")


def _objects(schema: Any) -> Iterator[dict[str, Any]]:
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from _objects(value)


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_schema_is_valid_2020_12_with_an_id(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith("/" + path.name)


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_every_property_has_a_title_and_description_for_editors(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    undocumented = []
    for where, sub in _properties(schema):
        target = sub
        if "$ref" in sub:  # documented where it is defined
            target = schema["$defs"][sub["$ref"].rsplit("/", 1)[-1]]
        if not (target.get("title") and target.get("description")):
            undocumented.append(where)
    assert undocumented == []


@pytest.mark.parametrize("path", SCHEMAS, ids=[p.stem for p in SCHEMAS])
def test_unknown_properties_are_rejected_everywhere(path: Path) -> None:
    schema = json.loads(path.read_text(encoding="utf-8"))
    open_objects = [o.get("title") for o in _objects(schema) if "additionalProperties" not in o]
    assert open_objects == []


def test_each_kind_names_an_existing_schema_whose_kind_matches() -> None:
    for name, kind in KINDS.items():
        schema = json.loads((schema_dir() / kind.schema_file).read_text(encoding="utf-8"))
        assert schema["properties"]["kind"]["const"] == name
        assert kind.identity_field in schema["required"]


@pytest.mark.parametrize("directory", ["segments", "campaigns", "outbound/rulesets", "journeys"])
def test_every_example_declares_its_schema_for_editors(directory: str) -> None:
    examples = sorted((ROOT / directory).glob("*.yaml"))
    assert examples
    for example in examples:
        first = example.read_text(encoding="utf-8").splitlines()[0]
        up = "../" * len(Path(directory).parts)
        assert first.startswith(f"# yaml-language-server: $schema={up}schemas/"), example.name
        assert (example.parent / first.split("=", 1)[1]).resolve().is_file(), example.name
