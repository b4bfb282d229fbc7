"""The loader: strict YAML, positions for every value, and hostile input refused with a clear
error (each case asserts the error, not how long it took)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from genesys_reconcile.errors import ManifestError
from genesys_reconcile.manifest.yaml import (
    _FLOAT,
    _INT,
    _SPECIAL_FLOAT,
    MAX_FILE_BYTES,
    load_bytes,
    load_file,
    load_text,
)


def _error(text: str | bytes) -> str:
    with pytest.raises(ManifestError) as caught:
        load_bytes(text.encode() if isinstance(text, str) else text, "f.yaml")
    return str(caught.value)


def test_scalars_follow_yaml_1_2_so_region_codes_and_dates_stay_text() -> None:
    data = load_text(
        "region: [NO, yes, on, Off, y]\nwhen: 2024-07-01T00:00:00Z\nday: 2024-07-01\n"
        "flags: [true, False]\nnumbers: [1, -2, 0x1F, 0o17, 1.5, 1e3]\nnothing: ~\n"
        "quoted: ['1', \"true\", '~']\nversion: 1_000\ntime: 1:30\n",
        "f.yaml",
    ).data
    assert data == {
        "region": ["NO", "yes", "on", "Off", "y"],
        "when": "2024-07-01T00:00:00Z",
        "day": "2024-07-01",
        "flags": [True, False],
        "numbers": [1, -2, 31, 15, 1.5, 1000.0],
        "nothing": None,
        "quoted": ["1", "true", "~"],
        "version": "1_000",
        "time": "1:30",
    }


def test_every_key_and_item_knows_its_line_and_column() -> None:
    document = load_text(
        "kind: X\nquery:\n  predicates:\n    - {field: a}\n    - field: b\n  groupBy: [q, r]\n",
        "f.yaml",
    )
    assert document.positions == {
        (): (1, 1),
        ("kind",): (1, 1),
        ("query",): (2, 1),
        ("query", "predicates"): (3, 3),
        ("query", "predicates", 0): (4, 7),
        ("query", "predicates", 0, "field"): (4, 8),
        ("query", "predicates", 1): (5, 7),
        ("query", "predicates", 1, "field"): (5, 7),
        ("query", "groupBy"): (6, 3),
        ("query", "groupBy", 0): (6, 13),
        ("query", "groupBy", 1): (6, 16),
    }
    assert str(document.locate(("query", "groupBy", 7, "deeper"))) == "f.yaml:6:3"


def test_values_reached_through_an_alias_are_copies_located_at_the_alias() -> None:
    document = load_text("a: &x {q: [1]}\nb: *x\n", "f.yaml")
    assert document.data == {"a": {"q": [1]}, "b": {"q": [1]}}
    document.data["b"]["q"].append(2)
    assert document.data["a"] == {"q": [1]}
    assert str(document.locate(("b", "q", 0))) == "f.yaml:2:1"


BILLION_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(8)
)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param(
            "a: 1\nb: 2\na: 3\n",
            "f.yaml:3:1: duplicate key 'a' (first defined on line 1); YAML would silently keep only the last one",
            id="duplicate-key",
        ),
        pytest.param(
            "a:\n  b: 1\n  'b': 2\n",
            "f.yaml:3:3: duplicate key 'b' (first defined on line 2); YAML would silently keep only the last one",
            id="nested-duplicate-key",
        ),
        pytest.param(
            BILLION_LAUGHS,
            "f.yaml:6:8: the document expands to more than 100,000 values through aliases",
            id="billion-laughs",
        ),
        pytest.param(
            "a: [" + "1, " * 100_000 + "1]\n",
            "f.yaml:1:300002: the document holds more than 100,000 values",
            id="too-many-values",
        ),
        pytest.param(
            "a: &a [1, *a]\n",
            "f.yaml:1:11: alias *a refers to a value that contains it",
            id="recursive-alias",
        ),
        pytest.param(
            "a: *nowhere\n",
            "f.yaml:1:4: alias *nowhere has no anchor &nowhere before it",
            id="undefined-alias",
        ),
        pytest.param(
            "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
            "f.yaml:1:67: nesting is deeper than 64 levels",
            id="deep-nesting",
        ),
        pytest.param(
            "", "f.yaml:1:1: file is empty; expected a mapping with kind and name", id="empty"
        ),
        pytest.param(
            "# only a comment\n\n",
            "f.yaml:1:1: file is empty; expected a mapping with kind and name",
            id="comments-only",
        ),
        pytest.param(
            "---\n...\n",
            "f.yaml:1:1: file is empty; expected a mapping with kind and name",
            id="empty-document",
        ),
        pytest.param(
            "a: 1\n---\nb: 2\n",
            "f.yaml:2:1: a file holds one resource, but a second YAML document starts here",
            id="two-documents",
        ),
        pytest.param(
            "- a\n- b\n",
            "f.yaml:1:1: the top level must be a mapping (kind, name, ...), not a list",
            id="top-level-list",
        ),
        pytest.param(
            "just text\n",
            "f.yaml:1:1: the top level must be a mapping (kind, name, ...), not the text 'just text'",
            id="top-level-scalar",
        ),
        pytest.param(
            "a: !!python/object/apply:os.system [ls]\n",
            "f.yaml:1:4: YAML tag '!!python/object/apply:os.system' is not allowed; write plain values",
            id="python-tag",
        ),
        pytest.param(
            "a: !!binary aGVsbG8=\n",
            "f.yaml:1:4: YAML tag '!!binary' is not allowed; write plain values",
            id="binary-tag",
        ),
        pytest.param(
            "a: !custom x\n",
            "f.yaml:1:4: YAML tag '!custom' is not allowed; write plain values",
            id="local-tag",
        ),
        pytest.param(
            "a: !!int abc\n", "f.yaml:1:4: 'abc' is not a valid int", id="bad-explicit-int"
        ),
        pytest.param(
            "? [a, b]\n: 1\n",
            "f.yaml:1:3: a mapping key must be a plain value, not a list or mapping",
            id="complex-key",
        ),
        pytest.param("a: .inf\n", "f.yaml:1:4: '.inf' is not a finite number", id="infinity"),
        pytest.param("a: .NaN\n", "f.yaml:1:4: '.NaN' is not a finite number", id="nan"),
        pytest.param(
            "a: 1e999\n", "f.yaml:1:4: '1e999' is not a finite number", id="overflowing-float"
        ),
        pytest.param(
            "a: " + "9" * 5000 + "\n", "f.yaml:1:4: number is too long", id="huge-integer"
        ),
        pytest.param(
            "a: [1, 2\nb: 3\n",
            "f.yaml:2:2: invalid YAML: did not find expected ',' or ']'",
            id="syntax",
        ),
        pytest.param(
            "a:\n\tb: 1\n",
            "f.yaml:2:1: invalid YAML: a tab cannot indent YAML; use spaces",
            id="tab-indent",
        ),
        pytest.param(
            "a: 1\nb: x\x00y\n",
            "f.yaml:2:5: invalid YAML: character U+0000 is not allowed in YAML",
            id="nul-byte",
        ),
        pytest.param(
            b"a: 1\nb: caf\xe9\n",
            "f.yaml:2:7: file is not UTF-8: byte 0xe9 cannot be decoded",
            id="latin-1",
        ),
        pytest.param(
            "a: 1\n".encode("utf-16"),
            "f.yaml:1:1: file is not UTF-8: byte 0xff cannot be decoded",
            id="utf-16",
        ),
    ],
)
def test_hostile_or_broken_input_is_refused_with_its_place(text: str | bytes, message: str) -> None:
    assert _error(text) == message


def test_a_file_over_the_size_cap_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "big.yaml"
    path.write_text("a: [" + "1, " * (MAX_FILE_BYTES // 3) + "1]\n", encoding="utf-8")
    with pytest.raises(ManifestError, match=r"big\.yaml:1:1: file is larger than 1024 KiB"):
        load_file(path)


@pytest.mark.parametrize("size", [MAX_FILE_BYTES // 16, MAX_FILE_BYTES // 16 + 1, MAX_FILE_BYTES])
def test_a_file_up_to_the_size_cap_is_read_whole(tmp_path: Path, size: int) -> None:
    path = tmp_path / "long.yaml"
    path.write_text("a: " + "x" * (size - 4) + "\n", encoding="utf-8")
    assert len(load_file(path).data["a"]) == size - 4


def test_an_unreadable_path_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(ManifestError, match="cannot read file: Is a directory"):
        load_file(tmp_path)


def test_a_byte_order_mark_is_accepted() -> None:
    assert load_bytes(b"\xef\xbb\xbfa: 1\n", "f.yaml").data == {"a": 1}


# Any JSON-shaped value that PyYAML writes comes back unchanged: the loader keeps text as text
# (PyYAML quotes strings that YAML 1.1 would read as something else) and numbers as numbers.
# Left out: lone surrogates, which no UTF-8 file holds; NEL and the Unicode line separators,
# which PyYAML's emitter writes raw and every parser (PyYAML's too) reads as breaks; and text
# that YAML 1.2 reads as a number but YAML 1.1 does not (`0E0`, `0o17`), which PyYAML's 1.1
# emitter leaves unquoted.
text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x85\u2028\u2029"), max_size=30
).filter(lambda t: not (_INT.fullmatch(t) or _FLOAT.fullmatch(t) or _SPECIAL_FLOAT.fullmatch(t)))
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**18), max_value=10**18)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
documents = st.dictionaries(
    text,
    st.recursive(
        scalars,
        lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
        max_leaves=20,
    ),
    min_size=1,
    max_size=6,
)


@given(documents, st.booleans())
def test_what_pyyaml_writes_loads_back_unchanged(data: dict[str, Any], flow: bool) -> None:
    dumped = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True)
    assert load_text(dumped, "f.yaml").data == data


DEEP = 1_100  # beyond libyaml's own limit (1,000 levels from 0.2.6), as well as ours


@pytest.mark.parametrize(
    ("text", "place"),
    [
        pytest.param("a: " + "[" * DEEP + "]" * DEEP + "\n", "1:67", id="flow-on-one-line"),
        pytest.param("a: " + "{b: " * DEEP + "1" + "}" * DEEP + "\n", "1:256", id="flow-mappings"),
        pytest.param("a: " + "[\n " * DEEP + "]" * DEEP + "\n", "64:2", id="flow-on-many-lines"),
        pytest.param(
            "".join(" " * i + f"k{i}:\n" for i in range(DEEP)) + " " * DEEP + "x: 1\n",
            "65:65",
            id="block-mappings",
        ),
        pytest.param(
            "a:\n" + "".join(" " * i + "-\n" for i in range(DEEP)) + "\n",
            "65:64",
            id="block-sequences",
        ),
    ],
)
# libyaml's parser where PyYAML was built with it, and the pure-Python one, always present.
@pytest.mark.parametrize("parser", [p for p in ("CSafeLoader", "SafeLoader") if hasattr(yaml, p)])
def test_nesting_beyond_our_limit_is_refused_at_our_limit_by_either_parser(
    text: str, place: str, parser: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libyaml has a limit of its own, and may reach it while reading ahead, before it yields
    the events ours counts; PyYAML without libyaml has none. Either way the limit is ours."""
    monkeypatch.setattr("genesys_reconcile.manifest.yaml._Parser", getattr(yaml, parser))
    assert _error(text) == f"f.yaml:{place}: nesting is deeper than 64 levels"
