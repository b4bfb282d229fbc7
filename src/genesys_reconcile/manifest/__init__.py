"""Desired-state files: safe YAML loading with positions, schema and semantic checks."""
