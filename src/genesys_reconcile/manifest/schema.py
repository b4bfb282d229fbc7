"""JSON Schema validation, with errors a person understands, placed at the offending node."""

from __future__ import annotations

import difflib
import functools
import json
import numbers
import re
from collections.abc import Callable, Iterator, Mapping
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
    return Draft202012Validator(_schema_of(schema_file))


@functools.cache
def _schema_of(schema_file: str) -> Any:
    schema = json.loads((schema_dir() / schema_file).read_text(encoding="utf-8"))
    return _inline_refs(schema, schema.get("$defs", {}))


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
    check = valid_checker(schema_file)
    if check is not None and check(data):
        return []  # most files are valid: jsonschema would walk them only to find nothing
    findings: dict[Finding, None] = {}  # ordered, without repeats: `required` errs once per name
    for error in validator(schema_file).iter_errors(data):
        findings.update(dict.fromkeys(_explain(error)))
    return list(findings)


# --- a fast check for valid documents ----------------------------------------------------------
#
# jsonschema spends most of its time on its generality (a validator object per subschema), not on
# checking. A schema of the keywords below compiles to plain functions that say whether a
# document is valid. They answer True only when jsonschema would find no error; when unsure (a
# value of an unusual type, say) they answer False and jsonschema decides, so any invalid
# document is still explained by jsonschema alone.

Check = Callable[[Any], bool]

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$defs", "$comment", "title", "description", "default", "examples"}
)
# Without a format checker, jsonschema treats `format` as an annotation too.
_IGNORED = _ANNOTATIONS | {"format", "patternErrorMessage"}
_OBJECT = (
    "properties",
    "additionalProperties",
    "required",
    "propertyNames",
    "minProperties",
    "maxProperties",
)
_ARRAY = ("items", "minItems", "maxItems", "uniqueItems")
_STRING = ("minLength", "maxLength", "pattern")
_NUMBER = ("minimum", "maximum")
_BRANCHES = ("allOf", "if", "then", "else")
_KNOWN = _IGNORED | {"type", "enum", "const", *_OBJECT, *_ARRAY, *_STRING, *_NUMBER, *_BRANCHES}
# The keywords an `if` may use: their checks answer exactly (never False when unsure), so the
# branch they choose is the one jsonschema chooses.
_EXACT = frozenset({"type", "const", "enum", "properties", "required"})
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),  # 3.0 is an integer too: left to jsonschema, as any unsure answer
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "null": (type(None),),
}


class _Unsupported(Exception):
    """A schema this compiler does not know: jsonschema checks every document."""


@functools.cache
def valid_checker(schema_file: str) -> Check | None:
    """A function saying whether a document is certainly valid, or None when the schema uses a
    keyword it does not know."""
    try:
        return _compiled(_schema_of(schema_file))
    except _Unsupported:
        return None


def _compiled(schema: Any) -> Check:
    if schema is True or schema is False:
        return lambda _: bool(schema)
    if not isinstance(schema, dict) or not schema.keys() <= _KNOWN:
        raise _Unsupported
    checks = [
        make(schema)
        for keywords, make in _COMPILERS
        if any(keyword in schema for keyword in keywords)
    ]
    return functools.reduce(_both, checks) if checks else lambda _: True


def _both(first: Check, second: Check) -> Check:
    # Chained calls rather than all() over a generator: this runs for every node of every file.
    return lambda value: first(value) and second(value)


def _type_check(schema: dict[str, Any]) -> Check:
    names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
    if not all(name in _TYPES for name in names):
        raise _Unsupported
    # Exact types: bool is no number, and a subclass is left to jsonschema.
    allowed = frozenset(t for name in names for t in _TYPES[name])
    return lambda value: type(value) in allowed


def _value_check(schema: dict[str, Any]) -> Check:
    choices = [schema["const"]] if "const" in schema else list(schema["enum"])
    if "const" in schema and "enum" in schema:
        raise _Unsupported
    if not all(type(c) in _SCALARS for c in choices):
        raise _Unsupported
    # A value and its type: true is not 1, and 1 is 1.0, as jsonschema compares them.
    keys = frozenset(_scalar_key(c) for c in choices)
    return lambda value: type(value) in _SCALARS and _scalar_key(value) in keys


_SCALARS = (str, int, float, bool, type(None))


def _scalar_key(value: Any) -> tuple[bool, Any]:
    return (type(value) is bool, value)


def _object_check(schema: dict[str, Any]) -> Check:
    properties = {name: _compiled(sub) for name, sub in schema.get("properties", {}).items()}
    additional = schema.get("additionalProperties", True)
    extra = None if additional is True else _compiled(additional)
    names = _compiled(schema["propertyNames"]) if "propertyNames" in schema else None
    required = frozenset(schema.get("required", ()))
    least, most = schema.get("minProperties", 0), schema.get("maxProperties")

    def check(value: Any) -> bool:
        if type(value) is not dict:
            return not isinstance(value, dict)
        if len(value) < least or not required <= value.keys():
            return False
        if most is not None and len(value) > most:
            return False
        for key, item in value.items():
            if names is not None and not names(key):
                return False
            known = properties.get(key)
            if known is not None:
                if not known(item):
                    return False
            elif extra is not None and not extra(item):
                return False
        return True

    return check


def _array_check(schema: dict[str, Any]) -> Check:
    each = _compiled(schema["items"]) if "items" in schema else None
    least, most = schema.get("minItems", 0), schema.get("maxItems")
    unique = schema.get("uniqueItems", False)

    def check(value: Any) -> bool:
        if type(value) is not list:
            return not isinstance(value, list)
        if len(value) < least or (most is not None and len(value) > most):
            return False
        if unique and not _distinct(value):
            return False
        if each is not None:
            for item in value:
                if not each(item):
                    return False
        return True

    return check


def _distinct(items: list[Any]) -> bool:
    """Whether no two items are equal; False also when unsure (lists, or true beside 1)."""
    if not all(type(item) in _SCALARS for item in items):
        return False
    return len(set(items)) == len(items)


def _string_check(schema: dict[str, Any]) -> Check:
    least, most = schema.get("minLength", 0), schema.get("maxLength")
    pattern = re.compile(schema["pattern"]) if "pattern" in schema else None

    def check(value: Any) -> bool:
        if type(value) is not str:
            return not isinstance(value, str)
        if len(value) < least or (most is not None and len(value) > most):
            return False
        return pattern is None or pattern.search(value) is not None

    return check


def _number_check(schema: dict[str, Any]) -> Check:
    low, high = schema.get("minimum"), schema.get("maximum")

    def check(value: Any) -> bool:
        if type(value) not in (int, float):
            # bool is no number to JSON Schema; another kind of number is left to jsonschema.
            return type(value) is bool or not isinstance(value, numbers.Number)
        return (low is None or value >= low) and (high is None or value <= high)

    return check


def _branch_check(schema: dict[str, Any]) -> Check:
    every = [_compiled(sub) for sub in schema.get("allOf", [])]
    if "if" in schema:
        if not _exact(schema["if"]):
            raise _Unsupported
        condition = _compiled(schema["if"])
        then, otherwise = (_compiled(schema.get(k, True)) for k in ("then", "else"))
        every.append(lambda value: then(value) if condition(value) else otherwise(value))
    return lambda value: all(check(value) for check in every)


def _exact(schema: Any) -> bool:
    if not isinstance(schema, dict) or not schema.keys() <= _EXACT:
        return False
    return all(_exact(sub) for sub in schema.get("properties", {}).values())


_COMPILERS: tuple[tuple[tuple[str, ...], Callable[[dict[str, Any]], Check]], ...] = (
    (("type",), _type_check),
    (("enum", "const"), _value_check),
    (_OBJECT, _object_check),
    (_ARRAY, _array_check),
    (_STRING, _string_check),
    (_NUMBER, _number_check),
    (("allOf", "if"), _branch_check),
)


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
