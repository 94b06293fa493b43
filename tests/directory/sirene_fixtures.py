"""Seeded SIRENE stock extracts of any size, as INSEE writes them, for tests and benchmarks.

:data:`ET_HEADER` and :data:`UL_HEADER` are the INSEE headers (the 54
establishment columns, the legal-unit columns the reader needs plus one INSEE
may add); :func:`establishment`, :func:`legal_unit` and :func:`write_csv` write
hand-made rows under them. :func:`write_sirene_pair` writes a StockEtablissement
/ StockUniteLegale pair of any size under the same headers, shuffled, valid SIRETs (Luhn on SIREN and SIRET), real (postcode, commune) pairs of the
La Poste reference, street types and repetition indexes, CEDEX and special
distribution lines, establishments abroad, enseignes, natural persons
(legal form 1000), closed (``F``) and non-diffusible (``P``) rows, and
optionally rows duplicating organisations already in a database (same SIRET,
or a spelling variant of the name in the same postcode).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from stdnum import luhn

from microcrm.crm.codes import naf_table
from microcrm.postal.reference import load_reference

# --- the INSEE files' headers, and rows written by hand -------------------------------------

SECOND_ADDRESS = [
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
]

ET_HEADER = (
    (
        "siren,nic,siret,statutDiffusionEtablissement,dateCreationEtablissement,"
        "trancheEffectifsEtablissement,anneeEffectifsEtablissement,"
        "activitePrincipaleRegistreMetiersEtablissement,dateDernierTraitementEtablissement,"
        "etablissementSiege,nombrePeriodesEtablissement,complementAdresseEtablissement,"
        "numeroVoieEtablissement,indiceRepetitionEtablissement,dernierNumeroVoieEtablissement,"
        "indiceRepetitionDernierNumeroVoieEtablissement,typeVoieEtablissement,"
        "libelleVoieEtablissement,codePostalEtablissement,libelleCommuneEtablissement,"
        "libelleCommuneEtrangerEtablissement,distributionSpecialeEtablissement,"
        "codeCommuneEtablissement,codeCedexEtablissement,libelleCedexEtablissement,"
        "codePaysEtrangerEtablissement,libellePaysEtrangerEtablissement,"
        "identifiantAdresseEtablissement,coordonneeLambertAbscisseEtablissement,"
        "coordonneeLambertOrdonneeEtablissement"
    ).split(",")
    + SECOND_ADDRESS
    + (
        "dateDebut,etatAdministratifEtablissement,enseigne1Etablissement,enseigne2Etablissement,"
        "enseigne3Etablissement,denominationUsuelleEtablissement,activitePrincipaleEtablissement,"
        "nomenclatureActivitePrincipaleEtablissement,caractereEmployeurEtablissement,"
        "activitePrincipaleNAF25Etablissement"
    ).split(",")
)

UL_HEADER = (
    "siren,statutDiffusionUniteLegale,unitePurgeeUniteLegale,dateCreationUniteLegale,"
    "sigleUniteLegale,sexeUniteLegale,prenom1UniteLegale,prenomUsuelUniteLegale,"
    "pseudonymeUniteLegale,identifiantAssociationUniteLegale,trancheEffectifsUniteLegale,"
    "categorieEntreprise,etatAdministratifUniteLegale,nomUniteLegale,nomUsageUniteLegale,"
    "denominationUniteLegale,categorieJuridiqueUniteLegale,activitePrincipaleUniteLegale,"
    "nicSiegeUniteLegale,colonneAjouteeParInsee2027"
).split(",")


def write_csv(path: Path, header: list[str], rows: list[dict[str, str]], seed: int) -> None:
    """Write rows by header name, columns shuffled, as INSEE may reorder or add them."""
    columns = list(header)
    random.Random(seed).shuffle(columns)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def establishment(siren: str, nic: str, **values: str) -> dict[str, str]:
    row = {
        "siren": siren,
        "nic": nic,
        "siret": siren + nic,
        "statutDiffusionEtablissement": "O",
        "etatAdministratifEtablissement": "A",
        "etablissementSiege": "true",
        "trancheEffectifsEtablissement": "11",
        "activitePrincipaleEtablissement": "62.01Z",
        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
        "activitePrincipaleNAF25Etablissement": "62.10Y",
        "numeroVoieEtablissement": "14",
        "typeVoieEtablissement": "RUE",
        "libelleVoieEtablissement": "DE LA PAIX",
        "codePostalEtablissement": "75002",
        "libelleCommuneEtablissement": "PARIS",
        "codeCommuneEtablissement": "75102",
        "dateDernierTraitementEtablissement": "2025-03-01T10:11:12",
    }
    row.update(values)
    return row


def legal_unit(siren: str, **values: str) -> dict[str, str]:
    row = {
        "siren": siren,
        "statutDiffusionUniteLegale": "O",
        "denominationUniteLegale": "ACME",
        "categorieJuridiqueUniteLegale": "5710",
        "etatAdministratifUniteLegale": "A",
        "colonneAjouteeParInsee2027": "x",
    }
    row.update(values)
    return row


# --- CEDEX, BP, TSA and CS establishments (docs/address-standard.md R5, R15, R21) -----------


def _place(postcode: str, commune: str, code: str, street: str) -> dict[str, str]:
    """The geographic address; ``street`` is ``number typeVoie libelleVoie``."""
    number, street_type, label = street.split(" ", 2)
    return {
        "codePostalEtablissement": postcode,
        "libelleCommuneEtablissement": commune,
        "codeCommuneEtablissement": code,
        "numeroVoieEtablissement": number,
        "typeVoieEtablissement": street_type,
        "libelleVoieEtablissement": label,
    }


def _cedex(distribution: str, code: str, label: str) -> dict[str, str]:
    return {
        "distributionSpecialeEtablissement": distribution,
        "codeCedexEtablissement": code,
        "libelleCedexEtablissement": label,
    }


CEDEX_CASES: Final[dict[str, dict[str, str]]] = {
    # Marseille 11e: a BP at the CEDEX office itself.
    "bp_cedex_marseille": _place("13011", "MARSEILLE 11", "13211", "45 BD DE LA VALBARELLE")
    | _cedex("BP 25", "13779", "MARSEILLE CEDEX 11"),
    # A BP at Montferrier-sur-Lez's office, sorted by Montpellier's CEDEX (R5's example).
    "bp_cedex_other_office": _place("34980", "MONTFERRIER-SUR-LEZ", "34169", "1203 RTE DE MENDE")
    | _cedex("BP 90432", "34092", "MONTPELLIER CEDEX 5"),
    # A TSA in Lyon for a Villeurbanne company: a sorting-centre number, no commune after it.
    "tsa_cedex_lyon": _place("69100", "VILLEURBANNE", "69266", "12 RUE FRANCIS DE PRESSENSE")
    | _cedex("TSA 30010", "69441", "LYON CEDEX 03"),
    # Paris 7e: CS and a building.
    "cs_cedex_paris": _place("75007", "PARIS 7", "75107", "9 AV DE SEGUR")
    | _cedex("CS 70001", "75341", "PARIS CEDEX 07")
    | {"complementAdresseEtablissement": "BATIMENT C"},
    # An industrial zone, a CS and an unnumbered CEDEX office.
    "cs_cedex_zone": _place("13400", "AUBAGNE", "13005", "180 AV DE LA FOUGERE")
    | _cedex("CS 30001", "13685", "AUBAGNE CEDEX")
    | {"complementAdresseEtablissement": "ZI DES PALUDS"},
    # A CEDEX with no special distribution.
    "cedex_only": _place("31670", "LABEGE", "31254", "8 RUE DE LA DECOUVERTE")
    | _cedex("", "31673", "LABEGE CEDEX"),
    # Lyon 3e, a CEDEX office number written with its leading zero.
    "cedex_only_lyon": _place("69003", "LYON 3EME", "69383", "20 RUE GARIBALDI")
    | _cedex("", "69421", "LYON CEDEX 03"),
    # A BP without CEDEX, Lyon 3e: the geographic postcode stays on line 6.
    "bp_no_cedex_lyon": _place("69003", "LYON 3EME", "69383", "7 PL GUICHARD")
    | _cedex("BP 3021", "", ""),
    # Corse-du-Sud (2A): a BP without CEDEX.
    "bp_no_cedex_2a": _place("20000", "AJACCIO", "2A004", "2 CRS NAPOLEON")
    | _cedex("BP 12", "", ""),
    # Corse-du-Sud (2A): a CEDEX office number.
    "cedex_2a": _place("20090", "AJACCIO", "2A004", "5 AV NOEL FRANCHINI")
    | _cedex("", "20186", "AJACCIO CEDEX 2"),
    # Haute-Corse (2B): a BP and an unnumbered CEDEX.
    "bp_cedex_2b": _place("20200", "BASTIA", "2B033", "3 BD PAOLI")
    | _cedex("BP 345", "20297", "BASTIA CEDEX"),
    # A CEDEX code whose label is missing: the commune's name, then CEDEX.
    "cedex_without_label": _place("13011", "MARSEILLE 11", "13211", "45 BD DE LA VALBARELLE")
    | _cedex("BP 26", "13779", ""),
    # A CEDEX label without its code: no CEDEX line can be built, the label is kept in the notes.
    "label_without_code": _place("13011", "MARSEILLE 11", "13211", "47 BD DE LA VALBARELLE")
    | _cedex("BP 27", "", "MARSEILLE CEDEX 11"),
    # A second address (INSEE's …2Etablissement columns), itself at a CEDEX.
    "second_address": _place("75002", "PARIS 2", "75102", "14 RUE DE LA PAIX")
    | {
        "complementAdresse2Etablissement": "ENTREPOT NORD",
        "numeroVoie2Etablissement": "3",
        "indiceRepetition2Etablissement": "B",
        "typeVoie2Etablissement": "RUE",
        "libelleVoie2Etablissement": "DES ENTREPRENEURS",
        "codePostal2Etablissement": "93200",
        "libelleCommune2Etablissement": "SAINT-DENIS",
        "codeCommune2Etablissement": "93066",
        "distributionSpeciale2Etablissement": "BP 14",
        "codeCedex2Etablissement": "93201",
        "libelleCedex2Etablissement": "ST DENIS CEDEX",
    },
}
"""Establishment columns of each hand-made CEDEX case, by case name (see write_cedex_pair)."""


def write_cedex_pair(establishments: Path, legal_units: Path) -> dict[str, str]:
    """Write one open establishment per :data:`CEDEX_CASES` case, each its own legal unit.

    The legal unit is named after the case (``BP_CEDEX_MARSEILLE``).

    Returns:
        Case name → SIRET.
    """
    sirets = {name: make_siret(31_000_000 + 7 * n, 1) for n, name in enumerate(CEDEX_CASES)}
    rows = [
        establishment(siret[:9], siret[9:], **CEDEX_CASES[name]) for name, siret in sirets.items()
    ]
    units = [
        legal_unit(siret[:9], denominationUniteLegale=name.upper())
        for name, siret in sirets.items()
    ]
    write_csv(establishments, ET_HEADER, rows, seed=11)
    write_csv(legal_units, UL_HEADER, units, seed=12)
    return sirets


# --- seeded extracts of any size ------------------------------------------------------------

_WORDS: Final = (
    "ATELIER BATI CONSEIL DISTRIBUTION ELEC EXPERTISE FRANCE GARAGE HABITAT IMMOBILIER "
    "INGENIERIE INFORMATIQUE JARDINS LOGISTIQUE MENUISERIE METALLERIE NEGOCE OPTIQUE "
    "PLOMBERIE PHARMACIE RENOVATION SERVICES SOLUTIONS TECHNOLOGIES TRANSPORTS TRAVAUX "
    "BOULANGERIE COIFFURE AMBULANCES CABINET AGENCE CONSTRUCTIONS PEINTURE CHARPENTE"
).split()
_NAMES: Final = (
    "MARTIN BERNARD DUBOIS THOMAS ROBERT RICHARD PETIT DURAND LEROY MOREAU SIMON LAURENT "
    "LEFEBVRE MICHEL GARCIA DAVID BERTRAND ROUX VINCENT FOURNIER MOREL GIRARD ANDRE "
    "LEFEVRE MERCIER DUPONT LAMBERT BONNET FRANCOIS MARTINEZ LEGRAND GARNIER FAURE ROUSSEAU"
).split()
_FIRST: Final = "JEAN MARIE PIERRE ANNE MICHEL SOPHIE LUC CLAIRE PAUL JULIE".split()
_TYPES: Final = ("RUE", "AV", "BD", "IMP", "CHE", "PL", "ALL", "RTE", "LD", "QUAI", "")
_STREETS: Final = (
    "DE LA PAIX",
    "DU GENERAL DE GAULLE",
    "DES LILAS",
    "VICTOR HUGO",
    "JEAN JAURES",
    "DE LA REPUBLIQUE",
    "DU MOULIN",
    "PASTEUR",
    "DES ECOLES",
    "DE LA GARE",
)
_FORMS: Final = ("5499", "5710", "5720", "5498", "5599", "6540", "9220", "5485", "1000")
_BANDS: Final = ("NN", "00", "01", "02", "03", "11", "12", "21", "22", "")


@dataclass(frozen=True, slots=True)
class KnownOrganisation:
    """An organisation already in the database that the extract may duplicate."""

    siret: str | None
    name: str
    postcode: str
    city: str


def make_siret(siren_body: int, nic_body: int) -> str:
    """A valid SIRET from an 8-digit SIREN body and a 4-digit NIC body."""
    body = f"{siren_body % 10**8:08d}"
    siren = body + luhn.calc_check_digit(body)
    nic = f"{nic_body % 10**4:04d}"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def _variant(rng: random.Random, name: str) -> str:
    """The same company as a list broker or INSEE may spell it."""
    upper = name.upper()
    roll = rng.random()
    if roll < 0.4:
        return upper + " SARL"
    if roll < 0.7:
        return upper.replace("&", "ET")
    return "ETS " + upper


def write_sirene_pair(
    establishments: Path,
    legal_units: Path,
    rows: int,
    *,
    seed: int = 1,
    known: Sequence[KnownOrganisation] = (),
    same_siret: float = 0.0,
    same_name: float = 0.0,
) -> int:
    """Write a seeded SIRENE extract of ``rows`` establishments and their legal units.

    Args:
        establishments: StockEtablissement file to write.
        legal_units: StockUniteLegale file to write.
        rows: Establishment rows.
        seed: Random seed: the same arguments give the same files.
        known: Organisations of a database, for the duplicate rows.
        same_siret: Share of rows repeating the SIRET of a known organisation.
        same_name: Share of rows naming a known organisation without SIRET
            (name variant, same postcode).

    Returns:
        The number of rows written that duplicate a known organisation.
    """
    rng = random.Random(seed)
    places = [r for r in load_reference().all_rows() if not r.postcode.startswith("98")]
    nafs = sorted(naf_table())
    with_siret = [k for k in known if k.siret]
    without_siret = [k for k in known if not k.siret]
    taken = {k.siret[:9] for k in with_siret if k.siret}
    units: dict[str, dict[str, str]] = {}
    duplicates = 0
    et_columns = list(ET_HEADER)
    ul_columns = list(UL_HEADER)
    random.Random(seed + 1).shuffle(et_columns)
    random.Random(seed + 2).shuffle(ul_columns)
    with establishments.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, et_columns, restval="", lineterminator="\n")
        writer.writeheader()
        next_siren = rng.randrange(10**7)
        for line in range(rows):
            roll = rng.random()
            place = rng.choice(places)
            postcode, city = place.postcode, place.libelle
            name = ""
            if roll < same_siret and with_siret:
                dup = rng.choice(with_siret)
                assert dup.siret is not None
                siret = dup.siret
                name = _variant(rng, dup.name)
                postcode, city = dup.postcode or postcode, dup.city or city
                duplicates += 1
            elif roll < same_siret + same_name and without_siret:
                dup = rng.choice(without_siret)
                next_siren += 1 + rng.randrange(3)
                siret = make_siret(next_siren, 1)
                name = _variant(rng, dup.name)
                postcode, city = dup.postcode, dup.city
                duplicates += 1
            elif units and rng.random() < 0.35:  # another establishment of a known unit
                siren = rng.choice(list(units)[-200:])
                siret = make_siret(int(siren[:8]), 2 + rng.randrange(9000))
            else:
                next_siren += 1 + rng.randrange(3)
                siret = make_siret(next_siren, 1)
                while siret[:9] in taken:
                    next_siren += 1
                    siret = make_siret(next_siren, 1)
            siren = siret[:9]
            if siren not in units:
                units[siren] = _unit(rng, siren, name)
            writer.writerow(
                _establishment(rng, siret, postcode=postcode, city=city, nafs=nafs, line=line)
            )
    with legal_units.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, ul_columns, restval="", lineterminator="\n")
        writer.writeheader()
        writer.writerows(units.values())
    return duplicates


def _unit(rng: random.Random, siren: str, name: str) -> dict[str, str]:
    form = rng.choice(_FORMS) if not name else "5499"
    unit = {
        "siren": siren,
        "statutDiffusionUniteLegale": "P" if rng.random() < 0.01 else "O",
        "dateCreationUniteLegale": f"{rng.randrange(1950, 2025)}-0{rng.randrange(1, 10)}-15",
        "categorieJuridiqueUniteLegale": form,
        "etatAdministratifUniteLegale": "A",
        "trancheEffectifsUniteLegale": rng.choice(_BANDS),
        "categorieEntreprise": rng.choice(("PME", "ETI", "GE", "")),
        "colonneAjouteeParInsee2027": "x",
    }
    if form == "1000":
        unit["prenomUsuelUniteLegale"] = rng.choice(_FIRST)
        unit["prenom1UniteLegale"] = unit["prenomUsuelUniteLegale"]
        unit["nomUniteLegale"] = rng.choice(_NAMES)
        if rng.random() < 0.3:
            unit["nomUsageUniteLegale"] = rng.choice(_NAMES)
    else:
        unit["denominationUniteLegale"] = name or (
            f"{rng.choice(_WORDS)} {rng.choice(_NAMES)}"
            + (f" {rng.choice(_WORDS)}" if rng.random() < 0.5 else "")
        )
        if rng.random() < 0.1:
            unit["sigleUniteLegale"] = "".join(
                w[0] for w in unit["denominationUniteLegale"].split()
            )
    return unit


def _establishment(
    rng: random.Random, siret: str, *, postcode: str, city: str, nafs: list[str], line: int
) -> dict[str, str]:
    roll = rng.random()
    street_type = rng.choice(_TYPES)
    row = {
        "siren": siret[:9],
        "nic": siret[9:],
        "siret": siret,
        "statutDiffusionEtablissement": "P" if rng.random() < 0.02 else "O",
        "dateCreationEtablissement": f"{rng.randrange(1960, 2025)}-01-01",
        "trancheEffectifsEtablissement": rng.choice(_BANDS),
        "dateDernierTraitementEtablissement": "2025-03-01T10:11:12",
        "etablissementSiege": "true" if siret[9:13] == "0001" else "false",
        "numeroVoieEtablissement": str(rng.randrange(1, 300)) if street_type != "LD" else "",
        "indiceRepetitionEtablissement": "B" if rng.random() < 0.05 else "",
        "typeVoieEtablissement": street_type,
        "libelleVoieEtablissement": rng.choice(_STREETS),
        "codePostalEtablissement": postcode,
        "libelleCommuneEtablissement": city,
        "dateDebut": "2020-01-01",
        "etatAdministratifEtablissement": "F" if rng.random() < 0.15 else "A",
        "activitePrincipaleEtablissement": rng.choice(nafs),
        "nomenclatureActivitePrincipaleEtablissement": "NAFRev2",
        "caractereEmployeurEtablissement": "O",
    }
    if rng.random() < 0.1:
        row["complementAdresseEtablissement"] = f"BATIMENT {chr(65 + line % 6)}"
    if rng.random() < 0.3:
        row["enseigne1Etablissement"] = f"{rng.choice(_WORDS)} {rng.choice(_NAMES)}"
    if roll < 0.02:
        row["distributionSpecialeEtablissement"] = f"CS {rng.randrange(10000, 99999)}"
        row["codeCedexEtablissement"] = postcode
        row["libelleCedexEtablissement"] = f"{city} CEDEX"
    elif roll < 0.025:
        row.update(
            codePostalEtablissement="",
            libelleCommuneEtablissement="",
            libelleCommuneEtrangerEtablissement="BRUXELLES",
            codePaysEtrangerEtablissement="99131",
            libellePaysEtrangerEtablissement="BELGIQUE",
        )
    return row
