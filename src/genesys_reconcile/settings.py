"""Settings: flags > environment > `reconcile.yaml` > defaults.

`reconcile.yaml` is optional and read with the same safe loader and schema checks as the
desired-state files, so a typo in it is an error naming its line, not a silently ignored key.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from genesys_reconcile.errors import ConfigError, ManifestError
from genesys_reconcile.manifest.schema import schema_findings
from genesys_reconcile.manifest.yaml import Document, load_file
from genesys_reconcile.text_safety import visible

CONFIG_FILE = "reconcile.yaml"


@dataclass(frozen=True)
class Settings:
    root: Path
    paths: tuple[Path, ...]
    config_file: Path | None = None
    region: str | None = None
    rate_limit: float | None = None  # requests a minute the client allows itself
    concurrency: int | None = None
    safety: Mapping[str, float] = field(default_factory=dict)  # updates, deletes, minExisting
    webhook_url: str | None = None
    webhook_secret_env: str = "RECONCILE_WEBHOOK_SECRET"  # noqa: S105 (a variable name)
    kinds: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)  # each kind's section
    notices: tuple[str, ...] = ()  # deprecated spellings found, each with the new one

    def options(self, kind: str) -> Mapping[str, Any]:
        """A kind's own section of `kinds:`; a kind reads nothing else of the settings file."""
        return self.kinds.get(kind, {})


def load_settings(
    config_file: Path | None = None, cwd: Path | None = None, default_paths: Sequence[str] = ()
) -> Settings:
    """Settings from `config_file`, else from `reconcile.yaml` in `cwd` when there is one.

    `default_paths` are where files live when reconcile.yaml names no paths: the kinds'
    directories, which the caller knows (this layer knows no kind)."""
    cwd = cwd or Path.cwd()
    if config_file is None and (cwd / CONFIG_FILE).is_file():
        config_file = cwd / CONFIG_FILE
    if config_file is None:
        # A repository may manage only one kind: default directories that are absent are
        # skipped, unless all are (then the error names them).
        defaults = tuple(cwd / p for p in default_paths)
        return Settings(root=cwd, paths=tuple(p for p in defaults if p.exists()) or defaults)
    if not config_file.is_file():
        raise ConfigError(f"configuration file not found: {config_file}")
    document = _read_config(config_file)
    data = document.data
    root = config_file.parent
    kinds, notices = _kind_sections(document)
    api = data.get("api", {})
    return Settings(
        root=root,
        paths=tuple(root / p for p in data.get("paths", default_paths)),
        config_file=config_file,
        region=data.get("region"),
        rate_limit=api.get("rateLimitPerMinute"),
        concurrency=api.get("concurrency"),
        safety=dict(data.get("safety", {})),
        webhook_url=data.get("webhook", {}).get("url"),
        webhook_secret_env=data.get("webhook", {}).get("secretEnv", "RECONCILE_WEBHOOK_SECRET"),
        kinds=kinds,
        notices=notices,
    )


def _kind_sections(document: Document) -> tuple[dict[str, dict[str, Any]], tuple[str, ...]]:
    """Each kind's section, with the older `segments:` spelling read into AnalyticsSegment's
    (the new spelling wins where both say something), and a notice for it."""
    kinds = {name: dict(section) for name, section in document.data.get("kinds", {}).items()}
    legacy = document.data.get("segments")
    if legacy is None:
        return kinds, ()
    kinds["AnalyticsSegment"] = {**legacy, **kinds.get("AnalyticsSegment", {})}
    notice = (
        f"{document.locate(('segments',))}: warning: `segments:` is deprecated; write it as "
        "`kinds: {AnalyticsSegment: {fields: ...}}`"
    )
    return kinds, (notice,)


def _read_config(path: Path) -> Document:
    try:
        document = load_file(path)
    except ManifestError as exc:
        raise ConfigError(exc.message, exc.location) from None
    findings = schema_findings("reconcile-config.schema.json", document.data)
    if findings:
        # Every finding, each on a line of its own; the error itself is one line.
        lines = [f"{document.locate(f.path)}: {visible(f.message)}" for f in findings]
        error = ConfigError(lines[-1])
        error.preface = "\n".join(f"error: {line}" for line in lines[:-1])
        raise error
    return document
