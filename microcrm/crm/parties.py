"""Organisation records: load, validate, save with three-way merge, lifecycle, trash.

Saving follows docs/storage.md §4.1: the form edits a detached snapshot; on
save the row is read again inside the write transaction. If another
workstation saved meanwhile, fields changed on one side only merge by
themselves (the result says which), fields changed on both sides raise
:class:`MergeConflictError` carrying base, mine and theirs for the conflict
dialog; nothing is written before the user chooses.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace

from sqlalchemy.orm import Session

from microcrm.crm import validation as v
from microcrm.crm.history import record_event, stage_change_subject
from microcrm.crm.merge import RecordConflictError, base_for, plan_merge
from microcrm.db import Database
from microcrm.errors import ConflictError, NotFoundError, ValidationError
from microcrm.models import Organisation, Stage, utcnow


@dataclass(frozen=True, slots=True)
class OrganisationRecord:
    """The editable fields of an organisation, as a detached snapshot."""

    id: int | None = None
    version_id: int = 0
    name: str = ""
    enseigne: str = ""
    reference: str = ""
    siret: str = ""
    siren: str = ""
    naf_code: str = ""
    headcount_band: str = ""
    legal_form: str = ""
    website: str = ""
    email: str = ""
    phone: str = ""
    fax: str = ""
    emails_other: str = ""
    notes: str = ""
    stage: str | None = Stage.SUSPECT.value
    traite: bool = False
    is_supplier: bool = False
    is_organisme: bool = False
    no_mail: bool = False
    salesperson_id: int | None = None


#: Fields a user edits (identity and version are not).
EDITABLE = tuple(f.name for f in fields(OrganisationRecord) if f.name not in ("id", "version_id"))

FIELD_LABELS = {
    "name": "Raison sociale",
    "enseigne": "Enseigne",
    "reference": "Référence",
    "siret": "SIRET",
    "siren": "SIREN",
    "naf_code": "Code NAF",
    "headcount_band": "Effectif",
    "legal_form": "Forme juridique",
    "website": "Site web",
    "email": "E-mail",
    "phone": "Téléphone",
    "fax": "Télécopie",
    "emails_other": "Autres e-mails",
    "notes": "Notes",
    "stage": "Étape",
    "traite": "Traité",
    "is_supplier": "Fournisseur",
    "is_organisme": "Organisme",
    "no_mail": "Pas de courrier",
    "salesperson_id": "Commercial",
}


class MergeConflictError(RecordConflictError[OrganisationRecord]):
    """Both sides changed the same fields: the user must choose (conflict dialog)."""

    def __init__(
        self,
        base: OrganisationRecord,
        mine: OrganisationRecord,
        theirs: OrganisationRecord,
        conflicting: tuple[str, ...],
    ) -> None:
        super().__init__("organisation", base, mine, theirs, conflicting, names=EDITABLE)


@dataclass(frozen=True, slots=True)
class SaveResult:
    """The saved record and the fields merged in from another workstation's save."""

    record: OrganisationRecord
    merged_from_others: tuple[str, ...] = field(default=())


def snapshot(org: Organisation) -> OrganisationRecord:
    """A detached record of the row's current values."""
    values = {name: getattr(org, name) for name in EDITABLE}
    for name, value in values.items():
        if value is None and name not in ("stage", "salesperson_id"):
            values[name] = ""
    if isinstance(values["stage"], Stage):
        values["stage"] = values["stage"].value
    return OrganisationRecord(id=org.id, version_id=org.version_id, **values)


def validate(record: OrganisationRecord) -> OrganisationRecord:
    """Cleaned copy of the record (SIRET/SIREN keys, NAF, phone, e-mail, site).

    Raises:
        ValidationError: naming the first field in error, with a French message.
    """
    siret = v.clean_siret(record.siret)
    siren = v.clean_siren(record.siren) or (siret[:9] if siret else None)
    if siret and siren and siret[:9] != siren:
        raise ValidationError("siren", f"Le SIREN {siren} ne correspond pas au SIRET {siret}.")
    if record.stage is not None and record.stage not in {s.value for s in Stage}:
        raise ValidationError("stage", f"Étape inconnue : {record.stage}.")
    return replace(
        record,
        name=v.required(record.name, "name", "La raison sociale"),
        enseigne=record.enseigne.strip(),
        siret=siret or "",
        siren=siren or "",
        naf_code=v.clean_naf(record.naf_code) or "",
        email=v.clean_email(record.email) or "",
        phone=v.clean_phone(record.phone) or "",
        fax=v.clean_phone(record.fax, "fax") or "",
        emails_other=v.clean_emails(record.emails_other) or "",
        website=v.clean_website(record.website) or "",
    )


def _apply(org: Organisation, record: OrganisationRecord, names: tuple[str, ...]) -> None:
    for name in names:
        value = getattr(record, name)
        if name == "stage":
            value = Stage(value) if value else None
        elif value == "" and name not in ("name",):
            value = None
        setattr(org, name, value)


def load_organisation(db: Database, org_id: int) -> OrganisationRecord:
    """The record of a live organisation.

    Raises:
        NotFoundError: no such organisation, or it is in the trash.
    """
    with db.read() as session:
        org = session.get(Organisation, org_id)
        if org is None or org.deleted_at is not None:
            raise NotFoundError("Organisation", org_id)
        return snapshot(org)


def save_organisation(
    db: Database, mine: OrganisationRecord, base: OrganisationRecord | None = None
) -> SaveResult:
    """Create (``mine.id is None``) or update an organisation.

    ``base`` is the snapshot the form was opened with (default: the stored
    version ``mine`` carries, meaning "I changed everything I show").

    Raises:
        ValidationError: a field is invalid (nothing written).
        MergeConflictError: the same field was changed elsewhere meanwhile.
        ConflictError: the organisation was deleted elsewhere meanwhile (or,
            without ``base``, changed since ``mine.version_id``).
    """
    mine = validate(mine)
    if mine.id is None:

        def create(session: Session) -> SaveResult:
            org = Organisation()
            _apply(org, mine, EDITABLE)
            session.add(org)
            session.flush()
            return SaveResult(snapshot(org))

        return db.run_write(create)
    org_id = mine.id

    def update(session: Session) -> SaveResult:
        org = session.get(Organisation, org_id)
        if org is None or org.deleted_at is not None:
            raise ConflictError("organisation", org_id, deleted=True)
        theirs = snapshot(org)
        origin = base_for(base, mine, theirs, "organisation")
        plan = plan_merge(origin, mine, theirs, EDITABLE)
        if plan.conflicting:
            raise MergeConflictError(origin, mine, theirs, plan.conflicting)
        before_stage = org.stage
        _apply(org, mine, plan.to_write)
        if org.stage != before_stage:
            _record_stage(session, org, before_stage)
        session.flush()
        return SaveResult(snapshot(org), plan.merged_from_others)

    return db.run_write(update)


def _record_stage(session: Session, org: Organisation, before: Stage | None) -> None:
    record_event(session, org.id, stage_change_subject(before, org.stage))


def change_stage(
    db: Database, org_id: int, version_id: int, stage: Stage, *, traite: bool | None = None
) -> OrganisationRecord:
    """Move an organisation along the lifecycle; the change goes into its history.

    Raises:
        ConflictError: the organisation changed elsewhere since ``version_id``.
    """

    def write(session: Session) -> OrganisationRecord:
        org = session.get(Organisation, org_id)
        if org is None or org.deleted_at is not None:
            raise ConflictError("organisation", org_id, deleted=True)
        if org.version_id != version_id:
            raise ConflictError("organisation", org_id)
        before = org.stage
        org.stage = stage
        if traite is not None:
            org.traite = traite
        if before != stage:
            _record_stage(session, org, before)
        session.flush()
        return snapshot(org)

    return db.run_write(write)


def set_traite(db: Database, org_id: int, version_id: int, value: bool) -> OrganisationRecord:
    """Tick *Traité*: a suspect whose contacts were identified becomes a prospect."""
    record = load_organisation(db, org_id)
    if value and record.stage == Stage.SUSPECT.value:
        return change_stage(db, org_id, version_id, Stage.PROSPECT, traite=True)
    stage = Stage(record.stage) if record.stage else Stage.SUSPECT
    return change_stage(db, org_id, version_id, stage, traite=value)


def trash_organisations(db: Database, org_ids: list[int]) -> None:
    """Move organisations to the trash (Corbeille) in one transaction.

    Raises:
        NotFoundError: one of them does not exist (nothing is trashed).
    """
    _set_deleted(db, org_ids, trashed=True)


def restore_organisations(db: Database, org_ids: list[int]) -> None:
    """Take organisations out of the trash in one transaction."""
    _set_deleted(db, org_ids, trashed=False)


def trash_organisation(db: Database, org_id: int) -> None:
    """Move one organisation to the trash; :func:`restore_organisation` brings it back."""
    _set_deleted(db, [org_id], trashed=True)


def restore_organisation(db: Database, org_id: int) -> None:
    """Take one organisation out of the trash."""
    _set_deleted(db, [org_id], trashed=False)


def _set_deleted(db: Database, org_ids: list[int], *, trashed: bool) -> None:
    def write(session: Session) -> None:
        now = utcnow()
        for org_id in org_ids:
            org = session.get(Organisation, org_id)
            if org is None:
                raise NotFoundError("Organisation", org_id)
            org.deleted_at = now if trashed else None

    db.run_write(write)
