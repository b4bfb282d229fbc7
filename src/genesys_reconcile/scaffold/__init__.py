"""What `reconcile init` writes: a configuration repository to start from.

One commented example per registered kind, in the kind's directory; reconcile.yaml; copies of
the schemas; .gitignore; the plan, apply and drift workflows on the published action; the
pre-commit hook. The files ship inside the package (examples/ and templates/ beside this
module), so an installed tool scaffolds without the source checkout.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from genesys_reconcile import __version__
from genesys_reconcile.errors import ConfigError, ReconcileError
from genesys_reconcile.kinds import DIRECTORIES, KINDS
from genesys_reconcile.manifest.emit import modeline
from genesys_reconcile.manifest.schema import schema_dir

_HERE = files(__name__)
CONFIG_SCHEMA = "reconcile-config.schema.json"
# Where this project's action and pre-commit hook are published; `init --action` names
# another host or ref. The ref is the release tag of the version that writes the files, so
# the workflows install the tool their files were written for.
DEFAULT_ACTION = f"OWNER/genesys-reconcile@v{__version__}"
_ACTION = re.compile(r"([A-Za-z0-9][\w.-]*/[\w.-]+)@([\w./-]+)")

# Template (under templates/) -> where it goes in the repository.
_TEMPLATES = {
    "reconcile.yaml": "reconcile.yaml",
    "gitignore": ".gitignore",
    "pre-commit-config.yaml": ".pre-commit-config.yaml",
    "workflows/plan.yml": ".github/workflows/plan.yml",
    "workflows/apply.yml": ".github/workflows/apply.yml",
    "workflows/drift.yml": ".github/workflows/drift.yml",
    "zizmor.yml": ".github/zizmor.yml",
    "dependabot.yml": ".github/dependabot.yml",
}


@dataclass(frozen=True)
class Action:
    """The published action the workflows run, and the repository that hosts its hook."""

    repository: str  # OWNER/NAME
    ref: str  # a release tag, or a commit SHA

    def __str__(self) -> str:
        return f"{self.repository}@{self.ref}"


def action_of(text: str) -> Action:
    found = _ACTION.fullmatch(text)
    if not found:
        example = f"{text.partition('@')[0] or 'OWNER/genesys-reconcile'}@v{__version__}"
        raise ConfigError(f"--action {text}: give OWNER/NAME@REF, such as {example}")
    return Action(found[1], found[2])


def examples() -> dict[str, Traversable]:
    """Each kind's example file, by kind name: the one file in examples/<kind>/."""
    found: dict[str, Traversable] = {}
    for folder in (_HERE / "examples").iterdir():
        if folder.is_dir():
            (example,) = (f for f in folder.iterdir() if f.name.endswith(".yaml"))
            found[folder.name] = example
    return found


def repository(action: Action) -> dict[str, str]:
    """Every file `init` writes, by its path relative to the repository's root (with `/`)."""
    written = {**_kind_examples(), **_schemas()}
    for template, target in _TEMPLATES.items():
        written[target] = _filled((_HERE / "templates" / template).read_text("utf-8"), action)
    written["reconcile.yaml"] = (
        modeline("reconcile.yaml", CONFIG_SCHEMA) + written["reconcile.yaml"]
    )
    return dict(sorted(written.items()))


class WouldOverwrite(ReconcileError):
    """Files already stand where init would write its own."""

    def __init__(self, paths: list[str]) -> None:
        count = f"{len(paths)} existing file{'s' if len(paths) > 1 else ''}"
        them = "them" if len(paths) > 1 else "it"
        super().__init__(
            f"init would overwrite {count}, listed above; move {them} away or run init --force"
        )
        self.preface = "\n".join(f"  {path}" for path in paths)


class CannotWrite(ReconcileError):
    """The file system refused a directory or a file init writes."""


def in_the_way(root: Path, paths: list[str]) -> list[str]:
    """What under `root` stands where `paths` would be written: a path that exists, or a file
    where a directory on the way to one must be."""
    found: list[str] = []
    for path in paths:
        parts = path.split("/")
        steps = ["/".join(parts[: end + 1]) for end in range(len(parts))]
        blocking = [s for s in steps[:-1] if (root / s).is_file()]
        if (root / path).exists():
            blocking.append(path)
        found.extend(step for step in blocking if step not in found)
    return found


def write(root: Path, written: dict[str, str], force: bool = False) -> None:
    """Write every file, or, unless `force`, none if any would overwrite what exists."""
    blocking = in_the_way(root, list(written))
    if blocking and not force:
        raise WouldOverwrite(blocking)
    try:
        root.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        message = f"cannot make {root}: {exc.strerror}; name a directory init can write in"
        raise CannotWrite(message) from exc
    for path, text in written.items():
        target = root / path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        except OSError as exc:
            # The files before it are written: a second run has to write over them.
            message = f"cannot write {target}: {exc.strerror}; fix that, then run init --force"
            raise CannotWrite(message) from exc


def _kind_examples() -> dict[str, str]:
    templates = examples()
    return {
        f"{kind.directory}/{templates[name].name}": modeline(
            f"{kind.directory}/{templates[name].name}", kind.schema_file
        )
        + templates[name].read_text("utf-8")
        for name, kind in KINDS.items()
        if kind.directory  # a kind with no directory of its own has no place to start from
    }


def _schemas() -> dict[str, str]:
    # The repository gets copies of the installed tool's schemas, and its modelines point at
    # them relatively: editors then check files offline, in any clone, on any machine, where a
    # path into this installation's site-packages would hold only here, and a URL would need
    # the network and could name schemas of another version. `validate` reads the installed
    # schemas, so a copy left behind by an upgrade misleads editors only.
    needed = sorted({kind.schema_file for kind in KINDS.values()} | {CONFIG_SCHEMA})
    return {f"schemas/{name}": (schema_dir() / name).read_text("utf-8") for name in needed}


def watched() -> list[str]:
    """What a plan is made from, as workflow path filters: each kind's directory, the schemas,
    the settings and the ownership record."""
    files = ["schemas/**", "reconcile.yaml", "reconcile.owned.yaml"]
    return [f"{directory}/**" for directory in DIRECTORIES] + files


def _filled(template: str, action: Action) -> str:
    paths = watched()
    replacements = {
        "__PATHS__": f"[{', '.join(paths)}]",
        "__ACTION_REPOSITORY__": action.repository,
        "__ACTION_URL__": f"https://github.com/{action.repository}",
        "__ACTION_REF__": action.ref,
        "__ACTION__": str(action),
    }
    for placeholder, value in replacements.items():
        template = template.replace(placeholder, value)
    return template
