"""Duplicates of a directory import: the pairs the wizard shows side by side.

A :class:`DuplicateCandidate` is a file row matched to a record ALREADY in
the database (rows matched within the files are folded silently). The
planner records it with the file's values; :func:`fill_existing_values`
then reads the database side, with the same keys
(:data:`DUPLICATE_FIELD_LABELS`), in a few chunked queries.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import and_, select

from microcrm.db import Database
from microcrm.directory.clean import AddressValues
from microcrm.directory.dedupe import Match, PersonMatch
from microcrm.models import Address, Organisation, Person

DECISIONS: Final = ("merge", "skip", "create")
"""Values of :attr:`DuplicateCandidate.decision`."""
DUPLICATE_FIELD_LABELS: Final[dict[str, dict[str, str]]] = {
    "organisation": {
        "name": "Raison sociale",
        "enseigne": "Enseigne",
        "siret": "SIRET",
        "siren": "SIREN",
        "naf_code": "Code NAF",
        "headcount_band": "Tranche d'effectif",
        "legal_form": "Forme juridique",
        "phone": "Téléphone",
        "email": "E-mail",
        "website": "Site Internet",
        "address": "Adresse",
    },
    "person": {
        "civility": "Civilité",
        "first_name": "Prénom",
        "last_name": "Nom",
        "role": "Fonction",
        "email": "E-mail",
        "phone": "Téléphone",
        "mobile": "Mobile",
    },
}
"""Keys of ``file_values`` / ``existing_values`` of each kind, in display order, with labels."""


@dataclass(slots=True)
class DuplicateCandidate:
    """A file row matched to a record already in the database, for the review step.

    Attributes:
        id: Position in ``ImportPlan.duplicates``.
        kind: ``"organisation"`` or ``"person"``.
        source: Index of the source in the plan's sources.
        locator: Where the row starts (``"ligne 12"``).
        reason: Why it matched, in French (``"même SIRET"``).
        file_values: Field → value from the file (keys of :data:`DUPLICATE_FIELD_LABELS`).
        existing_id: Id of the matched database row.
        existing_values: The same fields, as the database holds them now.
        decision: ``"merge"`` (fill empty fields; ``update`` lets the file
            win), ``"skip"`` (leave the record alone and take nothing from the
            row, its persons included) or ``"create"`` (create a new record
            from the row anyway; a SIRET already held by the existing
            organisation is dropped, SIRET being unique).
    """

    id: int
    kind: str
    source: int
    locator: str
    reason: str
    file_values: dict[str, Any]
    existing_id: int
    existing_values: dict[str, Any]
    decision: str = "merge"


def address_text(address: AddressValues | None) -> str:
    """An address as shown side by side: normalised lines, else as typed."""
    if address is None:
        return ""
    if address.lines:
        return "\n".join(address.lines)
    typed = (address.line1, address.line2, address.line3, f"{address.postcode} {address.city}")
    return "\n".join(part.strip() for part in typed if part.strip())


def org_reason(match: Match) -> str:
    """Why an organisation matched, as the review step shows it."""
    if match.rule == "siret":
        return "même SIRET"
    return f"nom proche ({match.score:.0f} %) et même code postal"


def person_reason(match: PersonMatch) -> str:
    """Why a person matched, as the review step shows it."""
    return "même e-mail" if match.rule == "email" else "même nom dans l'organisation"


_CHUNK: Final = 500


def fill_existing_values(db: Database, duplicates: list[DuplicateCandidate]) -> None:
    """Read the database side of every duplicate pair (same keys as ``file_values``)."""
    org_ids = sorted({d.existing_id for d in duplicates if d.kind == "organisation"})
    person_ids = sorted({d.existing_id for d in duplicates if d.kind == "person"})
    org_columns = [
        getattr(Organisation, c) for c in DUPLICATE_FIELD_LABELS["organisation"] if c != "address"
    ]
    person_columns = [getattr(Person, c) for c in DUPLICATE_FIELD_LABELS["person"]]
    found: dict[tuple[str, int], dict[str, Any]] = {}
    with db.read() as session:
        for start in range(0, len(org_ids), _CHUNK):
            chunk = org_ids[start : start + _CHUNK]
            stmt = (
                select(Organisation.id, *org_columns, Address)
                .outerjoin(
                    Address,
                    and_(Address.organisation_id == Organisation.id, Address.is_primary.is_(True)),
                )
                .where(Organisation.id.in_(chunk))
                .order_by(Organisation.id, Address.id)
            )
            for row in session.execute(stmt):
                key = ("organisation", row[0])
                if key in found:
                    continue
                values = {col.key: row[i + 1] for i, col in enumerate(org_columns)}
                address: Address | None = row[-1]
                values["address"] = _existing_address(address)
                found[key] = values
        for start in range(0, len(person_ids), _CHUNK):
            chunk = person_ids[start : start + _CHUNK]
            stmt_p = select(Person.id, *person_columns).where(Person.id.in_(chunk))
            for row in session.execute(stmt_p):
                found[("person", row[0])] = {
                    col.key: row[i + 1] for i, col in enumerate(person_columns)
                }
    for duplicate in duplicates:
        duplicate.existing_values = found.get((duplicate.kind, duplicate.existing_id), {})


def _existing_address(address: Address | None) -> str:
    if address is None:
        return ""
    if address.norm_lines:
        return address.norm_lines
    typed = (address.line1, address.line2, address.line3, f"{address.postcode} {address.city}")
    return "\n".join(part.strip() for part in typed if part.strip())
