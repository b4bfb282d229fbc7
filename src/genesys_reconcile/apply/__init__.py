"""Applying plans: writes, readiness waits, the audit trail."""
