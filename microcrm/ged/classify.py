"""Guess a document's type, date and dossier from its name and text, when the user gave none.

Deliberately simple and predictable: the file name speaks first ("Facture
F2025-012.pdf"), then the head of the text, where the title sits; the
earliest keyword wins. A wrong guess costs one click in the UI, so the rules
favour the common French business papers over cleverness.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Final

from microcrm.text import MONTHS, fold

DOC_TYPES: Final = (
    "devis",
    "facture",
    "commande",
    "bon de livraison",
    "contrat",
    "courrier",
    "e-mail",
    "compte rendu",
    "note",
    "autre",
)
"""The document types of the GED, as stored in ``document.doc_type``."""

#: Folded keyword patterns, each with the type it reveals.
_KEYWORDS: Final = (
    (r"bon de livraison|bordereau de livraison|\bbl[ -]?\d", "bon de livraison"),
    (r"bon de commande|\bcommande\b|\bbc[ -]?\d", "commande"),
    (r"\bfacture\b|\bfactures\b|\bavoir\b|\bf\d{4}-\d", "facture"),
    (r"\bdevis\b|proposition commerciale|offre de prix|\bd\d{4}-\d", "devis"),
    (r"\bcontrat\b|\bavenant\b|conditions particulieres", "contrat"),
    (r"compte[ -]rendu|\bproces[ -]verbal\b", "compte rendu"),
    (r"\bcourrier\b|\blettre\b|\brelance\b|madame, monsieur|\bobjet :", "courrier"),
    (r"\bnote\b|\bmemo\b", "note"),
)
_PATTERNS: Final = tuple((re.compile(p), t) for p, t in _KEYWORDS)
_EMAIL_EXTS: Final = frozenset((".eml", ".msg"))
#: Characters of text looked at: the title and letterhead, not the small print.
HEAD: Final = 1500

DOSSIER_OF_TYPE: Final = {
    "devis": "Devis",
    "facture": "Factures",
    "commande": "Commandes",
    "bon de livraison": "Commandes",
    "courrier": "Courrier",
    "e-mail": "E-mails",
}
FALLBACK_DOSSIER: Final = "Divers"


def _first_match(text: str) -> str | None:
    best: tuple[int, str] | None = None
    for pattern, doc_type in _PATTERNS:
        found = pattern.search(text)
        if found and (best is None or found.start() < best[0]):
            best = (found.start(), doc_type)
    return best[1] if best else None


def guess_doc_type(filename: str, text: str) -> str:
    """One of :data:`DOC_TYPES` for a file named ``filename`` whose text is ``text``."""
    if Path(filename).suffix.lower() in _EMAIL_EXTS:
        return "e-mail"
    stem = fold(Path(filename).stem.replace("_", " ").replace(".", " "))
    return _first_match(stem) or _first_match(fold(text[:HEAD])) or "autre"


def dossier_for_type(doc_type: str, defaults: Sequence[str]) -> str:
    """The default dossier that receives a document of ``doc_type``.

    The usual dossier of the type if the configured set has it (by folded
    name), else "Divers" if present, else the last dossier of the set.
    """
    by_key = {fold(name): name for name in defaults}
    wanted = DOSSIER_OF_TYPE.get(doc_type, FALLBACK_DOSSIER)
    for candidate in (wanted, FALLBACK_DOSSIER):
        if fold(candidate) in by_key:
            return by_key[fold(candidate)]
    return defaults[-1] if defaults else FALLBACK_DOSSIER


#: Folded month name (``fevrier``, ``aout``) → month number.
_MONTHS: Final = {fold(name): number for number, name in enumerate(MONTHS, start=1)}
_NUMERIC = re.compile(r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b")
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_WORDS = re.compile(r"\b(\d{1,2})(?:er)? (" + "|".join(_MONTHS) + r") (\d{4})\b")
#: Oldest year taken for a document date (older numbers are references, not dates).
MIN_YEAR: Final = 1980


def _candidates(text: str) -> list[tuple[int, dt.date]]:
    found: list[tuple[int, dt.date]] = []
    for match in _NUMERIC.finditer(text):
        day, month, year = (int(g) for g in match.groups())
        found.extend(_valid(match.start(), year, month, day))
    for match in _ISO.finditer(text):
        year, month, day = (int(g) for g in match.groups())
        found.extend(_valid(match.start(), year, month, day))
    for match in _WORDS.finditer(text):
        found.extend(
            _valid(match.start(), int(match.group(3)), _MONTHS[match.group(2)], int(match.group(1)))
        )
    return found


def _valid(position: int, year: int, month: int, day: int) -> list[tuple[int, dt.date]]:
    try:
        return [(position, dt.date(year, month, day))]
    except ValueError:
        return []


def guess_doc_date(text: str, *, today: dt.date | None = None) -> dt.date | None:
    """The first plausible date in the head of ``text`` (none after next year), or None."""
    today = today or dt.date.today()  # noqa: DTZ011 - the user's calendar day
    head = fold(text[: HEAD * 2])
    latest = dt.date(today.year + 1, 12, 31)
    dates = sorted(
        (pos, day) for pos, day in _candidates(head) if day.year >= MIN_YEAR and day <= latest
    )
    return dates[0][1] if dates else None
