# The client tests' fixtures: a sandbox and a client sharing one fake clock.
from tests.genesys.conftest import admin, client, clock, sandbox, server  # noqa: F401
