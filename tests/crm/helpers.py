"""The address-batch tests' base: addresses as typed or imported, and what normalising them gives."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.crm.address_batch import ProposalKind
from microcrm.crm.addresses import AddressRecord, save_primary_address
from microcrm.crm.parties import OrganisationRecord, save_organisation
from microcrm.db import Database
from microcrm.models import Address, ChangeLog, ImportBatch, ImportChange

#: (name, (line1, postcode, city, country) as typed, saved through the record sheet service?)
CASES: list[tuple[str, tuple[str, str, str, str], bool]] = [
    ("Boulangerie Martin", ("12 rue de la Paix", "35000", "Rennes", ""), True),
    ("Fromagerie de l'Ain", ("3 rue Bourgmayer", "1000", "Bourg-en-Bresse", ""), True),
    ("Chantier naval du Ponant", ("1 rue de Siam", "29200", "Brst", ""), True),
    ("Maison Kléber", ("10 avenue Kléber", "75016", "Paris 16e", ""), True),
    ("Agence Hérault Conseil", ("BP 1234", "34092", "Montpellier cedex 5", ""), True),
    ("Brasserie Liégeoise", ("Rue Haute 12", "B-4000", "Liège", "Belgique"), True),
    # Imported rows, never normalised (as a raw import or an old version leaves them).
    ("Imprimerie Occitane", ("BP 90432", "34092", "Montpellier Cedex 5", ""), False),
    ("Chocolaterie Bruxelloise", ("Rue Haute 12", "B-4000", "Liège", "Belgique"), False),
    ("Garage Sans Code", ("3 rue du Moulin", "123", "Rennes", ""), False),
    ("Atelier de l'Ain", ("5 place Carriat", "1000", "Bourg-en-Bresse", ""), False),
    ("Quincaillerie Mal Placée", ("8 rue Neuve", "1000", "Lyon", ""), False),
    ("Café des Milles", ("2 avenue Gaston Berger", "13290", "Aix-en-Provence", ""), False),
]

#: Name -> (kind, typed postcode after, typed city after), for the addresses that change.
EXPECTED: dict[str, tuple[ProposalKind, str, str]] = {
    "Fromagerie de l'Ain": (ProposalKind.CORRECTED, "01000", "Bourg-en-Bresse"),
    "Chantier naval du Ponant": (ProposalKind.CORRECTED, "29200", "BREST"),
    "Maison Kléber": (ProposalKind.CORRECTED, "75016", "PARIS"),
    "Imprimerie Occitane": (ProposalKind.FORMATTED, "34092", "Montpellier Cedex 5"),
    "Chocolaterie Bruxelloise": (ProposalKind.FORMATTED, "B-4000", "Liège"),
    "Garage Sans Code": (ProposalKind.INVALID, "123", "Rennes"),
    "Atelier de l'Ain": (ProposalKind.CORRECTED, "01000", "Bourg-en-Bresse"),
    "Quincaillerie Mal Placée": (ProposalKind.INVALID, "1000", "Lyon"),
    "Café des Milles": (ProposalKind.CORRECTED, "13290", "LES MILLES"),
}


@dataclass
class Base:
    db: Database
    org_ids: list[int]
    by_name: dict[str, int]


def fill(db: Database) -> Base:
    by_name: dict[str, int] = {}
    for name, (line1, postcode, city, country), through_service in CASES:
        org = save_organisation(db, OrganisationRecord(name=name)).record
        assert org.id is not None
        by_name[name] = org.id
        if through_service:
            typed = AddressRecord(line1=line1, postcode=postcode, city=city, country=country)
            save_primary_address(db, org.id, typed)
        else:
            row = Address(organisation_id=org.id, is_primary=True, line1=line1,
                          postcode=postcode, city=city, country=country)

            def raw(s: Session, row: Address = row) -> None:
                s.add(row)

            db.run_write(raw)
    lonely = save_organisation(db, OrganisationRecord(name="Sans adresse")).record
    assert lonely.id is not None
    by_name["Sans adresse"] = lonely.id
    return Base(db, list(by_name.values()), by_name)


def dump(db: Database, *, content_only: bool = False) -> dict[str, Any]:
    """Every address column, plus the journal and batch counts (nothing else changes here)."""
    skip = {"version_id", "updated_at", "updated_by"} if content_only else set()
    with db.read() as s:
        rows = [
            {k: v for k, v in row._mapping.items() if k not in skip}
            for row in s.execute(select(Address.__table__).order_by(Address.id))
        ]
        counts = {
            model.__name__: s.scalar(select(func.count()).select_from(model))
            for model in (ChangeLog, ImportBatch, ImportChange)
        }
    return {"addresses": rows, "counts": counts}
