"""INSEE code tables shown on the record sheet: NAF rév. 2, headcount bands, legal forms.

The NAF table is INSEE's full list of 732 sous-classes (``resources/naf/naf-rev2.tsv``,
built by ``scripts/build_naf_table.py``). Headcount bands are SIRENE's *tranches
d'effectif salarié*; legal forms are the *catégories juridiques* (niveau III) small
businesses and their partners actually use, not INSEE's whole list: an unknown code is
kept and shown as is.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path
from typing import Final

NAF_FILE: Final = "naf-rev2.tsv"

HEADCOUNT_BANDS: Final[tuple[tuple[str, str], ...]] = (
    ("NN", "Non employeur"),
    ("00", "0 salarié"),
    ("01", "1 ou 2 salariés"),
    ("02", "3 à 5 salariés"),
    ("03", "6 à 9 salariés"),
    ("11", "10 à 19 salariés"),
    ("12", "20 à 49 salariés"),
    ("21", "50 à 99 salariés"),
    ("22", "100 à 199 salariés"),
    ("31", "200 à 249 salariés"),
    ("32", "250 à 499 salariés"),
    ("41", "500 à 999 salariés"),
    ("42", "1 000 à 1 999 salariés"),
    ("51", "2 000 à 4 999 salariés"),
    ("52", "5 000 à 9 999 salariés"),
    ("53", "10 000 salariés et plus"),
)
"""SIRENE *tranches d'effectif salarié*, in increasing order."""

LEGAL_FORMS: Final[tuple[tuple[str, str], ...]] = (
    ("1000", "Entrepreneur individuel"),
    ("5202", "Société en nom collectif (SNC)"),
    ("5306", "Société en commandite simple"),
    ("5385", "Société d'exercice libéral en commandite par actions (SELCA)"),
    ("5458", "SARL coopérative ouvrière de production (SCOP)"),
    ("5485", "Société d'exercice libéral à responsabilité limitée (SELARL)"),
    ("5498", "SARL unipersonnelle (EURL)"),
    ("5499", "Société à responsabilité limitée (SARL)"),
    ("5599", "SA à conseil d'administration"),
    ("5699", "SA à directoire"),
    ("5710", "Société par actions simplifiée (SAS)"),
    ("5720", "SAS à associé unique (SASU)"),
    ("5785", "Société d'exercice libéral par actions simplifiée (SELAS)"),
    ("6533", "Groupement agricole d'exploitation en commun (GAEC)"),
    ("6540", "Société civile immobilière (SCI)"),
    ("6598", "Exploitation agricole à responsabilité limitée (EARL)"),
    ("7210", "Commune et commune nouvelle"),
    ("7346", "Communauté de communes"),
    ("7381", "Organisme consulaire"),
    ("9210", "Association non déclarée"),
    ("9220", "Association déclarée"),
)
"""INSEE *catégories juridiques* (niveau III) offered in the sheet's combo."""

_HEADCOUNT = dict(HEADCOUNT_BANDS)
_LEGAL = dict(LEGAL_FORMS)


def headcount_label(code: str) -> str:
    """French label of a headcount band code, or ``""`` when unknown."""
    return _HEADCOUNT.get(code, "")


def legal_form_label(code: str) -> str:
    """French label of a legal form code, or ``""`` when not in our list."""
    return _LEGAL.get(code, "")


def _naf_text() -> str:
    """The table, through importlib.resources so that frozen builds find it."""
    try:
        resource = importlib.resources.files("microcrm.resources") / "naf" / NAF_FILE
        return resource.read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        checkout = Path(__file__).resolve().parents[2] / "resources" / "naf" / NAF_FILE
        return checkout.read_text(encoding="utf-8")


@cache
def naf_table() -> dict[str, str]:
    """Every NAF rév. 2 sous-classe (``62.01Z``) and its INSEE label, loaded once."""
    lines = _naf_text().splitlines()
    table: dict[str, str] = {}
    for line in lines[1:]:
        code, _, label = line.partition("\t")
        if code:
            table[code] = label
    return table


def naf_label(code: str) -> str:
    """INSEE label of a NAF code written ``62.01Z`` or ``6201Z``, or ``""`` when unknown."""
    code = code.strip().upper().replace(" ", "")
    if len(code) == 5 and "." not in code:
        code = f"{code[:2]}.{code[2:]}"
    return naf_table().get(code, "")
