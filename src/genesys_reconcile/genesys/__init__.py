"""The Genesys Cloud client: the one place that speaks HTTP."""
