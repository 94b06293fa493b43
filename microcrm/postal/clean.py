"""R3 character cleaning, applied to every address field before any other rule.

The rule sheet's choice is to clean every line, not only L4-L6: decompose and drop accents,
map the letters that do not decompose (Œ, Æ, ß, Ø, Ł, Đ), uppercase, write `&` as the word
`ET`, and turn every other character that is not A-Z or 0-9 into a space.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Final

from microcrm.text import strip_accents

MAX_LINE_LENGTH: Final = 38
"""R2: at most 38 characters per line, spaces included (NF Z10-011:2013)."""

# R3 step 1: letters that NFD does not decompose. Lower and upper case are both listed
# because this mapping runs before the uppercase step.
_SPECIAL_LETTERS: Final = {
    ord("Œ"): "OE",
    ord("œ"): "OE",
    ord("Æ"): "AE",
    ord("æ"): "AE",
    ord("ß"): "SS",
    ord("ẞ"): "SS",
    ord("Ø"): "O",
    ord("ø"): "O",
    ord("Ł"): "L",
    ord("ł"): "L",
    ord("Đ"): "D",
    ord("đ"): "D",
}


def _ascii_table() -> dict[int, str]:
    """Build the translation of ASCII: R3 steps 2-4 in one `str.translate`."""
    table: dict[int, str] = {}
    for code in range(128):
        char = chr(code)
        if "A" <= char <= "Z" or "0" <= char <= "9":
            continue
        if "a" <= char <= "z":
            table[code] = char.upper()
        elif char == "&":
            table[code] = " ET "
        else:
            table[code] = " "
    return table


_ASCII_TABLE: Final = _ascii_table()


def _fold_to_ascii(text: str) -> str:
    """R3 steps 1-2 for non-ASCII text; anything still outside ASCII becomes a space.

    Uppercasing can itself produce decomposable letters (`ǰ` -> `J̌`), so marks are
    stripped again after it.
    """
    folded = strip_accents(text, compatibility=False).translate(_SPECIAL_LETTERS).upper()
    if not folded.isascii():
        folded = strip_accents(folded, compatibility=False).translate(_SPECIAL_LETTERS)
    if folded.isascii():
        return folded
    return "".join(char if char.isascii() else " " for char in folded)


@lru_cache(maxsize=1 << 16)
def clean(text: str) -> str:
    """Return `text` cleaned per R3: `L'Haÿ-les-Roses` -> `L HAY LES ROSES`, `M.` -> `M`.

    The result only holds A-Z, 0-9 and single spaces, trimmed. Cached: address fields
    repeat a lot (cities, street names) and the live editor re-cleans on every keystroke.

    Args:
        text: Any user or reference text.

    Returns:
        The cleaned text, possibly empty.
    """
    if not text.isascii():
        text = _fold_to_ascii(text)
    return " ".join(text.translate(_ASCII_TABLE).split())
