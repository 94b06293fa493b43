"""Tables A-E of the address rule sheet (docs/address-standard.md), as lookup dictionaries.

Every value here is already in R3 form (capitals, no accents, no punctuation), because the
tables are only ever consulted on R3-cleaned words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

# Table A - street types: (full form, NF Z10-011:2013 abbreviation, accepted input variants).
# Older lists (norme 32, FANTOIR) are accepted as input only (CARR, CHEM, PASS, RDPT, FAUB, R, QU).
_TABLE_A: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("ALLEE", "ALL", ("ALL", "ALLE")),
    ("AVENUE", "AV", ("AV", "AVE", "AVN", "AVEN")),
    ("BOULEVARD", "BD", ("BD", "BLD", "BLVD", "BVD", "BOUL", "BOULV")),
    ("CARREFOUR", "CAR", ("CAR", "CARR", "CARREF")),
    ("CHAUSSEE", "CHS", ("CHS", "CHAUS")),
    ("CHEMIN", "CHE", ("CH", "CHE", "CHEM", "CHM")),
    ("CITE", "CITE", ()),
    ("CORNICHE", "COR", ("COR", "CORN")),
    ("COURS", "CRS", ("CRS",)),
    ("DOMAINE", "DOM", ("DOM",)),
    ("DESCENTE", "DSC", ("DSC", "DESC")),
    ("ECART", "ECA", ("ECA",)),
    ("ESPLANADE", "ESP", ("ESP", "ESPL")),
    ("FAUBOURG", "FG", ("FG", "FBG", "FAUB")),
    ("GRANDE RUE", "GR", ("GR", "GDE RUE")),
    ("HAMEAU", "HAM", ("HAM",)),
    ("HALLE", "HLE", ("HLE",)),
    ("IMPASSE", "IMP", ("IMP", "IMPA")),
    ("LOTISSEMENT", "LOT", ("LOT", "LOTISS")),
    ("MARCHE", "MAR", ("MAR",)),
    ("MONTEE", "MTE", ("MTE",)),
    ("PASSAGE", "PAS", ("PAS", "PASS", "PSG")),
    ("PLACE", "PL", ("PL", "PLC")),
    ("PLAINE", "PLN", ("PLN",)),
    ("PLATEAU", "PLT", ("PLT",)),
    ("PROMENADE", "PRO", ("PRO", "PROM")),
    ("PARVIS", "PRV", ("PRV",)),
    ("QUARTIER", "QUA", ("QUA", "QUART")),
    ("QUAI", "QUAI", ("QU",)),
    ("RESIDENCE", "RES", ("RES", "RESID")),
    ("RUELLE", "RLE", ("RLE",)),
    ("ROCADE", "ROC", ("ROC",)),
    ("ROND POINT", "RPT", ("RPT", "RDPT", "ROND PT")),
    ("ROUTE", "RTE", ("RTE", "RT")),
    ("RUE", "RUE", ("R",)),
    # "SENTIER and SENTE SEN (SEN, SENT)": both full forms share SEN; the variants are
    # expanded to SENTIER, the first full form of the table row [choice].
    ("SENTIER", "SEN", ("SEN", "SENT")),
    ("SENTE", "SEN", ()),
    ("SQUARE", "SQ", ("SQ", "SQR")),
    ("TERRE PLEIN", "TPL", ("TPL",)),
    ("TRAVERSE", "TRA", ("TRA", "TRAV")),
    ("VILLA", "VLA", ("VLA",)),
    ("VILLAGE", "VLGE", ("VLGE", "VGE")),
    ("VOIE", "VOIE", ()),
)


def _type_variants() -> dict[str, str]:
    variants: dict[str, str] = {}
    for full, abbreviation, inputs in _TABLE_A:
        for variant in (*inputs, abbreviation, full):
            variants.setdefault(variant, full)
    return variants


STREET_TYPE_ABBREVIATIONS: Final = MappingProxyType({full: abbr for full, abbr, _ in _TABLE_A})
"""Table A: full street type -> abbreviation used by R13 step S1."""

STREET_TYPE_VARIANTS: Final = MappingProxyType(_type_variants())
"""Table A: any accepted spelling (full, abbreviation, input variant) -> full street type."""

# Table B - titles: (full, abbreviation, input variants expanded by R12).
_TABLE_B: Final[tuple[tuple[str, str, tuple[str, ...]], ...]] = (
    ("ADJUDANT", "ADJ", ()),
    ("AMIRAL", "AMI", ()),
    ("CAPITAINE", "CNE", ("CAPT",)),
    ("CARDINAL", "CDL", ()),
    ("COLONEL", "CNL", ()),
    ("COMMANDANT", "CDT", ("CMDT",)),
    ("DOCTEUR", "DR", ()),
    ("GENERAL", "GAL", ("GENL",)),
    ("LIEUTENANT", "LT", ()),
    ("MARECHAL", "MAL", ("MARL",)),
    ("MONSEIGNEUR", "MGR", ()),
    ("NOTRE DAME", "ND", ()),
    ("PRESIDENT", "PDT", ("PRESID",)),
    ("PROFESSEUR", "PR", ("PROF",)),
    ("SERGENT", "SGT", ()),
)

TITLE_ABBREVIATIONS: Final = MappingProxyType({full: abbr for full, abbr, _ in _TABLE_B})
"""Table B: full title -> abbreviation used by R13 step S2."""

TITLE_EXPANSIONS: Final = MappingProxyType(
    {
        **{variant: full for full, abbr, inputs in _TABLE_B for variant in (abbr, *inputs)},
        # Table B: "input ST -> SAINT, STE -> SAINTE (abbreviated back only by S5)".
        "ST": "SAINT",
        "STE": "SAINTE",
    }
)
"""Table B input variants written in full by R12 (ND -> NOTRE DAME, GAL -> GENERAL, ST -> SAINT)."""

# Table C - other words, full -> abbreviation (R13 S3, R14 step 2).
OTHER_WORD_ABBREVIATIONS: Final = MappingProxyType(
    {
        "ANCIEN": "ANC",
        "ANCIENNE": "ANC",
        "ANCIENS": "ANC",
        "ANCIENNES": "ANC",
        "APPARTEMENT": "APP",
        "ASSOCIATION": "ASSOC",
        "BATIMENT": "BAT",
        "CENTRE": "CTRE",
        "COMPAGNIE": "CIE",
        "DIRECTION": "DIR",
        "ENTREE": "ENT",
        "ESCALIER": "ESC",
        "ETABLISSEMENT": "ETS",
        "ETABLISSEMENTS": "ETS",
        "ETAGE": "ETG",
        "GRAND": "GD",
        "GRANDE": "GDE",
        "GRANDS": "GDS",
        "GRANDES": "GDES",
        "HAUT": "HT",
        "HAUTE": "HTE",
        "IMMEUBLE": "IMM",
        "INFERIEUR": "INF",
        "INFERIEURE": "INF",
        "INTERNATIONAL": "INTERN",
        "INTERNATIONALE": "INTERN",
        "LOGEMENT": "LOG",
        "NATIONAL": "NAL",
        "NATIONALE": "NAL",
        "NOUVEAU": "NOUV",
        "NOUVELLE": "NOUV",
        "PETIT": "PT",
        "PETITE": "PTE",
        "PETITS": "PTS",
        "PETITES": "PTES",
        "PROLONGE": "PROL",
        "PROLONGEE": "PROL",
        "REPUBLIQUE": "REP",
        "RESIDENCE": "RES",
        "SERVICE": "SCE",
        "SOCIETE": "SOC",
        "SUPERIEUR": "SUP",
        "SUPERIEURE": "SUP",
        "UNIVERSITE": "UNIV",
        "VIEUX": "VX",
        "VIEILLE": "VIEL",
    }
)
"""Table C: other words -> abbreviation."""

# Table D - French first names reduced to their initial by R13 S4 and R14 step 3.
FIRST_NAMES: Final = frozenset(
    """
    ADRIEN AGNES ALAIN ALBERT ALEXANDRE ALFRED ALICE ALPHONSE AMBROISE ANATOLE ANDRE ANNE
    ANTOINE ARISTIDE ARMAND ARTHUR AUGUSTE AUGUSTIN BERNARD BLAISE CAMILLE CATHERINE CHARLES
    CHARLOTTE CHRISTIAN CHRISTINE CLAUDE CLEMENT DANIEL DENIS DOMINIQUE EDMOND EDOUARD
    ELISABETH EMILE EMMANUEL ERNEST ETIENNE EUGENE FELIX FERDINAND FRANCOIS FRANCOISE FREDERIC
    GABRIEL GASTON GEORGES GERARD GILBERT GUILLAUME GUSTAVE GUY HECTOR HENRI HONORE HUBERT
    JACQUES JEAN JEANNE JOSEPH JULES JULIEN LAURENT LEON LOUIS LOUISE LUC LUCIE LUCIEN MARC
    MARCEL MARGUERITE MARIE MARTIN MAURICE MAXIME MICHEL NICOLAS NOEL PASCAL PAUL PHILIPPE
    PIERRE RAYMOND RENE ROBERT ROGER SIMONE SOPHIE THEODORE VICTOR VINCENT YVES
    """.split()
)
"""Table D: first names reduced to their initial."""


@dataclass(frozen=True, slots=True)
class Country:
    """One row of Table E: a supported foreign destination.

    Attributes:
        name: Country line, in French and capitals (R23).
        prefixes: Country prefixes a user may type before the postcode (`B-4000`), dropped (R24).
        pattern: Full-match pattern of the postcode once spaces, dots and hyphens are removed.
    """

    name: str
    prefixes: tuple[str, ...]
    pattern: re.Pattern[str]

    def format_postcode(self, compact: str) -> str:
        """Return the postcode as printed: Dutch codes are written `1012 LG` (R24)."""
        if self.name == "PAYS BAS":
            return f"{compact[:4]} {compact[4:]}"
        return compact


_FOUR_DIGITS: Final = re.compile(r"\d{4}")
_FIVE_DIGITS: Final = re.compile(r"\d{5}")

# Table E - foreign countries: (country line, accepted inputs after R3, postcode prefixes, pattern).
_TABLE_E: Final[tuple[Country, ...]] = (
    Country("BELGIQUE", ("BE", "B"), _FOUR_DIGITS),
    Country("SUISSE", ("CH",), _FOUR_DIGITS),
    Country("ALLEMAGNE", ("DE", "D"), _FIVE_DIGITS),
    Country("ITALIE", ("IT", "I"), _FIVE_DIGITS),
    Country("ESPAGNE", ("ES", "E"), _FIVE_DIGITS),
    Country("PAYS BAS", (), re.compile(r"\d{4}[A-Z]{2}")),
)
_COUNTRY_INPUTS: Final[dict[str, tuple[str, ...]]] = {
    "BELGIQUE": ("BE", "BEL", "BELGIQUE", "BELGIUM", "BELGIE", "BELGIEN"),
    "SUISSE": ("CH", "CHE", "SUISSE", "SWITZERLAND", "SCHWEIZ", "SVIZZERA"),
    "ALLEMAGNE": ("DE", "DEU", "ALLEMAGNE", "GERMANY", "DEUTSCHLAND"),
    "ITALIE": ("IT", "ITA", "ITALIE", "ITALY", "ITALIA"),
    "ESPAGNE": ("ES", "ESP", "ESPAGNE", "SPAIN", "ESPANA"),
    "PAYS BAS": ("NL", "NLD", "PAYS BAS", "NETHERLANDS", "NEDERLAND", "HOLLANDE"),
}

COUNTRIES: Final = MappingProxyType(
    {alias: country for country in _TABLE_E for alias in _COUNTRY_INPUTS[country.name]}
)
"""Table E: accepted country input (after R3) -> supported foreign country."""

DOMESTIC_COUNTRIES: Final = frozenset(
    {
        "",
        "FRANCE",
        "FR",
        "FRA",
        "F",
        "REPUBLIQUE FRANCAISE",
        "GUADELOUPE",
        "MARTINIQUE",
        "GUYANE",
        "REUNION",
        "LA REUNION",
        "MAYOTTE",
        "GP",
        "MQ",
        "GF",
        "RE",
        "YT",
    }
)
"""R23: country inputs (after R3) that mean "deliver in France": no country line."""
