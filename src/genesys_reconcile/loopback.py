"""Which hosts are this machine. Below both the client, which sends plain http only to loopback,
and the sandbox, which serves its admin endpoints only to loopback."""

from __future__ import annotations

import ipaddress


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
