"""What the import screens' tests share: a chamber of commerce's file, and the base it meets."""

from __future__ import annotations

from sqlalchemy.orm import Session

from microcrm.db import Database
from microcrm.models import Address, Organisation, Stage
from tests.directory.helpers import siret

HEADER = ["Raison sociale", "SIRET", "Adresse", "CP", "Ville", "Tél", "Mail contact",
          "Prénom dirigeant", "Nom dirigeant", "Fonction"]  # fmt: skip

#: The file: a new company, two the base already has, a reject, one without SIRET.
ROWS: list[dict[str, str]] = [
    {"Raison sociale": "Garage Vertbois", "SIRET": siret(2), "Adresse": "10 avenue Foch",
     "CP": "33000", "Ville": "Bordeaux", "Tél": "05 56 00 00 01",
     "Mail contact": "luc@vertbois.fr", "Prénom dirigeant": "Luc", "Nom dirigeant": "Vertbois",
     "Fonction": "Gérant"},
    # The base's Boulangerie Dupont by SIRET: the test sets it to « Ignorer ».
    {"Raison sociale": "Dupont Boulangerie Pâtisserie", "SIRET": siret(1), "CP": "75002",
     "Ville": "Paris", "Tél": "01 42 68 53 00"},
    # The base's Imprimerie Moderne by postcode + name: merged, its phone filled.
    {"Raison sociale": "IMPRIMERIE MODERNE SARL", "CP": "69001", "Ville": "Lyon",
     "Tél": "04 78 00 00 01"},
    {"Raison sociale": "Total général"},  # a name and nothing else: rejected
    {"Raison sociale": "Atelier Zébulon", "Adresse": "2 rue de la Paix", "CP": "13001",
     "Ville": "Marseille", "Tél": "04 91 00 00 01"},
]  # fmt: skip


def seed(db: Database) -> dict[str, int]:
    """The base the file meets: Boulangerie Dupont (by SIRET) and Imprimerie Moderne."""

    def write(session: Session) -> dict[str, int]:
        dupont = Organisation(name="Boulangerie Dupont", siret=siret(1), stage=Stage.CLIENT)
        dupont.addresses.append(Address(line1="1 rue de la Paix", postcode="75002", city="PARIS"))
        moderne = Organisation(name="Imprimerie Moderne", stage=Stage.PROSPECT)
        moderne.addresses.append(Address(line1="3 rue Royale", postcode="69001", city="LYON"))
        session.add_all([dupont, moderne])
        session.flush()
        return {"dupont": dupont.id, "moderne": moderne.id}

    return db.run_write(write)
