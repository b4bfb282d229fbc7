"""What hostile text must not leave in output meant for people."""

from __future__ import annotations

import unicodedata


def hidden(text: str) -> list[str]:
    """The characters of `text` that a terminal or a CI log acts on or does not show, beyond
    the line breaks the output is made of."""
    return [c for c in text.replace("\n", "") if unicodedata.category(c) in ("Cc", "Cf", "Zl")]
