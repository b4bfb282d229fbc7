"""JSON Schema validation, with errors a person understands, placed at the offending node."""

from __future__ import annotations

import difflib
import functools
import json
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from genesys_reconcile.manifest.diagnostics import Finding
from genesys_reconcile.manifest.yaml import JsonPath

_PACKAGE = Path(__file__).resolve().parents[1]


def schema_dir() -> Path:
    """`schemas/` inside an installed wheel, or at the root of a source checkout."""
    bundled = _PACKAGE / "schemas"
    return bundled if bundled.is_dir() else _PACKAGE.parents[1] / "schemas"


@functools.cache
def validator(schema_file: str) -> Draft202012Validator:
    schema = json.loads((schema_dir() / schema_file).read_text(encoding="utf-8"))
    return Draft202012Validator(_inline_refs(schema, schema.get("$defs", {})))


def _inline_refs(node: Any, defs: Mapping[str, Any]) -> Any:
    """The schema with each local `#/$defs/x` reference replaced by its definition: resolving
    references is a third of jsonschema's time on our files, and ours are never recursive."""
    if isinstance(node, dict):
        ref = node.get("$ref", "")
        if ref.startswith("#/$defs/"):
            return _inline_refs(defs[ref.removeprefix("#/$defs/")], defs)
        return {key: _inline_refs(value, defs) for key, value in node.items()}
    if isinstance(node, list):
        return [_inline_refs(value, defs) for value in node]
    return node


def schema_findings(schema_file: str, data: Any) -> list[Finding]:
    """Every way `data` breaks the schema, one finding per offending node."""
    findings: dict[Finding, None] = {}  # ordered, without repeats: `required` errs once per name
    for error in validator(schema_file).iter_errors(data):
        findings.update(dict.fromkeys(_explain(error)))
    return list(findings)


def _explain(error: ValidationError) -> Iterator[Finding]:
    path: JsonPath = tuple(error.absolute_path)
    keyword = error.validator
    expected: Any = error.validator_value
    value: Any = error.instance
    if "propertyNames" in error.relative_schema_path:
        # jsonschema reports a bad key at its parent, with the key as the instance.
        yield Finding((*path, value), f"'{value}' {_pattern_message(error)}")
    elif keyword == "required":
        for name in expected:
            if isinstance(value, dict) and name not in value:
                yield Finding(path, f"missing required property '{name}'")
    elif keyword == "additionalProperties":
        known = sorted(_schema(error).get("properties", {}))
        for name in sorted(set(value) - set(known)) if known else []:
            yield Finding((*path, name), f"unknown property '{name}'{_suggest(name, known)}")
    elif keyword == "type":
        yield Finding(path, f"expected {_types(expected)}, found {_describe(value)}")
    else:
        yield Finding(path, _message(error, keyword, expected, value))


def _message(error: ValidationError, keyword: Any, expected: Any, value: Any) -> str:
    messages = {
        "enum": lambda: (
            f"{_show(value)} is not one of: {', '.join(map(str, expected))}"
            + _suggest(str(value), [str(e) for e in expected])
        ),
        "const": lambda: f"must be {_show(expected)}, found {_show(value)}",
        "minLength": lambda: (
            "must not be empty" if expected == 1 else f"must have at least {expected} characters"
        ),
        "maxLength": lambda: f"is {len(value)} characters long; at most {expected} allowed",
        "minItems": lambda: (
            "must not be an empty list" if expected == 1 else f"must list at least {expected} items"
        ),
        "maxItems": lambda: f"lists {len(value)} items; at most {expected} allowed",
        "minProperties": lambda: (
            f"must set at least one of: {', '.join(sorted(_schema(error).get('properties', {})))}"
            if _schema(error).get("properties")
            else "must not be empty"
        ),
        "uniqueItems": lambda: f"{_duplicate(value)} appears more than once",
        "pattern": lambda: f"{_show(value)} {_pattern_message(error)}",
        "minimum": lambda: f"must be at least {expected}, found {value}",
        "maximum": lambda: f"must be at most {expected}, found {value}",
    }
    explain = messages.get(keyword)
    return explain() if explain else error.message


def _schema(error: ValidationError) -> Mapping[str, Any]:
    schema = error.schema
    return schema if isinstance(schema, Mapping) else {}


def _pattern_message(error: ValidationError) -> str:
    # The same custom message editors show (VS Code's JSON/YAML language servers read it).
    return str(
        _schema(error).get("patternErrorMessage", f"does not match {_schema(error).get('pattern')}")
    )


def _suggest(word: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(word, choices, n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def _duplicate(items: list[Any]) -> str:
    seen: list[Any] = []
    for item in items:
        if item in seen:
            return _show(item)
        seen.append(item)
    return "a value"


_TYPE_NAMES = {
    "string": "text",
    "number": "a number",
    "integer": "a whole number",
    "boolean": "true or false",
    "object": "a mapping",
    "array": "a list",
    "null": "nothing",
}


def _types(expected: str | list[str]) -> str:
    names = [_TYPE_NAMES.get(t, t) for t in ([expected] if isinstance(expected, str) else expected)]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _describe(value: Any) -> str:
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {_show(value)}"
    return "a list" if isinstance(value, list) else "a mapping"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return repr(value if len(value) <= 60 else value[:57] + "...")
    return json.dumps(value)
