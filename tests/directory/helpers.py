"""Helpers shared by the import tests: a broker's CSV file, a seeded base, dumps, API results."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import text
from stdnum import luhn

from microcrm.db import Database
from microcrm.models import Address, Organisation, Person, Stage

# --- a file rented from a list broker -----------------------------------------------------

BROKER_HEADER = [
    "Raison sociale",
    "SIRET",
    "Adresse",
    "CP",
    "Ville",
    "Téléphone",
    "E-mail",
    "Civilité",
    "Prénom dirigeant",
    "Nom dirigeant",
    "Fonction",
]
_SKIP = {"version_id", "updated_at", "updated_by"}


def siret(seed: int) -> str:
    """A valid SIRET (Luhn on SIREN and SIRET) built from a number."""
    body = f"{seed:08d}"
    siren = body + luhn.calc_check_digit(body)
    nic = "0001"
    return siren + nic + luhn.calc_check_digit(siren + nic)


def write_broker(
    path: Path, rows: list[dict[str, str]], header: Sequence[str] = BROKER_HEADER
) -> Path:
    """A broker's CSV file (``;``-separated, UTF-8) of ``rows`` under ``header``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, header, delimiter=";", restval="")
        writer.writeheader()
        writer.writerows(rows)
    return path


def dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every business row, without the optimistic-lock bookkeeping."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in ("organisation", "person", "address", "import_batch", "import_change"):
            result = conn.execute(text(f"select * from {table} order by id"))
            columns = list(result.keys())
            keys = [k for k in columns if k not in _SKIP]
            out[table] = [tuple(r._mapping[k] for k in keys) for r in result]
    return out


def seed_db(db: Database) -> tuple[int, int]:
    def write(session: Any) -> tuple[int, int]:
        known = Organisation(name="Boulangerie Dupont", siret=siret(1), stage=Stage.CLIENT)
        known.addresses.append(Address(line1="1 rue de la Paix", postcode="75002", city="PARIS"))
        old = Organisation(
            name="Menuiserie Quentin Lavoie",
            email="contact@lavoie.fr",
            stage=Stage.ANCIEN_CLIENT,
        )
        old.addresses.append(Address(line1="3 rue Royale", postcode="69001", city="LYON"))
        old.persons.append(Person(first_name="Paul", last_name="Lavoie", role="Gérant"))
        session.add_all([known, old])
        session.flush()
        return known.id, old.id

    return db.run_write(write)


def broker_rows() -> list[dict[str, str]]:
    return [
        {  # new organisation with its manager
            "Raison sociale": "Garage Vertbois",
            "SIRET": siret(2),
            "Adresse": "10 avenue Foch",
            "CP": "33000",
            "Ville": "Bordeaux",
            "Téléphone": "05 56 00 00 01",
            "Civilité": "M.",
            "Prénom dirigeant": "Luc",
            "Nom dirigeant": "Vertbois",
        },
        {  # same SIRET again (within the file): fills the e-mail, another person
            "Raison sociale": "GARAGE VERTBOIS SARL",
            "SIRET": siret(2),
            "CP": "33000",
            "Ville": "Bordeaux",
            "E-mail": "garage@vertbois.fr",
            "Prénom dirigeant": "Anne",
            "Nom dirigeant": "Vertbois",
            "Fonction": "Comptable",
        },
        {  # the database's Dupont by SIRET: fills the phone, keeps the name
            "Raison sociale": "Dupont Boulangerie Pâtisserie",
            "SIRET": siret(1),
            "CP": "75002",
            "Ville": "Paris",
            "Téléphone": "01 42 68 53 00",
            "E-mail": "dupont@example.fr",
        },
        {  # the database's Lavoie by name + postcode; same person, role not overwritten
            "Raison sociale": "MENUISERIE QUENTIN LAVOIE",
            "CP": "69001",
            "Ville": "Lyon",
            "E-mail": "autre@lavoie.fr",
            "Prénom dirigeant": "Paul",
            "Nom dirigeant": "Lavoie",
            "Fonction": "Président",
            "Téléphone": "04 78 00 00 01",
        },
        {},  # blank
        {"Raison sociale": "Total général"},  # a name and nothing else
        {  # invalid SIRET: dropped with a warning, row kept
            "Raison sociale": "Atelier Zébulon",
            "SIRET": "12345678901234",
            "CP": "13001",
            "Ville": "Marseille",
            "Téléphone": "04 91 00 00 01",
        },
    ]


# --- what an import leaves in the base -----------------------------------------------------


_VOLATILE = {"created_at", "updated_at", "updated_by", "version_id", "undone_at", "ts"}


def stable_dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Business rows of every table an import touches, timestamps left out."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    tables = {
        "organisation": "id",
        "person": "id",
        "address": "id",
        "tag": "id",
        "organisation_tag": "organisation_id, tag_id",
        "person_tag": "person_id, tag_id",
        "import_batch": "id",
        "import_change": "id",
    }
    with db.engine.connect() as conn:
        for table, order in tables.items():
            result = conn.execute(text(f"select * from {table} order by {order}"))
            columns = list(result.keys())
            keys = [k for k in columns if k not in _VOLATILE]
            out[table] = [tuple(r._mapping[k] for k in keys) for r in result]
    return out


# --- replies of the recherche-entreprises API -----------------------------------------------


def api_establishment(siren: str, nic: str, **overrides: Any) -> dict[str, Any]:
    est: dict[str, Any] = {
        "siret": siren + nic,
        "est_siege": nic == "00012",
        "etat_administratif": "A",
        "activite_principale": "62.01Z",
        "numero_voie": "12",
        "indice_repetition": None,
        "type_voie": "RUE",
        "libelle_voie": "DES LILAS",
        "complement_adresse": None,
        "distribution_speciale": None,
        "cedex": None,
        "libelle_cedex": None,
        "code_postal": "31000",
        "commune": "31555",
        "libelle_commune": "TOULOUSE",
        "latitude": "43.6",
        "longitude": "1.44",
    }
    est.update(overrides)
    return est


def make_result(index: int) -> dict[str, Any]:
    """Legal unit ``index`` (1-based): a company, a natural person, CEDEX, closed branches."""
    siren = f"{800000000 + index:09d}"
    result: dict[str, Any] = {
        "siren": siren,
        "nom_complet": f"SOCIETE {index} (S{index})",
        "nom_raison_sociale": f"SOCIETE {index}",
        "sigle": f"S{index}",
        "nature_juridique": "5710",
        "activite_principale": "62.01Z",
        "tranche_effectif_salarie": "11",
        "etat_administratif": "A",
    }
    head = api_establishment(siren, "00012")
    matching = [head]
    if index == 2:  # natural person: no denomination
        result.update(
            nom_complet="JEANNE DUPONT",
            nom_raison_sociale=None,
            sigle=None,
            nature_juridique="1000",
            tranche_effectif_salarie="NN",
        )
    if index == 3:  # CEDEX address, street type code, repetition index
        head.update(
            numero_voie="5",
            indice_repetition="b",
            type_voie="AV",
            libelle_voie="JEAN JAURES",
            complement_adresse="BATIMENT C",
            distribution_speciale="CS 40001",
            cedex="31041",
            libelle_cedex="TOULOUSE CEDEX 9",
            code_postal="31041",
        )
    if index % 10 == 4:  # an open branch and a closed one
        matching = [
            head,
            api_establishment(siren, "00020", est_siege=False, activite_principale="6202A"),
            api_establishment(siren, "00038", est_siege=False, etat_administratif="F"),
        ]
    result["siege"] = head
    result["matching_etablissements"] = matching
    return result
