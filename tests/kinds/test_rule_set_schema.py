"""The API shapes in schemas/rule-set.schema.json, which validate a file's `raw:` conditions and
actions without the SDK, are the SDK's models: same fields, same JSON types, same enum values.
So the schema and the platform cannot drift apart unnoticed when the SDK is upgraded."""

from __future__ import annotations

import ast
import inspect
import json
import re
from typing import Any

import PureCloudPlatformClientV2 as sdk
import pytest

from tests.conftest import ROOT
from tests.oracle import fields

SCHEMA = json.loads((ROOT / "schemas/rule-set.schema.json").read_text("utf-8"))
MODELS = [name for name in SCHEMA["$defs"] if name[0].isupper()]
JSON_TYPES = {"str": "string", "int": "integer", "bool": "boolean", "datetime": "string"}


def sdk_enum(model: str, attribute: str) -> list[str] | None:
    """The values an SDK model's setter allows; None for a field that is no enum."""
    setter = getattr(getattr(sdk, model), attribute).fset
    found = re.search(r"allowed_values = (\[.*?\])", inspect.getsource(setter), re.S)
    return ast.literal_eval(found.group(1)) if found else None


def schema_type(prop: dict[str, Any]) -> str:
    """A property's type as the SDK spells it: `str`, `list[Condition]`, `DomainEntityRef`."""
    if "$ref" in prop:
        return prop["$ref"].rsplit("/", 1)[1]
    if prop["type"] == "array":
        return f"list[{schema_type(prop['items'])}]"
    if prop["type"] == "object":
        return f"dict(str, {schema_type(prop['additionalProperties'])})"
    return {"string": "str", "integer": "int", "boolean": "bool"}[prop["type"]]


def test_the_schema_carries_every_model_the_api_shapes_use() -> None:
    assert sorted(MODELS) == sorted(
        [
            "RuleSet",
            "DialerRule",
            "Condition",
            "DialerAction",
            "DataActionConditionPredicate",
            "ContactColumnToDataActionFieldMapping",
            "TimeAndDateSubCondition",
            "TimeAndDateSubConditionRange",
            "DomainEntityRef",
        ]
    )


@pytest.mark.parametrize("model", MODELS)
def test_each_api_shape_has_the_sdk_models_fields_types_and_enums(model: str) -> None:
    definition = SCHEMA["$defs"][model]
    assert definition["additionalProperties"] is False
    known = fields(model)
    assert sorted(definition["properties"]) == sorted(known)
    for key, (attribute, kind) in known.items():
        prop = definition["properties"][key]
        expected = "str" if kind == "datetime" else kind
        assert schema_type(prop) == expected, key
        assert prop.get("enum") == sdk_enum(model, attribute), key


@pytest.mark.parametrize("model", ["Condition", "DialerAction"])
def test_each_per_type_requirement_names_a_value_and_fields_the_sdk_knows(model: str) -> None:
    definition = SCHEMA["$defs"][model]
    known = fields(model)
    for rule in definition["allOf"]:
        for key, test in rule["if"]["properties"].items():
            values = test.get("enum", [test.get("const")])
            assert set(values) <= set(sdk_enum(model, known[key][0]) or []), key
        assert set(rule["then"]["required"]) <= set(known)
