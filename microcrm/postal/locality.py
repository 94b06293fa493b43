"""Line 6: postcode (R16), locality names (R18-R20, R22), CEDEX (R21) and matching (R25, R26).

The same cleaning serves the reference libellés (at build time, see
`scripts/build_postal_data.py`) and the user's city (at run time), so that `Saint-Étienne`,
`St Etienne` and `ST-ETIENNE` all compare equal to the reference `ST ETIENNE` (R18, R19).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final, NamedTuple

from microcrm.postal.clean import clean
from microcrm.postal.errors import (
    AMBIGUOUS_LOCALITY,
    CEDEX_UNKNOWN_LOCALITY,
    CITY_MISSING,
    LOCALITY_REPLACED,
    LOCALITY_SPELLING,
    POSTCODE_CITY_MISMATCH,
    POSTCODE_MALFORMED,
    POSTCODE_MISSING,
    POSTCODE_PADDED,
    POSTCODE_UNKNOWN,
)
from microcrm.postal.reference import PostalReference, PostcodeEntry

# R19: SAINT & co. become ST & co. on L5/L6 when another word follows.
SAINT_ABBREVIATIONS: Final = {"SAINT": "ST", "SAINTE": "STE", "SAINTS": "STS", "SAINTES": "STES"}

# R18: a trailing parenthesised article, `BAUX-DE-PROVENCE (LES)`, `EPINE (L')`.
_TRAILING_ARTICLE: Final = re.compile(
    r"^(?P<name>.*?)[\s,]*\(\s*(?P<article>LES|LE|LA|L)\s*['’`]?\s*\)\s*$", re.IGNORECASE
)
# R22: a trailing parenthesised department code, `Saint-Malo (35)`, `Ajaccio (2A)`.
_TRAILING_DEPARTMENT: Final = re.compile(r"^(?P<name>.*?)\s*\(\s*(?P<code>\w{2,3})\s*\)\s*$")
# R20: the postcode's city name + number + optional ordinal suffix + optional ARRONDISSEMENT.
_ARRONDISSEMENT: Final = re.compile(
    r"(?P<city>PARIS|LYON|MARSEILLE) \d{1,2}"
    r" ?(?:ER|ERE|E|EME|IEME)?(?: ?(?:ARRONDISSEMENT|ARRDT|ARR))?"
)
# R21: `CEDEX`, `CDX` (R3 already turned `Cédex` into CEDEX), possibly glued to the office number.
_CEDEX_WORD: Final = re.compile(r"(?:CEDEX|CDX)(?P<office>\d*)")
_PLM_DEPARTMENTS: Final = {"75": "PARIS", "69": "LYON", "13": "MARSEILLE"}
_SHORT_NAME: Final = 8
"""R25 step 6: names shorter than this tolerate 1 edit, others 2."""


def department(postcode: str) -> str:
    """Return the department part of a postcode: 2 digits, 3 for 97x/98x (R21, R22)."""
    return postcode[:3] if postcode[:2] in ("97", "98") else postcode[:2]


def _department_codes(postcode: str) -> frozenset[str]:
    """R22: the codes a user may append to the city for this postcode (2A/2B/20 in Corsica)."""
    if len(postcode) != 5 or not postcode.isdigit():
        return frozenset()
    if postcode.startswith("20"):
        return frozenset({"20", "2A", "2B"})
    return frozenset({department(postcode)})


def plm_city(postcode: str) -> str:
    """R20: PARIS for 75001-75020 and 75116, LYON for 69001-69009, MARSEILLE for 13001-13016."""
    if len(postcode) != 5 or not postcode.isdigit():
        return ""
    number = int(postcode[2:])
    if postcode[:2] == "75" and (1 <= number <= 20 or number == 116):
        return "PARIS"
    if postcode[:2] == "69" and 1 <= number <= 9:
        return "LYON"
    if postcode[:2] == "13" and 1 <= number <= 16:
        return "MARSEILLE"
    return ""


def clean_postcode(raw: str) -> tuple[str, str]:
    """R16: cosmetic cleanup of a French postcode, then its diagnosis.

    Removes spaces, dots and hyphens and a leading `F`/`FR` (`75 008`, `F-86000`); a
    4-digit code lost its leading zero in a spreadsheet and is padded.

    Returns:
        (postcode as printed, code) where code is "" (well-formed), `postcode_padded`,
        `postcode_missing` or `postcode_malformed`.
    """
    if len(raw) == 5 and raw.isascii() and raw.isdigit():
        return raw, ""  # the usual case, first
    text = clean(raw).replace(" ", "")
    for prefix in ("FR", "F"):
        rest = text.removeprefix(prefix)
        if rest != text and rest.isdigit():
            text = rest
            break
    if not text:
        return "", POSTCODE_MISSING
    if text.isdigit() and len(text) == 5:
        return text, ""
    if text.isdigit() and len(text) == 4:
        return "0" + text, POSTCODE_PADDED
    return text, POSTCODE_MALFORMED


def abbreviate_saints(words: list[str]) -> list[str]:
    """R19: SAINT(E)(S) -> ST(E)(S) when another word follows; `SAINTES` alone stays."""
    if "SAINT" not in " ".join(words):
        return words
    last = len(words) - 1
    return [
        SAINT_ABBREVIATIONS.get(word, word) if position < last else word
        for position, word in enumerate(words)
    ]


def _move_article(text: str) -> str:
    """R18: `ROCHE SUR YON (LA)` -> `LA ROCHE SUR YON`, `EPINE (L')` -> `L EPINE`."""
    match = _TRAILING_ARTICLE.match(text)
    if match is None or not match["name"].strip():
        return text
    return f"{match['article']} {match['name']}"


def clean_reference_libelle(raw: str, postcode: str) -> str:
    """R18 for a reference libellé: article moved, then R3, R19 and R20.

    One quirk of the source is also fixed [choice]: `SAINT CHAFFREY 05330` repeats its own
    postcode, which would print twice on L6.
    """
    plm = plm_city(postcode)
    if plm:
        return plm
    words = clean(_move_article(raw)).split()
    if len(words) > 1 and words[-1] == postcode:
        words.pop()
    return " ".join(abbreviate_saints(words))


def clean_commune_name(raw: str) -> str:
    """Clean a reference commune name (`nomCommune`) like a user's city: R18, R3, R19."""
    return " ".join(abbreviate_saints(clean(_move_article(raw)).split()))


class CityParts(NamedTuple):
    """A user's city split per R21, cleaned per R18, R3, R22 and R19.

    Attributes:
        name: The locality words, e.g. `MONTPELLIER`.
        cedex: Whether the city holds the word CEDEX (or `CDX`).
        office: CEDEX office number as typed (digits only), "" if none.
    """

    name: str
    cedex: bool
    office: str

    def suffix(self, locality: str) -> str:
        """R21: `CEDEX`, `CEDEX 5`, or `CEDEX 07` for Paris, Lyon and Marseille."""
        if not self.cedex:
            return ""
        if not self.office:
            return "CEDEX"
        width = 2 if locality in ("PARIS", "LYON", "MARSEILLE") else 1
        return f"CEDEX {str(int(self.office)).zfill(width)}"


def _split_cedex(words: list[str]) -> tuple[list[str], bool, str]:
    for position, word in enumerate(words):
        match = _CEDEX_WORD.fullmatch(word)
        if match is None:
            continue
        office, rest = match["office"], words[position + 1 :]
        if not office and rest and rest[0].isdigit():
            office, rest = rest[0], rest[1:]
        return words[:position] + rest, True, office
    return words, False, ""


def _strip_parentheses(raw: str, postcode: str) -> str:
    """R22 then R18 on the raw city: `Saint-Malo (35)`, `Baux-de-Provence (Les) (13)`."""
    match = _TRAILING_DEPARTMENT.match(raw)
    codes = _department_codes(postcode)
    if match is not None and match["name"].strip() and match["code"].upper() in codes:
        raw = match["name"]
    return _move_article(raw)


def parse_city(raw: str, postcode: str) -> CityParts:
    """Clean a user's city for comparison with the reference (R18, R3, R21, R22, R19).

    Args:
        raw: The city as typed.
        postcode: The cleaned postcode, used to recognise the department suffix (R22).
    """
    if "(" in raw:
        raw = _strip_parentheses(raw, postcode)
    cleaned = clean(raw)
    words = cleaned.split()
    cedex, office = False, ""
    if "CEDEX" in cleaned or "CDX" in cleaned:
        words, cedex, office = _split_cedex(words)
    suffix = words[-1] if len(words) > 1 else ""
    if (suffix.isdigit() or suffix in ("2A", "2B")) and suffix in _department_codes(postcode):
        words.pop()  # R22, without parentheses once R3 has run
    return CityParts(" ".join(abbreviate_saints(words)), cedex, office)


class LocalityResult(NamedTuple):
    """The outcome of R25 for one (postcode, city) pair.

    Attributes:
        postcode: The postcode as printed on L6 (cleaned, padded), "" if none was given.
        locality: Locality to print when the address is deliverable (libellé d'acheminement).
        cedex: CEDEX suffix to print after `locality`, "" if none.
        typed_locality: The user's city, cleaned only (R26 form for invalid addresses).
        typed_cedex: CEDEX suffix to print after `typed_locality`.
        corrections: Data corrections made (status corrected), in rule order.
        blocking: Blocking errors (status invalid), in rule order.
        city_missing: Whether the user gave no city.
    """

    postcode: str
    locality: str
    cedex: str
    typed_locality: str
    typed_cedex: str
    corrections: tuple[str, ...]
    blocking: tuple[str, ...]
    city_missing: bool


def _tolerance(name: str) -> int:
    return 1 if len(name) < _SHORT_NAME else 2


def _spelling_matches(city: str, entry: PostcodeEntry) -> set[str]:
    """R25 step 6: libellés of the rows whose libellé or commune name is within reach."""
    from rapidfuzz.distance import Levenshtein  # only typos need it: keeps start-up fast

    matches: set[str] = set()
    for name, libelle in entry.names:
        limit = _tolerance(name)
        if abs(len(name) - len(city)) <= limit and (
            Levenshtein.distance(city, name, score_cutoff=limit) <= limit
        ):
            matches.add(libelle)
    return matches


Match = tuple[str, tuple[str, ...], tuple[str, ...]]
"""(locality, corrections, blocking errors) of one R25 decision."""


def _arrondissement_of(city: str, plm: str) -> bool:
    """R20: whether `city` is `plm` + arrondissement number (`PARIS 16E`, `LYON 3EME`)."""
    match = _ARRONDISSEMENT.fullmatch(city)
    return bool(plm) and match is not None and match["city"] == plm


def _same_place(postcode: str, city: str, entry: PostcodeEntry) -> Match | None:
    """R25 steps 3-5: the libellé itself, a commune name with one libellé, or R20's form."""
    if city in entry.libelles:
        return city, (), ()
    same_commune = entry.commune_libelles.get(city, ())
    if len(same_commune) == 1:
        return same_commune[0], (LOCALITY_REPLACED,), ()
    plm = plm_city(postcode)
    if _arrondissement_of(city, plm):
        return plm, (LOCALITY_REPLACED,), ()
    return None


def _match_postcode(postcode: str, city: str, reference: PostalReference) -> Match:
    """R25 steps 1-6 for a well-formed, non-CEDEX postcode."""
    entry = reference.entry(postcode)
    if entry is None:
        return "", (), (POSTCODE_UNKNOWN,)
    if not city:
        if len(entry.libelles) == 1:
            return entry.libelles[0], (CITY_MISSING,), ()
        return "", (), (CITY_MISSING, AMBIGUOUS_LOCALITY)
    found = _same_place(postcode, city, entry)
    if found is not None:
        return found
    matches = _spelling_matches(city, entry)
    if len(matches) == 1:
        return matches.pop(), (LOCALITY_SPELLING,), ()
    return "", (), (AMBIGUOUS_LOCALITY if matches else POSTCODE_CITY_MISMATCH,)


def _match_cedex(postcode: str, city: str, reference: PostalReference) -> Match:
    """R21: a CEDEX locality must be a libellé of some postcode of the same department."""
    if not city:
        return "", (), (CITY_MISSING,)
    if city in reference.department_libelles(department(postcode)):
        return city, (), ()
    plm = _PLM_DEPARTMENTS.get(postcode[:2], "")
    if _arrondissement_of(city, plm):
        return plm, (LOCALITY_REPLACED,), ()
    return "", (), (CEDEX_UNKNOWN_LOCALITY,)


@lru_cache(maxsize=1 << 15)
def resolve_locality(postcode: str, city: str, reference: PostalReference) -> LocalityResult:
    """Apply R16-R22 and R25 to a raw (postcode, city) pair of a French address.

    The postcode is never changed to fit the city (R25). Cached: the same pairs come back
    for every contact of a town, and at each keystroke of the live editor.

    Args:
        postcode: The postcode as typed.
        city: The city as typed.
        reference: The postcode reference.
    """
    printed, postcode_code = clean_postcode(postcode)
    parts = parse_city(city, printed)
    corrections: tuple[str, ...] = (postcode_code,) if postcode_code == POSTCODE_PADDED else ()
    match: Match
    if postcode_code in (POSTCODE_MISSING, POSTCODE_MALFORMED):
        match = "", (), (postcode_code,)
    elif parts.cedex:
        match = _match_cedex(printed, parts.name, reference)
    else:
        match = _match_postcode(printed, parts.name, reference)
    locality, found, blocking = match
    if blocking and not parts.name and CITY_MISSING not in blocking:
        blocking = (*blocking, CITY_MISSING)
    return LocalityResult(
        postcode=printed,
        locality=locality,
        cedex=parts.suffix(locality),
        typed_locality=parts.name,
        typed_cedex=parts.suffix(parts.name),
        corrections=() if blocking else corrections + found,
        blocking=blocking,
        city_missing=not parts.name,
    )
