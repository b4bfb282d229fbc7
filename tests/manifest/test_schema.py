"""The fast check of valid documents: it never calls a document valid that jsonschema rejects,
so every invalid document is still explained by jsonschema, error by error."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from genesys_reconcile.errors import ManifestError
from genesys_reconcile.kinds import KINDS
from genesys_reconcile.manifest.schema import schema_findings, valid_checker, validator
from genesys_reconcile.manifest.yaml import load_file
from tests.conftest import FIXTURES, ROOT

SCHEMA_FILES = sorted({kind.schema_file for kind in KINDS.values()})
EXAMPLES = sorted([*(ROOT / "segments").glob("*.yaml"), *(ROOT / "campaigns").glob("*.yaml")])


def _loads(path: Path) -> bool:
    try:
        load_file(path)
    except ManifestError:
        return False
    return True


LOADABLE_FIXTURES = [p for p in sorted((FIXTURES / "invalid").glob("*.yaml")) if _loads(p)]


def _schema_file(data: Any) -> str:
    kind = KINDS.get(data.get("kind")) if isinstance(data, dict) else None
    return kind.schema_file if kind else SCHEMA_FILES[0]


@pytest.mark.parametrize("schema_file", SCHEMA_FILES)
def test_every_kind_schema_compiles_to_a_fast_check(schema_file: str) -> None:
    assert valid_checker(schema_file) is not None


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_the_examples_pass_the_fast_check(path: Path) -> None:
    data = load_file(path).data
    check = valid_checker(_schema_file(data))
    assert check is not None and check(data)


@pytest.mark.parametrize("path", LOADABLE_FIXTURES, ids=[p.stem for p in LOADABLE_FIXTURES])
def test_the_fast_check_agrees_with_jsonschema_on_the_fixtures(path: Path) -> None:
    data = load_file(path).data
    schema_file = _schema_file(data)
    check = valid_checker(schema_file)
    assert check is not None
    assert check(data) == validator(schema_file).is_valid(data)


def test_an_invalid_document_still_reports_every_error() -> None:
    data = {
        "kind": "CampaignSegmentation",
        "campaign": "",
        "lists": ["A", "A"],
        "demographics": {"1age": {"min": "x"}},
        "exclusions": [{"attribute": "a", "operator": "~", "value": [1]}],
        "dialingMode": "fast",
        "extra": 1,
    }
    assert [(f.path, f.message) for f in schema_findings(_schema_file(data), data)] == [
        (("extra",), "unknown property 'extra'"),
        (("campaign",), "must not be empty"),
        (("lists",), "'A' appears more than once"),
        (
            ("demographics", "1age"),
            "'1age' must be an attribute name: letters, digits and underscores, "
            "not starting with a digit",
        ),
        (("demographics", "1age", "min"), "expected a number, found the text 'x'"),
        (("exclusions", 0, "operator"), "'~' is not one of: =, !=, <, <=, >, >="),
        (("exclusions", 0, "value"), "expected text, a number or true or false, found a list"),
        (
            ("dialingMode",),
            "'fast' is not one of: agentless, preview, power, predictive, progressive, external",
        ),
    ]


# Documents near the valid examples: one node replaced by any JSON value, or removed.
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**6), max_value=10**6)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.sampled_from(["", "x", "NW", "=", ">", "age", "1age", "a.b", "hour", "AND", "\x07"])
    | st.text(max_size=8)
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(scalars.map(str), inner, max_size=3)
    ),
    max_leaves=8,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@given(st.sampled_from(EXAMPLES), st.data(), values, st.booleans())
def test_the_fast_check_never_passes_what_jsonschema_rejects(
    path: Path, draw: st.DataObject, replacement: Any, remove: bool
) -> None:
    data = copy.deepcopy(load_file(path).data)
    where = draw.draw(st.sampled_from(_paths(data)[1:]))
    parent = data
    for part in where[:-1]:
        parent = parent[part]
    if remove:
        del parent[where[-1]]
    else:
        parent[where[-1]] = replacement
    schema_file = _schema_file(load_file(path).data)
    check = valid_checker(schema_file)
    assert check is not None
    if check(data):
        assert validator(schema_file).is_valid(data)
