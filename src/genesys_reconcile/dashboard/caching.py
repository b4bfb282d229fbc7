"""Where the dashboard keeps analytics answers: on disk, as `reconcile preview` does, or in a
Redis server that several dashboards share."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from genesys_reconcile.errors import ConfigError
from genesys_reconcile.preview.cache import DIRECTORY, AnswerCache, Cache

SCHEMES = ("redis", "rediss")


def answer_cache(
    url: str | None, root: Path, ttl: float, warn: Callable[[str], None]
) -> AnswerCache:
    """The disk cache under `root`, or the Redis server at `url`."""
    if url is None:
        return Cache(root / DIRECTORY, ttl)
    if urlsplit(url).scheme not in SCHEMES:
        shown = url.split("@")[-1]  # never a password, even a mistyped URL's
        raise ConfigError(f"--cache {shown!r}: give a redis://HOST:PORT[/DB] URL")
    try:
        from genesys_reconcile.dashboard.redis_cache import RedisCache
    except ImportError:
        raise ConfigError(
            "--cache redis://… needs the redis package: pip install 'genesys-reconcile[redis]'"
        ) from None
    return RedisCache(url, ttl, warn)
