# A sandbox and a client sharing one fake clock, as the apply tests use them.
from tests.genesys.conftest import admin, client, clock, sandbox, server  # noqa: F401
