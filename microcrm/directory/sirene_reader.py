"""Stream the INSEE SIRENE stock files into flat establishment records.

``StockEtablissement`` rows are joined with ``StockUniteLegale`` on ``siren``
(docs/import-formats.md §1). Only the few legal-unit columns we need are kept in
a dict, so a full stock file streams in constant memory apart from that dict.
Columns are read by header name: INSEE adds columns (NAF25, 2025-12-16).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Final, NamedTuple

from microcrm.directory.records import RawRecord, ReadIssue, ReadResult
from microcrm.errors import ValidationError

#: Reason codes of the issues this reader emits (see records.ReadIssue).
CLOSED_ESTABLISHMENT: Final = "closed_establishment"
"""``etatAdministratifEtablissement`` is ``F``: the establishment is closed."""
NON_DIFFUSIBLE: Final = "non_diffusible"
"""Statut de diffusion ``P`` on the establishment or its legal unit (A123-96)."""
UNKNOWN_SIREN: Final = "unknown_siren"
"""The establishment's ``siren`` is not in the legal-unit file: no name to give it."""

#: Keys of every record, in this order (the ``headers`` of the ReadResult).
SIRENE_FIELDS: Final = (
    "name",
    "acronym",
    "enseigne",
    "siren",
    "nic",
    "siret",
    "head_office",
    "naf_code",
    "headcount_code",
    "legal_form_code",
    "complement",
    "street",
    "special_distribution",
    "postcode",
    "city",
    "city_code",
    "cedex_code",
    "cedex_label",
    "country_code",
    "country",
)

#: Masked value of a non-diffusible field: never stored (docs/import-formats.md §1).
MASKED = "[ND]"

#: Legal form of a natural person (entrepreneur individuel): no denomination.
NATURAL_PERSON_FORM = "1000"

#: typeVoie code → word printed on address line 4 (NF Z10-011, docs/import-formats.md §1).
STREET_TYPES: dict[str, str] = {
    "ALL": "ALLEE",
    "AV": "AVENUE",
    "BD": "BOULEVARD",
    "CAR": "CARREFOUR",
    "CHE": "CHEMIN",
    "CHS": "CHAUSSEE",
    "CITE": "CITE",
    "COR": "CORNICHE",
    "CRS": "COURS",
    "DOM": "DOMAINE",
    "DSC": "DESCENTE",
    "ECA": "ECART",
    "ESP": "ESPLANADE",
    "FG": "FAUBOURG",
    "GR": "GRANDE RUE",
    "HAM": "HAMEAU",
    "HLE": "HALLE",
    "IMP": "IMPASSE",
    "LD": "LIEU DIT",
    "LOT": "LOTISSEMENT",
    "MAR": "MARCHE",
    "MTE": "MONTEE",
    "PAS": "PASSAGE",
    "PL": "PLACE",
    "PLN": "PLAINE",
    "PLT": "PLATEAU",
    "PRO": "PROMENADE",
    "PRV": "PARVIS",
    "QUA": "QUARTIER",
    "QUAI": "QUAI",
    "RES": "RESIDENCE",
    "RLE": "RUELLE",
    "ROC": "ROCADE",
    "RPT": "ROND POINT",
    "RTE": "ROUTE",
    "RUE": "RUE",
    "SEN": "SENTIER",
    "SQ": "SQUARE",
    "TPL": "TERRE PLEIN",
    "TRA": "TRAVERSE",
    "VLA": "VILLA",
    "VLGE": "VILLAGE",
}

_UL_COLUMNS = (
    "siren",
    "statutDiffusionUniteLegale",
    "denominationUniteLegale",
    "sigleUniteLegale",
    "prenomUsuelUniteLegale",
    "nomUniteLegale",
    "nomUsageUniteLegale",
    "categorieJuridiqueUniteLegale",
)

_ET_COLUMNS = (
    "siren",
    "nic",
    "siret",
    "statutDiffusionEtablissement",
    "trancheEffectifsEtablissement",
    "etablissementSiege",
    "complementAdresseEtablissement",
    "numeroVoieEtablissement",
    "indiceRepetitionEtablissement",
    "typeVoieEtablissement",
    "libelleVoieEtablissement",
    "codePostalEtablissement",
    "libelleCommuneEtablissement",
    "libelleCommuneEtrangerEtablissement",
    "distributionSpecialeEtablissement",
    "codeCommuneEtablissement",
    "codeCedexEtablissement",
    "libelleCedexEtablissement",
    "codePaysEtrangerEtablissement",
    "libellePaysEtrangerEtablissement",
    "etatAdministratifEtablissement",
    "enseigne1Etablissement",
    "denominationUsuelleEtablissement",
    "activitePrincipaleEtablissement",
    "nomenclatureActivitePrincipaleEtablissement",
)

_NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})\s*([A-Za-z])$")


class LegalUnit(NamedTuple):
    """The StockUniteLegale columns an establishment record needs."""

    diffusion: str
    name: str
    acronym: str
    legal_form: str


def _clean(value: str) -> str:
    """Strip a cell and turn the ``[ND]`` mask into an empty string."""
    value = value.strip()
    return "" if value == MASKED else value


def _open_csv(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Yield ``(line, row)`` for a SIRENE CSV file (UTF-8, comma, header first).

    ``line`` is the physical line where the row ends, as a spreadsheet shows
    it; quoted cells may hold newlines.
    """
    csv.field_size_limit(min(sys.maxsize, 2**31 - 1))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        for row in reader:
            yield reader.line_num, row


def _column_indexes(header: list[str], wanted: tuple[str, ...], path: Path) -> list[int]:
    """Map each wanted column to its index in ``header``.

    Raises:
        ValidationError: ``siren`` (or ``siret`` for establishments) is missing,
            i.e. the file is not a SIRENE stock file.
    """
    positions = {name.strip(): index for index, name in enumerate(header)}
    required = {"siren", "siret"} & set(wanted)
    missing = sorted(name for name in required if name not in positions)
    if missing:
        raise ValidationError(
            path.name,
            f"Le fichier {path.name} n'est pas un fichier stock SIRENE : "
            f"colonne(s) absente(s) : {', '.join(missing)}.",
        )
    # An absent optional column reads as empty: index -1 points at a padding cell.
    return [positions.get(name, -1) for name in wanted]


def legal_unit_name(first_name: str, last_name: str, usage_name: str, denomination: str) -> str:
    """Name of a legal unit: its denomination, or ``prénom nom`` for a natural person.

    A natural person (legal form 1000) has no denomination: the usage name
    (``nomUsage``) wins over the birth name (``nom``), as INSEE displays it.
    """
    if denomination:
        return denomination
    return " ".join(part for part in (first_name, usage_name or last_name) if part)


def load_legal_units(path: Path) -> dict[str, LegalUnit]:
    """Read StockUniteLegale into ``{siren: LegalUnit}``, keeping only needed columns.

    Raises:
        ValidationError: the file has no ``siren`` column.
    """
    rows = _open_csv(path)
    _, header = next(rows, (0, []))
    idx = _column_indexes(header, _UL_COLUMNS, path)
    units: dict[str, LegalUnit] = {}
    for _line, row in rows:
        if not row:
            continue
        row.append("")  # padding cell read by absent columns (index -1)
        siren, diffusion, denomination, acronym, first, last, usage, form = (
            _clean(row[i]) if i < len(row) else "" for i in idx
        )
        if siren:
            units[siren] = LegalUnit(
                diffusion, legal_unit_name(first, last, usage, denomination), acronym, form
            )
    return units


def normalise_naf(code: str) -> str:
    """Return a NAF rév. 2 code as ``NN.NNL`` (``6201z`` → ``62.01Z``), or ``""``."""
    match = _NAF_RE.match(code.strip())
    if match is None:
        return ""
    return f"{match[1]}.{match[2]}{match[3].upper()}"


def street_line(number: str, repetition: str, street_type: str, label: str) -> str:
    """Build address line 4: ``NUMERO [B] TYPE LIBELLE`` (NF Z10-011, R11).

    The repetition index stays a letter (``14 B RUE …``); an unknown street
    type code is kept as read rather than dropped.
    """
    word = STREET_TYPES.get(street_type.upper(), street_type)
    return " ".join(part for part in (number, repetition.upper(), word, label) if part)


def _record(values: list[str], unit: LegalUnit, line: int) -> RawRecord:
    """Build the flat record of one open, diffusible establishment."""
    (
        siren, nic, siret, _diffusion, headcount, head_office, complement, number, repetition,
        street_type, street_label, postcode, city, foreign_city, distribution, city_code,
        cedex_code, cedex_label, country_code, country, _state, enseigne1, usual_name, naf,
        nomenclature,
    ) = values  # fmt: skip
    naf_code = normalise_naf(naf) if nomenclature in ("", "NAFRev2") else ""
    fields = {  # same keys and order as SIRENE_FIELDS
        "name": unit.name,
        "acronym": unit.acronym,
        "enseigne": enseigne1 or usual_name,
        "siren": siren,
        "nic": nic,
        "siret": siret,
        "head_office": head_office,
        "naf_code": naf_code,
        "headcount_code": headcount,
        "legal_form_code": unit.legal_form,
        "complement": complement,
        "street": street_line(number, repetition, street_type, street_label),
        "special_distribution": distribution,
        "postcode": postcode,
        "city": city or foreign_city,
        "city_code": city_code,
        "cedex_code": cedex_code,
        "cedex_label": cedex_label,
        "country_code": country_code,
        "country": country,
    }
    return RawRecord(f"ligne {line}", fields)


def iter_sirene(establishments: Path, legal_units: Path) -> Iterator[RawRecord | ReadIssue]:
    """Stream establishment records joined with their legal unit.

    The legal-unit file is loaded first (a dict of the needed columns), then
    the establishment file is streamed row by row.

    Closed establishments (``F``) and non-diffusible ones (``P`` on the
    establishment or on its legal unit, code de commerce A123-96) come out as
    issues naming their line; so do rows whose ``siren`` is absent from the
    legal-unit file (nothing to name them with).

    Raises:
        ValidationError: one of the files lacks the SIRENE key columns.
    """
    units = load_legal_units(legal_units)
    rows = _open_csv(establishments)
    _, header = next(rows, (0, []))
    idx = _column_indexes(header, _ET_COLUMNS, establishments)
    for line, row in rows:
        if not row:
            continue
        row.append("")
        values = [_clean(row[i]) if i < len(row) else "" for i in idx]
        locator = f"ligne {line}"
        siret = values[2]
        if values[20] == "F":
            yield ReadIssue(locator, CLOSED_ESTABLISHMENT, f"Établissement {siret} fermé")
            continue
        unit = units.get(values[0])
        if values[3] == "P":
            yield ReadIssue(
                locator, NON_DIFFUSIBLE, f"Établissement {siret} non diffusible (statut P)"
            )
            continue
        if unit is None:
            yield ReadIssue(
                locator,
                UNKNOWN_SIREN,
                f"SIREN {values[0]} absent du fichier des unités légales",
            )
            continue
        if unit.diffusion == "P":
            yield ReadIssue(
                locator,
                NON_DIFFUSIBLE,
                f"Unité légale {values[0]} non diffusible (statut P)",
            )
            continue
        yield _record(values, unit, line)


def read_sirene(establishments: Path, legal_units: Path) -> ReadResult:
    """Read a StockEtablissement / StockUniteLegale pair into one result.

    Holds every record in memory: for a full national stock, iterate
    :func:`iter_sirene` instead.

    Args:
        establishments: The StockEtablissement CSV file (or an extract of it).
        legal_units: The StockUniteLegale CSV file (or an extract of it).

    Returns:
        Records keyed by :data:`SIRENE_FIELDS`, and the rejected rows.

    Raises:
        ValidationError: one of the files lacks the SIRENE key columns.
    """
    result = ReadResult(headers=list(SIRENE_FIELDS), encoding="utf-8", delimiter=",")
    for item in iter_sirene(establishments, legal_units):
        if isinstance(item, RawRecord):
            result.records.append(item)
        else:
            result.issues.append(item)
    return result
