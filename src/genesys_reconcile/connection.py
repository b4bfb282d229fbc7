"""Where the client connects and with what: the environment, reconcile.yaml, or `--sandbox`.

The one place that chooses between a real org and the embedded simulator, so it stands above
both the client and the sandbox.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator, Mapping

from genesys_reconcile.errors import ConfigError
from genesys_reconcile.genesys.client import GenesysClient
from genesys_reconcile.genesys.regions import endpoints
from genesys_reconcile.genesys.transport import Policy, Transport
from genesys_reconcile.redaction import Secret
from genesys_reconcile.sandbox import embedded
from genesys_reconcile.settings import Settings


def policy(settings: Settings) -> Policy:
    defaults = Policy()
    return Policy(
        rate_per_minute=settings.rate_limit or defaults.rate_per_minute,
        concurrency=settings.concurrency or defaults.concurrency,
    )


# Terraform's CX as Code provider reads these names; a team running both sets them once.
_CX_AS_CODE = {
    "CLIENT_ID": "GENESYSCLOUD_OAUTHCLIENT_ID",
    "CLIENT_SECRET": "GENESYSCLOUD_OAUTHCLIENT_SECRET",
    "REGION": "GENESYSCLOUD_REGION",
}


def _variable(env: Mapping[str, str], name: str) -> str:
    """GENESYS_<name>, else CX as Code's name for the same setting."""
    return env.get(f"GENESYS_{name}") or env.get(_CX_AS_CODE[name], "")


@contextlib.contextmanager
def connect(
    settings: Settings, sandbox: bool = False, env: Mapping[str, str] | None = None
) -> Iterator[GenesysClient]:
    """A client for the org the environment names, or for an embedded sandbox."""
    env = os.environ if env is None else env
    if sandbox:
        running = embedded.start(settings.root)
        hosts = endpoints(api_url=running.server.url, login_url=running.server.url)
        transport = Transport(
            hosts, running.client_id, Secret(running.client_secret), policy(settings)
        )
        origin = f"sandbox:{(settings.root / embedded.STATE_FILE).resolve()}"
        try:
            with GenesysClient(transport, origin) as client:
                yield client
        finally:
            running.close()
        return
    client_id, secret = (_variable(env, name) for name in ("CLIENT_ID", "CLIENT_SECRET"))
    if not (client_id and secret):
        raise ConfigError(
            "set GENESYS_CLIENT_ID and GENESYS_CLIENT_SECRET to an OAuth client's credentials "
            "(or CX as Code's GENESYSCLOUD_OAUTHCLIENT_ID and _SECRET), or use --sandbox"
        )
    hosts = endpoints(
        _variable(env, "REGION") or settings.region,
        env.get("GENESYS_API_URL"),
        env.get("GENESYS_LOGIN_URL"),
    )
    with GenesysClient(Transport(hosts, client_id, Secret(secret), policy(settings))) as client:
        yield client
