"""Desired-state files: safe YAML loading with positions, discovery, schemas and diagnostics."""
