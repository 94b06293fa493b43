"""A labelled inbox: real files of mixed kinds, each with the client it truly belongs to.

Built over a demo base. Kinds (and their share) mimic what lands in a PME's
scan/e-mail inbox: client orders and invoices carrying the client's SIRET,
e-mails from a contact's address, e-mails from a webmail signed with the
company name, our own letters to a client (our letterhead, their name and
address), scans named after the client, and the traps: documents of no client
(an unknown company with a valid SIRET, internal notes, webmail newsletters,
a SIRET with a typo), and documents naming two clients. ``label`` is the
organisation id, or None when no client should be chosen automatically.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from stdnum import luhn
from stdnum.fr import siret as siret_check

from microcrm.db import Database
from microcrm.models import Organisation, Person
from tests.ged import samples


@dataclass(frozen=True)
class Labelled:
    path: Path
    label: int | None
    kind: str


def _load(db: Database) -> tuple[list[Any], dict[int, list[Any]]]:
    with db.read() as s:
        orgs = s.execute(
            select(
                Organisation.id,
                Organisation.name,
                Organisation.siret,
                Organisation.reference,
                Organisation.email,
            )
            .where(Organisation.siret.is_not(None))
            .order_by(Organisation.id)
        ).all()
        persons = s.execute(
            select(
                Person.organisation_id,
                Person.first_name,
                Person.last_name,
                Person.email,
                Person.civility,
            ).where(Person.organisation_id.is_not(None), Person.is_staff.is_(False))
        ).all()
    contacts: dict[int, list[Any]] = {}
    for p in persons:
        contacts.setdefault(p.organisation_id, []).append(p)
    return list(orgs), contacts


def _fake_siret(rng: random.Random, taken: set[str]) -> str:
    while True:
        base = f"{rng.randint(100_000_00, 999_999_99):08d}"
        siren = base + luhn.calc_check_digit(base)
        if siren not in taken:
            break
    body = siren + f"{rng.randint(1, 9999):04d}"
    for last in "0123456789":
        if siret_check.is_valid(body + last):
            return body + last
    raise AssertionError("unreachable")


_BODY = (
    "Nous vous remercions pour votre confiance et restons à votre disposition pour toute "
    "question concernant cette opération. Les conditions générales de vente s'appliquent."
)
_OURS = [
    "Office Plus SARL",
    "12 rue des Lilas 35000 Rennes",
    "SIRET 73282932000074",
    "www.officeplus.fr - contact@officeplus.fr",
]


def build(db: Database, folder: Path, *, seed: int = 5) -> list[Labelled]:
    """Write the labelled files into ``folder``; about 260 of them."""
    rng = random.Random(seed)
    orgs, contacts = _load(db)
    with_contacts = [o for o in orgs if any(p.email for p in contacts.get(o.id, []))]
    taken = {o.siret[:9] for o in orgs}
    out: list[Labelled] = []
    n = 0

    def name(kind: str, ext: str) -> Path:
        nonlocal n
        n += 1
        return folder / f"{kind}-{n:03d}.{ext}"

    for org in rng.sample(orgs, 30):  # an invoice or order from the client, with its SIRET
        lines = [
            org.name,
            "12 avenue de la Gare",
            f"SIRET {org.siret[:3]} {org.siret[3:6]} {org.siret[6:9]} {org.siret[9:]}",
            "Bon de commande n° 4471",
            _BODY,
        ]
        out.append(Labelled(samples.make_pdf(name("commande", "pdf"), lines), org.id, "siret"))
    for org in rng.sample(orgs, 25):  # order in Word, client reference or VAT number
        ref = (
            f"Votre référence client : {org.reference}"
            if org.reference
            else f"TVA intracommunautaire FR{rng.randint(10, 99)}{org.siret[:9]}"
        )
        out.append(
            Labelled(
                samples.make_docx(
                    name("commande", "docx"),
                    body=[f"Commande de {org.name}", ref, _BODY],
                    table=[["Désignation", "Qté"], ["Ramettes A4", "10"]],
                    header=org.name,
                    footer="",
                ),
                org.id,
                "reference",
            )
        )
    for org in rng.sample(with_contacts, 30):  # e-mail from one of the client's contacts
        person = rng.choice([p for p in contacts[org.id] if p.email])
        out.append(
            Labelled(
                samples.make_eml(
                    name("mail", "eml"),
                    sender=f"{person.first_name} {person.last_name} <{person.email}>",
                    to="ventes@officeplus.fr",
                    subject="Demande de devis",
                    body=_BODY,
                ),
                org.id,
                "sender",
            )
        )
    for org in rng.sample(orgs, 20):  # e-mail from a webmail, signed with the company name
        out.append(
            Labelled(
                samples.make_eml(
                    name("webmail", "eml"),
                    sender=f"dirigeant{rng.randint(1, 999)}@gmail.com",
                    to="ventes@officeplus.fr",
                    subject="Question",
                    body=f"Bonjour,\n{_BODY}\nCordialement,\nLe gérant\n{org.name}",
                ),
                org.id,
                "webmail",
            )
        )
    for org in rng.sample(orgs, 30):  # our own letter to the client
        person = next(iter(contacts.get(org.id, [])), None)
        attention = (
            [f"À l'attention de {person.civility or ''} {person.first_name} {person.last_name}"]
            if person
            else []
        )
        lines = [
            *_OURS,
            "",
            org.name,
            *attention,
            "8 place du Marché",
            "",
            "Objet : proposition commerciale",
            "Madame, Monsieur,",
            _BODY,
        ]
        out.append(
            Labelled(
                samples.make_docx(
                    name("lettre", "docx"), body=lines, table=[["-"]], header="", footer=""
                ),
                org.id,
                "letter",
            )
        )
    for org in rng.sample(orgs, 15):  # a scan named after the client
        safe = org.name.replace("/", "-")
        out.append(
            Labelled(
                samples.make_scanned_pdf(folder / f"Facture {safe} {len(out)}.pdf"),
                org.id,
                "scan-name",
            )
        )
    for _ in range(30):  # no client: an unknown company with a valid SIRET
        siret = _fake_siret(rng, taken)
        lines = [
            "Imprimerie Vauclair et Fils",
            f"SIRET {siret}",
            "Offre spéciale rentrée",
            _BODY,
            "www.imprimerie-vauclair.fr",
        ]
        out.append(Labelled(samples.make_pdf(name("pub", "pdf"), lines), None, "unknown"))
    for _ in range(15):  # no client: an internal note
        out.append(
            Labelled(
                samples.make_rtf(
                    name("note", "rtf"), f"Note interne\nRéunion d'équipe du lundi. {_BODY}"
                ),
                None,
                "internal",
            )
        )
    for _ in range(10):  # no client: a newsletter from a webmail
        out.append(
            Labelled(
                samples.make_eml(
                    name("news", "eml"),
                    sender="lettre.info@orange.fr",
                    to="ventes@officeplus.fr",
                    subject="Actualités",
                    body=_BODY,
                ),
                None,
                "newsletter",
            )
        )
    for org in rng.sample(orgs, 10):  # no client: a SIRET with a typo and nothing else
        wrong = org.siret[:-1] + str((int(org.siret[-1]) + 1) % 10)
        out.append(
            Labelled(samples.make_pdf(name("typo", "pdf"), [f"SIRET {wrong}", _BODY]), None, "typo")
        )
    pairs = [rng.sample(orgs, 2) for _ in range(15)]
    for a, b in pairs:  # two clients named: must not be filed automatically
        lines = [f"Comparatif des offres de {a.name} et de {b.name}", _BODY]
        out.append(Labelled(samples.make_pdf(name("deux", "pdf"), lines), None, "ambiguous"))
    return out
