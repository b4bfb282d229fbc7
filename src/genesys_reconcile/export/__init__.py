"""Export: live resources written as the repository's files."""
