"""The package's layers: every import points down the order its docstring declares.

Imports are read from the source (every `import` and `from`, at the top of a module or inside a
function, and `importlib.import_module` of a literal name), so an import moved into a function
to dodge a cycle still counts.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import genesys_reconcile

PACKAGE = "genesys_reconcile"
SOURCE = Path(genesys_reconcile.__file__).resolve().parent
HEADING = "bottom to top"


def declared_layers() -> list[list[str]]:
    """The layers in the package docstring, bottom first: each indented line is
    `unit, unit: what they are`."""
    doc = genesys_reconcile.__doc__ or ""
    assert HEADING in doc, "the package docstring declares no layers"
    lines = doc.split(HEADING, 1)[1].splitlines()
    return [
        [unit.strip() for unit in line.split(":", 1)[0].split(",")]
        for line in lines
        if line.startswith("    ") and ":" in line
    ]


def units() -> set[str]:
    """The package's top-level modules and subpackages."""
    found = {p.stem for p in SOURCE.glob("*.py") if p.stem != "__init__"}
    return found | {p.parent.name for p in SOURCE.glob("*/__init__.py")}


def layer_of() -> dict[str, int]:
    return {unit: index for index, layer in enumerate(declared_layers()) for unit in layer}


@dataclass(frozen=True)
class Import:
    module: str  # the importing module, dotted
    line: str  # path:line of the import
    target: str  # the imported module or name, dotted and absolute


def module_name(path: Path) -> str:
    parts = path.relative_to(SOURCE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(path: Path) -> Iterator[Import]:
    module = module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        where = f"{path.relative_to(SOURCE.parent.parent)}:{getattr(node, 'lineno', 0)}"
        for target in targets(node, package):
            if target == PACKAGE or target.startswith(PACKAGE + "."):
                yield Import(module, where, target)


def targets(node: ast.AST, package: str) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        base = node.module or ""
        if node.level:
            anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
            base = ".".join([*anchor, *([node.module] if node.module else [])])
        # `from genesys_reconcile import log` imports the module `log`
        return [f"{base}.{alias.name}" for alias in node.names]
    if isinstance(node, ast.Call) and _called(node) in ("import_module", "__import__"):
        return [a.value for a in node.args[:1] if isinstance(a, ast.Constant)]
    return []


def _called(call: ast.Call) -> str:
    func = call.func
    return func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")


def unit_of(dotted: str) -> str | None:
    """The top-level module or subpackage `dotted` lies in; None for the package itself (as in
    `from genesys_reconcile import __version__`)."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 and parts[1] in units() else None


def test_every_module_and_package_stands_in_exactly_one_layer() -> None:
    declared = [unit for layer in declared_layers() for unit in layer]
    twice = sorted({unit for unit in declared if declared.count(unit) > 1})
    assert not twice, f"declared in more than one layer: {twice}"
    assert sorted(units() - set(declared)) == [], "add these to the layers in __init__.py"
    assert sorted(set(declared) - units()) == [], "declared, but no such module"


def test_every_import_points_down() -> None:
    layers = layer_of()
    upward = []
    for path in sorted(SOURCE.rglob("*.py")):
        for found in imports(path):
            source, target = unit_of(found.module), unit_of(found.target)
            if source is None:  # the package itself imports nothing of its own
                upward.append(f"{found.line}: the package imports {found.target}")
            elif target is not None and target != source:
                below = layers.get(target, len(layers)) < layers.get(source, -1)
                if not below:
                    upward.append(f"{found.line}: {source} imports {found.target}, not below it")
    assert upward == [], "\n".join(upward)


def test_the_check_sees_imports_inside_functions_and_relative_ones() -> None:
    # The reader the test above relies on, shown to see what a lazy or relative import hides.
    code = (
        "from .. import cli\n"
        "def later():\n"
        "    import genesys_reconcile.plan.run\n"
        "    importlib.import_module('genesys_reconcile.apply')\n"
    )
    module = SOURCE / "kinds" / "base.py"
    found = [
        target
        for node in ast.walk(ast.parse(code))
        for target in targets(node, module_name(module).rpartition(".")[0])
    ]

    assert found == [
        "genesys_reconcile.cli",
        "genesys_reconcile.plan.run",
        "genesys_reconcile.apply",
    ]
