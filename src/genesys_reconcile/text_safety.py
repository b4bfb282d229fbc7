"""User values in output meant for people, made harmless to show.

Values come from files in a pull request and from the org. Shown raw, a line break starts a
line of its own (in a CI log, a forged `::warning` workflow command), an escape sequence moves
the cursor or retitles the terminal, and a bidi override or a zero-width character makes text
read other than it is. Every human output passes user values through `visible`; JSON output
does not, as it must stay exact (and json.dumps escapes what JSON needs).
"""

from __future__ import annotations

import unicodedata

# Controls (C0, DEL, C1), format characters (zero-width, bidi, BOM, tags), surrogates that no
# terminal can show, and the line and paragraph separators, which some show as a line break.
_HIDDEN = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_SHORT = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def visible(text: str) -> str:
    """`text` with every control, format and line-separating character written as an escape
    (`\\n`, `\\x1b`, `\\u202e`), so it shows on one line as what it is."""
    if text.isprintable():  # the usual case, at C speed; a space is printable, \n is not
        return text
    return "".join(_escape(c) if unicodedata.category(c) in _HIDDEN else c for c in text)


def _escape(character: str) -> str:
    code = ord(character)
    if character in _SHORT:
        return _SHORT[character]
    if code <= 0xFF:
        return f"\\x{code:02x}"
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"
