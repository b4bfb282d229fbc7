"""Outbound segmentation rules: the expression grammar, and the compiler built on it."""
