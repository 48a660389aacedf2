"""Text folded for matching, as lib/fold-text.ts `foldText`: accents stripped (NFD, combining marks
U+0300-U+036F dropped: "Camión" -> "camion"), lower-cased, runs of whitespace made one space, trimmed.
The one folding of the DAGs (catalog priorities, pending states and priorities).
"""

from __future__ import annotations

import re
import unicodedata

_COMBINING_MARKS = re.compile("[\u0300-\u036f]")
# JavaScript's \s (Python's differs: it adds U+001C-U+001F and U+0085, lacks U+FEFF).
_WHITESPACE = re.compile("[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+")


def fold_text(text: str) -> str:
    decomposed = unicodedata.normalize("NFD", text)
    return _WHITESPACE.sub(" ", _COMBINING_MARKS.sub("", decomposed).lower()).strip(" ")
