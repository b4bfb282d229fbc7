"""Plans: what would change, field by field, and how a reviewer reads it."""
