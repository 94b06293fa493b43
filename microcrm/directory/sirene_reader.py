"""Stream the INSEE SIRENE stock files into flat establishment records.

``StockEtablissement`` rows are joined with ``StockUniteLegale`` on ``siren``
(docs/import-formats.md §1). Only the few legal-unit columns we need are kept in
a dict, so a full stock file streams in constant memory apart from that dict.
Columns are read by header name: INSEE adds columns (NAF25, 2025-12-16).

CEDEX (docs/import-formats.md §1, docs/address-standard.md R5, R15, R21): the
record keeps the file's values (``postcode`` and ``city`` stay geographic) and
adds the address to mail to, ``mailing_service`` (line 5), ``mailing_postcode``
and ``mailing_city`` (line 6: the CEDEX line when the establishment has one),
which the ``sirene`` preset maps; ``notes`` keeps what the mailing address
leaves out (the geographic postcode and commune, the second address).
"""

from __future__ import annotations

import csv
import re
import sys
from collections.abc import Iterator
from operator import itemgetter
from pathlib import Path
from typing import Final, NamedTuple

from microcrm.directory.records import RawRecord, ReadIssue, ReadResult
from microcrm.errors import ValidationError
from microcrm.postal.clean import MAX_LINE_LENGTH, clean
from microcrm.postal.locality import parse_city, plm_city

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
    "mailing_service",
    "mailing_postcode",
    "mailing_city",
    "notes",
)

#: Masked value of a non-diffusible field: never stored (docs/import-formats.md §1).
MASKED = "[ND]"

#: Legal form of a natural person (entrepreneur individuel): no denomination.
NATURAL_PERSON_FORM = "1000"

#: Note keeping the geographic postcode and commune of an establishment mailed at its CEDEX.
GEOGRAPHIC_NOTE: Final = "Adresse géographique"
#: Note keeping the establishment's second address (the ``…2Etablissement`` columns).
SECOND_ADDRESS_NOTE: Final = "Adresse secondaire"
#: Note keeping a CEDEX label given without its code (no CEDEX line can be built).
CEDEX_WITHOUT_CODE_NOTE: Final = "Libellé CEDEX sans code"

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

#: The second address, read after :data:`_ET_COLUMNS` and kept in the notes.
_SECOND_COLUMNS = (
    "complementAdresse2Etablissement",
    "numeroVoie2Etablissement",
    "indiceRepetition2Etablissement",
    "typeVoie2Etablissement",
    "libelleVoie2Etablissement",
    "codePostal2Etablissement",
    "libelleCommune2Etablissement",
    "libelleCommuneEtranger2Etablissement",
    "distributionSpeciale2Etablissement",
    "codeCommune2Etablissement",
    "codeCedex2Etablissement",
    "libelleCedex2Etablissement",
    "codePaysEtranger2Etablissement",
    "libellePaysEtranger2Etablissement",
)

_NAF_RE = re.compile(r"^(\d{2})\.?(\d{2})\s*([A-Za-z])$")
# A boîte postale alone, after R3 cleaning (R7.1 spellings): `BP 25`, `BOITE POSTALE 25`.
_BP_ALONE = re.compile(r"(?:BP|B P|BOITE POSTALE)(?: \w+)?")


class LegalUnit(NamedTuple):
    """The StockUniteLegale columns an establishment record needs."""

    diffusion: str
    name: str
    acronym: str
    legal_form: str


def _clean_cells(cells: tuple[str, ...]) -> list[str]:
    """Strip every cell and turn the ``[ND]`` mask into an empty string.

    One list pass, and a second only for a row holding a mask: no call per cell.
    """
    values = [cell.strip() for cell in cells]
    if MASKED in values:
        values = ["" if cell == MASKED else cell for cell in values]
    return values


def _pad(row: list[str], width: int) -> list[str]:
    """Read a short row's missing cells as empty, and add the cell absent columns read.

    :func:`_column_indexes` gives an absent column the index -1: the padding cell.
    """
    if len(row) < width:
        row.extend([""] * (width - len(row)))
    row.append("")
    return row


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
    cells = itemgetter(*_column_indexes(header, _UL_COLUMNS, path))
    width = len(header)
    units: dict[str, LegalUnit] = {}
    for _line, row in rows:
        if not row:
            continue
        siren, diffusion, denomination, acronym, first, last, usage, form = _clean_cells(
            cells(_pad(row, width))
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


class MailingAddress(NamedTuple):
    """Where mail to an establishment goes, as typed fields, and what they leave out.

    Attributes:
        service: Line 5: the special distribution (BP, TSA, CS), possibly followed
            by the establishment's commune (R5).
        postcode: Line 6 postcode: the CEDEX code, else the geographic postcode.
        city: Line 6 locality: the CEDEX label, else the commune.
        note: « Adresse géographique : … » when the CEDEX line replaced the
            geographic postcode and commune, « Libellé CEDEX sans code : … » for
            a label the file gives without its code; ``""`` otherwise.
    """

    service: str
    postcode: str
    city: str
    note: str


def _geographic(postcode: str, city: str, city_code: str) -> str:
    """``13011 MARSEILLE 11 (code commune 13211)``: the file's values, as read."""
    place = " ".join(part for part in (postcode, city) if part)
    if city_code:
        return f"{place} (code commune {city_code})".lstrip()
    return place


def mailing_address(
    *,
    distribution: str,
    postcode: str,
    city: str,
    city_code: str,
    cedex_code: str,
    cedex_label: str,
) -> MailingAddress:
    """Lines 5 and 6 of an establishment's postal address (docs/address-standard.md R4, R5, R21).

    With a CEDEX code, line 6 is ``codeCedex libelleCedex`` (``13779 MARSEILLE
    CEDEX 11``; the word CEDEX is added to a label that lacks it, and a missing
    label is the commune's name), and the geographic postcode and commune, which
    line 6 no longer carries, are kept in the note. A BP is then followed on line 5
    by the establishment's commune when it is not the CEDEX locality (R5:
    ``BP 90432 MONTFERRIER SUR LEZ`` above ``34092 MONTPELLIER CEDEX 5``), if the
    line still fits in 38 characters; a TSA or CS is not (a sorting-centre or
    bulk-mail number, not a post office box). Without a CEDEX code the
    geographic postcode and commune are line 6 and the distribution stays as read.

    Only rows with a CEDEX do any work beyond returning their arguments.
    """
    if not cedex_code:
        note = f"{CEDEX_WITHOUT_CODE_NOTE} : {cedex_label}" if cedex_label else ""
        return MailingAddress(distribution, postcode, city, note)
    geographic = plm_city(postcode) or parse_city(city, postcode).name
    label = cedex_label or geographic
    cedex = parse_city(label, cedex_code)
    if not cedex.cedex:
        label = f"{label} CEDEX".lstrip()
    service = distribution
    if (
        geographic
        and geographic != cedex.name
        and _BP_ALONE.fullmatch(clean(distribution))
        and len(clean(f"{distribution} {geographic}")) <= MAX_LINE_LENGTH
    ):
        service = f"{distribution} {geographic}"
    place = _geographic(postcode, city, city_code)
    note = f"{GEOGRAPHIC_NOTE} : {place}" if place else ""
    return MailingAddress(service, cedex_code, label, note)


def second_address_note(cells: list[str]) -> str:
    """« Adresse secondaire : … », the ``…2Etablissement`` columns as read, or ``""``.

    Args:
        cells: The cleaned values of the second-address columns, in INSEE order
            (complement, number, index, street type, label, postcode, commune,
            foreign city, distribution, commune code, CEDEX code, CEDEX label,
            country code, country).
    """
    (
        complement, number, repetition, street_type, street_label, postcode, city, foreign_city,
        distribution, city_code, cedex_code, cedex_label, country_code, country,
    ) = cells  # fmt: skip
    codes = [f"code commune {city_code}" if city_code else ""]
    codes.append(f"code pays {country_code}" if country_code else "")
    parts = [
        complement,
        street_line(number, repetition, street_type, street_label),
        distribution,
        " ".join(part for part in (postcode, city or foreign_city) if part),
        " ".join(part for part in (cedex_code, cedex_label) if part),
        country,
    ]
    text = ", ".join(part for part in parts if part)
    suffix = ", ".join(code for code in codes if code)
    if suffix:
        text = f"{text} ({suffix})" if text else suffix
    return f"{SECOND_ADDRESS_NOTE} : {text}" if text else ""


def _record(values: list[str], unit: LegalUnit, line: int, second: str) -> RawRecord:
    """Build the flat record of one open, diffusible establishment.

    Args:
        values: The cleaned :data:`_ET_COLUMNS` of the row.
        unit: Its legal unit.
        line: The line where the row ends.
        second: The second-address note (:func:`second_address_note`), or ``""``.
    """
    (
        siren, nic, siret, _diffusion, headcount, head_office, complement, number, repetition,
        street_type, street_label, postcode, city, foreign_city, distribution, city_code,
        cedex_code, cedex_label, country_code, country, _state, enseigne1, usual_name, naf,
        nomenclature,
    ) = values  # fmt: skip
    naf_code = normalise_naf(naf) if nomenclature in ("", "NAFRev2") else ""
    city = city or foreign_city
    if cedex_code or cedex_label:  # a few rows in a hundred: keep the others fast
        mailing = mailing_address(
            distribution=distribution,
            postcode=postcode,
            city=city,
            city_code=city_code,
            cedex_code=cedex_code,
            cedex_label=cedex_label,
        )
    else:
        mailing = MailingAddress(distribution, postcode, city, "")
    notes = f"{mailing.note}\n{second}" if mailing.note and second else mailing.note or second
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
        "city": city,
        "city_code": city_code,
        "cedex_code": cedex_code,
        "cedex_label": cedex_label,
        "country_code": country_code,
        "country": country,
        "mailing_service": mailing.service,
        "mailing_postcode": mailing.postcode,
        "mailing_city": mailing.city,
        "notes": notes,
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
    idx = _column_indexes(header, _ET_COLUMNS + _SECOND_COLUMNS, establishments)
    width = len(header)
    main_cells = itemgetter(*idx[: len(_ET_COLUMNS)])
    second_cells = itemgetter(*idx[len(_ET_COLUMNS) :])
    for line, row in rows:
        if not row:
            continue
        values = _clean_cells(main_cells(_pad(row, width)))
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
        second = second_cells(row)
        note = second_address_note(_clean_cells(second)) if any(second) else ""
        yield _record(values, unit, line, note)


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
