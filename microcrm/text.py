"""French text helpers shared by every layer: counts, numbers, sizes, dates, folding, escaping.

The lowest layer of the package (below :mod:`microcrm.errors`): it imports
nothing from MicroCRM and nothing from Qt, so models, services and screens
all format the same way. Every output here is shown to users or compared by
tests: change one only on purpose.

French typography as the app writes it:

* thousands are grouped with a narrow no-break space (U+202F), as CLDR
  ``fr_FR`` does: ``12 345``;
* 0 and 1 take the singular: « 0 fiche », « 1 fiche », « 2 fiches »;
* dates are ``jj/mm/aaaa`` in tables and lists, ``1er mai 2026`` in letters.
"""

from __future__ import annotations

import datetime as dt
import html
import re
import unicodedata
from typing import Final

NBSP: Final = "\u00a0"
"""No-break space (before « : », between a count and its noun in the import wizard)."""
NNBSP: Final = "\u202f"
"""Narrow no-break space: the thousands separator."""

MONTHS: Final = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
"""Month names, lower case, January first."""

# -- counts -----------------------------------------------------------------------------------


def plural(n: int, singular: str, plural: str | None = None) -> str:
    """The noun for ``n`` things: ``singular`` for 0 and 1 (French rule), else ``plural``.

    ``plural`` defaults to ``singular + "s"``: ``plural(3, "fiche")`` → ``fiches``,
    ``plural(2, "lettre produite", "lettres produites")``.
    """
    if n <= 1:
        return singular
    return singular + "s" if plural is None else plural


def thousands(n: int) -> str:
    """An integer with its thousands grouped: ``1234567`` → ``1 234 567`` (U+202F).

    The same text as Babel's ``format_decimal(n, locale="fr_FR")`` (tests check
    it), about sixty times faster: table models call this for every cell.
    """
    return f"{n:,}".replace(",", NNBSP)


def counted(n: int, singular: str, plural: str | None = None, *, nbsp: bool = False) -> str:
    """A count and its noun: « 1 fiche », « 0 fiche », « 12 345 fiches ».

    Args:
        n: How many.
        singular: The noun (with its adjectives) for 0 and 1.
        plural: The noun for 2 and more; ``singular + "s"`` by default.
        nbsp: Join the number and the noun with a no-break space (the import
            wizard's messages do, so a count never ends a line); a plain space
            otherwise.
    """
    noun = singular if n <= 1 else (singular + "s" if plural is None else plural)
    return f"{thousands(n)}{NBSP if nbsp else ' '}{noun}"


def file_size(size: int | None) -> str:
    """Bytes in French units: « 850 o », « 12 Ko », « 1,4 Mo »; "" when unknown.

    Binary multiples (1 Ko = 1024 o) with one decimal below 10, none from 10 up.
    """
    if size is None:
        return ""
    if size < 1024:
        return f"{size} o"
    value = float(size)
    for unit in ("Ko", "Mo", "Go", "To"):
        value /= 1024
        if value < 1024 or unit == "To":
            text = f"{value:.0f}" if value >= 10 else f"{value:.1f}"
            return f"{text.replace('.', ',')} {unit}"
    return f"{size} o"  # pragma: no cover - the loop always returns


# -- dates ------------------------------------------------------------------------------------


def _shown(value: dt.date, local: bool) -> dt.date:
    """``value`` as it is written: a datetime moved to the workstation's zone when ``local``.

    Only an aware datetime moves; a naive one is taken as local time already
    (what ``datetime.astimezone()`` does), and a plain date never moves.
    """
    if local and isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.astimezone()
    return value


def short_date(value: dt.date | None, *, local: bool = False) -> str:
    """« 06/12/2026 » (``jj/mm/aaaa``); "" for None.

    A datetime shows its date as given; with ``local`` an aware one is first
    moved to the workstation's time zone (timestamps stored in UTC).
    """
    if value is None:
        return ""
    return _shown(value, local).strftime("%d/%m/%Y")


def short_datetime(value: dt.datetime | None, *, local: bool = False, at: bool = False) -> str:
    """« 06/12/2026 14:05 », or « 06/12/2026 à 14:05 » with ``at``; "" for None.

    ``local`` as for :func:`short_date`. Tables use the plain form, sentences
    and tooltips the one with « à ».
    """
    if value is None:
        return ""
    pattern = "%d/%m/%Y à %H:%M" if at else "%d/%m/%Y %H:%M"
    return _shown(value, local).strftime(pattern)


def long_date(day: dt.date) -> str:
    """« 24 novembre 2026 », and « 1er mai 2026 » for the first of a month (letters).

    Babel's ``format_date(day, format="long", locale="fr")`` writes the same
    except on the first (« 1 mai 2026 »), where French letters write « 1er ».
    """
    number = "1er" if day.day == 1 else str(day.day)
    return f"{number} {MONTHS[day.month - 1]} {day.year}"


# -- comparison -------------------------------------------------------------------------------


_LATIN_MARKS: Final = re.compile("[\u0300-\u036f]+")
"""Combining diacritical marks: every accent of a decomposed Latin letter."""


def strip_accents(text: str, *, compatibility: bool = True) -> str:
    """``text`` without its combining marks: « Élodie » → « Elodie »; case is kept.

    With ``compatibility`` (the default) the text is decomposed with NFKD, so
    compatibility characters are spelt out too (« ﬁ » → « fi », « ² » → « 2 »,
    no-break spaces → spaces); without it, with NFD, only the accents go.
    Ligatures such as « œ » are not decomposed by Unicode: see :func:`fold`.
    """
    decomposed = unicodedata.normalize("NFKD" if compatibility else "NFD", text)
    stripped = _LATIN_MARKS.sub("", decomposed)  # the marks of Latin text, at C speed
    if stripped.isascii():
        return stripped
    return "".join(ch for ch in stripped if not unicodedata.combining(ch))


def fold(text: str | None) -> str:
    """Accent-folded lower-case key for portable search (SQLite NOCASE is ASCII-only).

    ``"Société Générale"`` → ``"societe generale"``; œ/æ are expanded so that
    ``"Œuvre"`` matches ``"oeuvre"``; runs of white space become one space and
    the ends are trimmed. Stored in the ``*_key`` columns: a change here needs
    a migration that recomputes them.
    """
    if not text:
        return ""
    if not text.isascii():  # ASCII has nothing to expand or strip (most names: fast path)
        text = text.replace("œ", "oe").replace("Œ", "OE").replace("æ", "ae").replace("Æ", "AE")
        text = strip_accents(text)
    return " ".join(text.lower().split())


def printable(text: str) -> str:
    """``text`` with every control or other non-printable character shown as ``?``.

    Spaces of every kind (no-break ones included) are kept.

    For echoing names that come from outside (file names, headers): a line
    break, an escape sequence or a bidirectional override in a file name must
    not reach a terminal or a message box as such.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() or unicodedata.category(ch) == "Zs" else "?" for ch in text
    )


# -- rich text --------------------------------------------------------------------------------


def escape_html(text: str) -> str:
    """Plain text made safe inside Qt rich text: ``&``, ``<`` and ``>`` become entities.

    Quotes are kept as they are (``html.escape(text, quote=False)``): the text
    goes between tags, never inside an attribute.
    """
    return html.escape(text, quote=False)
