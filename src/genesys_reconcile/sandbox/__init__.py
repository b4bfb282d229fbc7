"""A stateful, fault-injecting simulator of the Genesys Cloud API (standard library only)."""
