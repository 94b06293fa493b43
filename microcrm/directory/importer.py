"""Import directory files into the database (import-formats.md §5–6).

Files are read, mapped with their preset, cleaned and de-duplicated against
the database and against the rows already seen in the same run; the plan is
then written in ONE transaction with one :class:`ImportBatch` and one
:class:`ImportChange` per row created (``op="create"``) or filled
(``op="merge"``, ``before`` = the previous values), so :func:`undo_import`
can put everything back. A merge fills empty fields only (``update=True``
lets the file win) and never downgrades the lifecycle stage.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, cast

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, selectinload

from microcrm.db import Database
from microcrm.directory.clean import (
    AddressValues,
    CleanRow,
    OrganisationValues,
    PersonValues,
    RowRejected,
    clean_row,
)
from microcrm.directory.csv_reader import read_csv
from microcrm.directory.dedupe import (
    OrganisationIndex,
    OrgCandidate,
    PersonCandidate,
    PersonIndex,
    load_organisation_index,
)
from microcrm.directory.presets import detect_preset, guess_mapping
from microcrm.directory.records import ReadIssue, ReadResult
from microcrm.directory.sirene_reader import read_sirene
from microcrm.directory.vcard_reader import read_vcard_file
from microcrm.directory.xlsx_reader import read_xlsx
from microcrm.errors import MicroCRMError, NotFoundError, ValidationError
from microcrm.models import Address, ImportBatch, ImportChange, Organisation, Person, Stage
from microcrm.models.base import utcnow
from microcrm.storage import journal

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

BASES: Final = ("suspect", "prospect", "client", "fournisseur", "organisme")
"""Values of ``base``: a lifecycle stage, or the supplier / body base."""
NORMALISATION_PRESET: Final = "normalisation"
"""``ImportBatch.preset`` of address-normalisation batches (not imports, skipped here)."""
_RANK: Final = {Stage.SUSPECT: 0, Stage.PROSPECT: 1, Stage.CLIENT: 2}
_ORG_FIELDS: Final = (
    ("name", "name"),
    ("enseigne", "enseigne"),
    ("siret", "siret"),
    ("siren", "siren"),
    ("naf_code", "naf_code"),
    ("headcount", "headcount_band"),
    ("legal_form", "legal_form"),
    ("phone", "phone"),
    ("email", "email"),
    ("website", "website"),
)
_PERSON_FIELDS: Final = ("civility", "first_name", "last_name", "role", "email", "phone", "mobile")
_CHECK_EVERY: Final = 200
SIRET_IN_TRASH: Final = "siret_in_trash"
"""Warning: the row's SIRET belongs to a trashed organisation, so it was not imported."""


class ImportCancelledError(MicroCRMError):
    """The user cancelled the import; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Import annulé : la base n'a pas été modifiée.")


@dataclass(slots=True)
class IssueSummary:
    """Rejected rows or warnings of one source: total, count by reason, and the rows."""

    rows: list[ReadIssue] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of the report (``total``, ``by_reason``, ``rows``)."""
        return {
            "total": len(self.rows),
            "by_reason": dict(Counter(issue.reason for issue in self.rows)),
            "rows": [
                {"locator": i.locator, "reason": i.reason, "detail": i.detail} for i in self.rows
            ],
        }


@dataclass(slots=True)
class FileReport:
    """What one file (or one SIRENE pair) gave."""

    sources: list[str]
    preset: str
    records: int = 0
    blank_records_ignored: int = 0
    organisations_created: int = 0
    persons_created: int = 0
    organisation_rows_matched_within_file: int = 0
    organisation_rows_matched_previous_files: int = 0
    person_rows_matched_within_file: int = 0
    person_rows_matched_previous_files: int = 0
    rejected: IssueSummary = field(default_factory=IssueSummary)
    warnings: IssueSummary = field(default_factory=IssueSummary)
    batch_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of this file."""
        return {
            "sources": self.sources,
            "preset": self.preset,
            "records": self.records,
            "blank_records_ignored": self.blank_records_ignored,
            "organisations_created": self.organisations_created,
            "persons_created": self.persons_created,
            "organisation_rows_matched_within_file": self.organisation_rows_matched_within_file,
            "organisation_rows_matched_previous_files": (
                self.organisation_rows_matched_previous_files
            ),
            "person_rows_matched_within_file": self.person_rows_matched_within_file,
            "person_rows_matched_previous_files": self.person_rows_matched_previous_files,
            "rejected": self.rejected.to_dict(),
            "warnings": self.warnings.to_dict(),
            "batch_id": self.batch_id,
        }


@dataclass(slots=True)
class ImportReport:
    """The whole run: one entry per file or SIRENE pair, and the batch written."""

    files: list[FileReport]
    batch_id: int | None
    dry_run: bool
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The JSON report of the run."""
        return {
            "batch_id": self.batch_id,
            "dry_run": self.dry_run,
            "files": [f.to_dict() for f in self.files],
        }


@dataclass(slots=True)
class BatchSummary:
    """One line of the import history."""

    id: int
    created_at: dt.datetime
    created_by: str | None
    sources: str
    preset: str
    status: str
    undone_at: dt.datetime | None


# -- planning ---------------------------------------------------------------------------------


@dataclass(slots=True)
class _PlannedOrg:
    key: tuple[str, int]
    source: int
    values: dict[str, Any]
    address: AddressValues | None
    notes: str


@dataclass(slots=True)
class _PlannedPerson:
    key: tuple[str, int]
    source: int
    org_key: object
    values: dict[str, Any]
    address: AddressValues | None
    notes: str


@dataclass(slots=True)
class _Plan:
    new_orgs: dict[tuple[str, int], _PlannedOrg] = field(default_factory=dict)
    new_persons: dict[tuple[str, int], _PlannedPerson] = field(default_factory=dict)
    org_fills: dict[int, dict[str, Any]] = field(default_factory=dict)
    org_addresses: dict[int, AddressValues] = field(default_factory=dict)
    person_fills: dict[int, dict[str, Any]] = field(default_factory=dict)


def _org_values(values: OrganisationValues) -> dict[str, Any]:
    out = {column: getattr(values, attr) for attr, column in _ORG_FIELDS}
    if not out["name"]:
        out["name"] = values.enseigne
    return {k: v for k, v in out.items() if v}


def _person_values(values: PersonValues) -> dict[str, Any]:
    out = {name: getattr(values, name) for name in _PERSON_FIELDS}
    return {k: v for k, v in out.items() if v}


def _fill(target: dict[str, Any], values: dict[str, Any], update: bool) -> None:
    for name, value in values.items():
        if update or not target.get(name):
            target[name] = value


def _read_source(paths: list[Path]) -> ReadResult:
    if len(paths) == 2:
        return read_sirene(paths[0], paths[1])
    path = paths[0]
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt"):
        return read_csv(path)
    if suffix == ".xlsx":
        return read_xlsx(path)
    if suffix in (".vcf", ".vcard"):
        return read_vcard_file(path)
    raise ValidationError("fichier", f"Format de fichier non reconnu : {path.name}")


def _group_sources(paths: Sequence[Path], preset: str | None) -> list[list[Path]]:
    if preset != "sirene":
        return [[p] for p in paths]
    if len(paths) % 2:
        raise ValidationError(
            "fichier",
            "Le préréglage SIRENE attend des paires de fichiers : "
            "StockEtablissement puis StockUniteLegale.",
        )
    return [[paths[i], paths[i + 1]] for i in range(0, len(paths), 2)]


def _load_person_index(db: Database) -> PersonIndex:
    stmt = select(
        Person.id, Person.last_name, Person.first_name, Person.email, Person.organisation_id
    ).where(Person.deleted_at.is_(None), Person.is_staff.is_(False))
    with db.read() as session:
        rows = session.execute(stmt).tuples().all()
    return PersonIndex(PersonCandidate(*row) for row in rows)


class _Planner:
    def __init__(
        self,
        org_index: OrganisationIndex,
        person_index: PersonIndex,
        update: bool,
        cancelled: CancelFn | None,
        trashed_sirets: set[str],
    ) -> None:
        self.trashed_sirets = trashed_sirets
        self.orgs = org_index
        self.persons = person_index
        self.update = update
        self.cancelled = cancelled
        self.plan = _Plan()
        self._next = 0

    def _check(self, count: int) -> None:
        if self.cancelled is not None and count % _CHECK_EVERY == 0 and self.cancelled():
            raise ImportCancelledError()

    def _new_key(self, kind: str) -> tuple[str, int]:
        self._next += 1
        return (kind, self._next)

    def _source_of(self, key: object) -> int | None:
        if isinstance(key, tuple):
            planned = self.plan.new_orgs.get(key) or self.plan.new_persons.get(key)
            return planned.source if planned else None
        return None

    def add_row(self, row: CleanRow, source: int, report: FileReport) -> None:
        plan = self.plan
        org_key: object = None
        if row.organisation is not None and (row.organisation.name or row.organisation.enseigne):
            values = _org_values(row.organisation)
            if values.get("siret") in self.trashed_sirets:
                row.warnings.append(
                    ReadIssue(
                        row.locator,
                        SIRET_IN_TRASH,
                        f"{row.locator} : le SIRET {values.pop('siret')} appartient à une "
                        "organisation de la corbeille ; SIRET ignoré.",
                        "warning",
                    )
                )
            postcode = row.address.postcode if row.address else None
            candidate = OrgCandidate(
                None, values["name"], row.organisation.enseigne, values.get("siret"), postcode
            )
            match = self.orgs.match(candidate)
            if match is None:
                key = self._new_key("org")
                plan.new_orgs[key] = _PlannedOrg(key, source, values, row.address, row.notes)
                self.orgs.add(
                    OrgCandidate(
                        key, values["name"], values.get("enseigne"), values.get("siret"), postcode
                    )
                )
                report.organisations_created += 1
                org_key = key
            else:
                org_key = match.key
                if self._source_of(org_key) == source:
                    report.organisation_rows_matched_within_file += 1
                else:
                    report.organisation_rows_matched_previous_files += 1
                self._merge_org(org_key, values, row)
        if row.person is not None and (row.person.first_name or row.person.last_name):
            self._add_person(row, org_key, source, report)

    def _merge_org(self, key: object, values: dict[str, Any], row: CleanRow) -> None:
        plan = self.plan
        if values.get("siret"):  # later rows with this SIRET find the same organisation
            self.orgs.add(OrgCandidate(key, values["name"], None, values["siret"], None))
        if isinstance(key, tuple):
            planned = plan.new_orgs[key]
            _fill(planned.values, values, self.update)
            if row.address is not None and (planned.address is None or self.update):
                planned.address = row.address
            if row.notes and not planned.notes:
                planned.notes = row.notes
            return
        assert isinstance(key, int)
        fills = plan.org_fills.setdefault(key, {})
        if row.notes:
            values = {**values, "notes": row.notes}
        _fill(fills, values, self.update)
        if row.address is not None and (key not in plan.org_addresses or self.update):
            plan.org_addresses[key] = row.address

    def _add_person(self, row: CleanRow, org_key: object, source: int, report: FileReport) -> None:
        assert row.person is not None
        plan = self.plan
        values = _person_values(row.person)
        values.setdefault("last_name", "")
        candidate = PersonCandidate(
            None, values["last_name"], values.get("first_name"), values.get("email"), org_key
        )
        match = self.persons.match(candidate)
        notes = row.notes if row.organisation is None else ""
        if match is None:
            key = self._new_key("person")
            address = row.address if org_key is None else None
            plan.new_persons[key] = _PlannedPerson(key, source, org_key, values, address, notes)
            self.persons.add(
                PersonCandidate(
                    key, values["last_name"], values.get("first_name"), values.get("email"), org_key
                )
            )
            report.persons_created += 1
            return
        if self._source_of(match.key) == source:
            report.person_rows_matched_within_file += 1
        else:
            report.person_rows_matched_previous_files += 1
        if notes:
            values["notes"] = notes
        if not values["last_name"]:
            del values["last_name"]
        if isinstance(match.key, tuple):
            planned = plan.new_persons[match.key]
            extra = values.pop("notes", "")
            if extra and (self.update or not planned.notes):
                planned.notes = extra
            _fill(planned.values, values, self.update)
        else:
            assert isinstance(match.key, int)
            _fill(plan.person_fills.setdefault(match.key, {}), values, self.update)

    def add_source(
        self,
        result: ReadResult,
        preset: str,
        source: int,
        report: FileReport,
        progress: ProgressFn | None,
    ) -> None:
        mapping = guess_mapping(result.headers, preset)
        report.records = len(result.records)
        report.blank_records_ignored = result.blank_records_ignored
        report.rejected.rows.extend(result.rejected)
        report.warnings.rows.extend(i for i in result.issues if i.severity == "warning")
        total = len(result.records)
        label = f"Analyse de {report.sources[0]}"
        for done, record in enumerate(result.records):
            self._check(done)
            if progress is not None and done % _CHECK_EVERY == 0:
                progress(done, total, label)
            cleaned = clean_row(record, mapping)
            if isinstance(cleaned, RowRejected):
                report.rejected.rows.append(cleaned.as_issue())
                continue
            self.add_row(cleaned, source, report)
            report.warnings.rows.extend(cleaned.warnings)
        if progress is not None:
            progress(total, total, label)


# -- writing ----------------------------------------------------------------------------------


def _stage_of(base: str) -> Stage | None:
    return Stage(base) if base in ("suspect", "prospect", "client") else None


def _address(values: AddressValues) -> Address:
    return Address(
        kind="principale",
        is_primary=True,
        line1=values.line1,
        line2=values.line2,
        line3=values.line3,
        postcode=values.postcode,
        city=values.city,
        country=values.country,
        norm_lines="\n".join(values.lines) or None,
        norm_status=values.status,
        norm_errors=" ".join(values.errors),
    )


def _raise_stage(current: Stage | None, wanted: Stage | None) -> Stage | None:
    """The stage after a merge: never downgraded, ``ancien_client`` kept."""
    if wanted is None:
        return current
    if current is None:
        return wanted
    if current == Stage.ANCIEN_CLIENT:
        return current
    return wanted if _RANK[wanted] > _RANK[current] else current


def _apply(obj: Organisation | Person, fills: dict[str, Any], update: bool) -> dict[str, Any]:
    """Fill (or with ``update`` overwrite) fields; return the previous values changed."""
    before: dict[str, Any] = {}
    for name, value in fills.items():
        current = getattr(obj, name)
        if current == value or (current and not update):
            continue
        before[name] = current
        setattr(obj, name, value)
    return before


def _json_value(value: object) -> object:
    return value.value if isinstance(value, Stage) else value


@dataclass(slots=True)
class _Writer:
    session: Session
    batch: ImportBatch
    base: str
    update: bool
    cancelled: CancelFn | None
    changes: list[tuple[str, Any, str, dict[str, Any] | None]] = field(default_factory=list)
    orgs: dict[tuple[str, int], Organisation] = field(default_factory=dict)

    @property
    def stage(self) -> Stage | None:
        return _stage_of(self.base)

    def check(self, count: int) -> None:
        if self.cancelled is not None and count % _CHECK_EVERY == 0 and self.cancelled():
            raise ImportCancelledError()

    def add_address(self, owner: Organisation | Person, values: AddressValues) -> None:
        address = _address(values)
        owner.addresses.append(address)
        self.changes.append(("address", address, "create", None))

    def create_orgs(self, plan: _Plan) -> None:
        for count, planned in enumerate(plan.new_orgs.values()):
            self.check(count)
            org = Organisation(
                **planned.values,
                notes=planned.notes or None,
                stage=self.stage,
                is_supplier=self.base == "fournisseur",
                is_organisme=self.base == "organisme",
                import_batch_id=self.batch.id,
            )
            if planned.address is not None:
                self.add_address(org, planned.address)
            self.session.add(org)
            self.orgs[planned.key] = org
            self.changes.append(("organisation", org, "create", None))

    def merge_orgs(self, plan: _Plan) -> None:
        wanted = sorted(set(plan.org_fills) | set(plan.org_addresses))
        existing: dict[int, Organisation] = {}
        for start in range(0, len(wanted), 500):
            found = self.session.scalars(
                select(Organisation)
                .where(Organisation.id.in_(wanted[start : start + 500]))
                .options(selectinload(Organisation.addresses))
            )
            existing.update((o.id, o) for o in found)
        for count, org_id in enumerate(wanted):
            self.check(count)
            org = existing[org_id]
            before = _apply(org, plan.org_fills.get(org_id, {}), self.update)
            new_stage = _raise_stage(org.stage, self.stage)
            if new_stage != org.stage:
                before["stage"] = _json_value(org.stage)
                org.stage = new_stage
            for flag, flag_base in (("is_supplier", "fournisseur"), ("is_organisme", "organisme")):
                if self.base == flag_base and not getattr(org, flag):
                    before[flag] = False
                    setattr(org, flag, True)
            if org_id in plan.org_addresses and not org.addresses:
                self.add_address(org, plan.org_addresses[org_id])
            if before:
                self.changes.append(("organisation", org, "merge", before))

    def create_persons(self, plan: _Plan) -> None:
        for count, planned in enumerate(plan.new_persons.values()):
            self.check(count)
            person = Person(
                **planned.values, notes=planned.notes or None, import_batch_id=self.batch.id
            )
            if isinstance(planned.org_key, tuple):
                person.organisation = self.orgs[planned.org_key]
            elif isinstance(planned.org_key, int):
                person.organisation_id = planned.org_key
            else:
                person.stage = self.stage
                if planned.address is not None:
                    self.add_address(person, planned.address)
            self.session.add(person)
            self.changes.append(("person", person, "create", None))

    def merge_persons(self, plan: _Plan) -> None:
        person_ids = sorted(plan.person_fills)
        people: dict[int, Person] = {}
        for start in range(0, len(person_ids), 500):
            stmt = select(Person).where(Person.id.in_(person_ids[start : start + 500]))
            people.update((p.id, p) for p in self.session.scalars(stmt))
        for count, person_id in enumerate(person_ids):
            self.check(count)
            person = people[person_id]
            before = _apply(person, plan.person_fills[person_id], self.update)
            if before:
                self.changes.append(("person", person, "merge", before))


def _write_plan(
    session: Session,
    plan: _Plan,
    *,
    base: str,
    update: bool,
    user: str | None,
    sources: str,
    preset: str,
    reports: list[FileReport],
    cancelled: CancelFn | None,
) -> int:
    batch = ImportBatch(created_by=user, sources=sources, preset=preset, status="done")
    session.add(batch)
    session.flush()
    writer = _Writer(session, batch, base, update, cancelled)
    writer.create_orgs(plan)
    writer.merge_orgs(plan)
    writer.create_persons(plan)
    writer.merge_persons(plan)
    session.flush()
    session.add_all(
        ImportChange(
            batch_id=batch.id,
            seq=seq,
            entity=entity,
            entity_id=obj.id,
            op=op,
            before=None if before is None else json.dumps(before, ensure_ascii=False),
        )
        for seq, (entity, obj, op, before) in enumerate(writer.changes, start=1)
    )
    for report in reports:
        report.batch_id = batch.id
    batch.report = json.dumps(
        {"files": [r.to_dict() for r in reports], "base": base, "update": update},
        ensure_ascii=False,
    )
    session.flush()
    return batch.id


def import_files(
    db: Database,
    paths: Sequence[Path | str],
    *,
    preset: str | None = None,
    base: str = "suspect",
    update: bool = False,
    dry_run: bool = False,
    progress: ProgressFn | None = None,
    cancelled: CancelFn | None = None,
) -> ImportReport:
    """Import files (in the given order) as one transaction and one undoable batch.

    Args:
        db: The open database.
        paths: Files to read; with ``preset="sirene"``, pairs
            (StockEtablissement, StockUniteLegale), each pair one report entry.
        preset: Preset for every file; detected from each file's headers if None.
        base: ``suspect``, ``prospect``, ``client``, ``fournisseur`` or ``organisme``.
        update: Let the file's values overwrite filled fields.
        dry_run: Compute the report without writing anything.
        progress: Called with (done, total, message).
        cancelled: Polled regularly; True stops the import with nothing written.

    Returns:
        The report, one entry per file (or SIRENE pair).

    Raises:
        ValidationError: unknown base, format or preset.
        ImportCancelledError: ``cancelled`` returned True.
    """
    if base not in BASES:
        raise ValidationError("base", f"Base inconnue : « {base} ».")
    started = time.monotonic()
    groups = _group_sources([Path(p) for p in paths], preset)
    with db.read() as session:
        trashed: set[str] = set(
            session.scalars(
                select(Organisation.siret).where(
                    Organisation.deleted_at.is_not(None), Organisation.siret.is_not(None)
                )
            )
        )
    planner = _Planner(
        load_organisation_index(db), _load_person_index(db), update, cancelled, trashed
    )
    reports: list[FileReport] = []
    for source, group in enumerate(groups):
        result = _read_source(group)
        try:
            used = preset or detect_preset(result.headers)
            guess_mapping(result.headers, used)
        except ValueError as exc:
            raise ValidationError("preset", str(exc)) from exc
        report = FileReport([str(p) for p in group], used)
        planner.add_source(result, used, source, report, progress)
        reports.append(report)
    if dry_run:
        return ImportReport(reports, None, True, time.monotonic() - started)
    presets = sorted({r.preset for r in reports})
    sources = "\n".join(s for r in reports for s in r.sources)

    def write(session: Session) -> int:
        return _write_plan(
            session,
            planner.plan,
            base=base,
            update=update,
            user=db.user_login,
            sources=sources,
            preset=presets[0] if len(presets) == 1 else "multiple",
            reports=reports,
            cancelled=cancelled,
        )

    batch_id = db.run_write(write)
    return ImportReport(reports, batch_id, False, time.monotonic() - started)


# -- undo, history, export --------------------------------------------------------------------

_ENTITIES: Final[dict[str, type[Organisation] | type[Person] | type[Address]]] = {
    "organisation": Organisation,
    "person": Person,
    "address": Address,
}


def _restore(
    session: Session,
    model: type[Organisation] | type[Person] | type[Address],
    befores: dict[int, dict[str, Any]],
) -> int:
    """Put the ``before`` values back on the rows a merge filled (ORM: keys and journal)."""
    ids = sorted(befores)
    done = 0
    for start in range(0, len(ids), 500):
        stmt = select(model).where(model.id.in_(ids[start : start + 500]))
        for obj in cast("list[Organisation | Person | Address]", session.scalars(stmt).all()):
            for name, value in befores[obj.id].items():
                setattr(obj, name, Stage(value) if name == "stage" and value else value)
            done += 1
    session.flush()
    return done


def _delete(session: Session, entity: str, ids: list[int]) -> int:
    """Delete the rows an import created, in bulk, and journal the deletions."""
    model = _ENTITIES[entity]
    done = 0
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        present = list(session.scalars(select(model.id).where(model.id.in_(chunk))))
        if present:
            session.execute(
                delete(model)
                .where(model.id.in_(present))
                .execution_options(synchronize_session=False)
            )
            journal.record(session, entity, present, "delete")
        done += len(present)
    return done


def undo_import(db: Database, batch_id: int) -> int:
    """Undo an import: delete what it created, restore what it filled, mark it undone.

    Returns:
        The number of changes undone.

    Raises:
        NotFoundError: no such import.
        ValidationError: the import was already undone.
    """

    def undo(session: Session) -> int:
        batch = session.get(ImportBatch, batch_id)
        if batch is None or batch.preset == NORMALISATION_PRESET:
            raise NotFoundError("import", batch_id)
        if batch.status == "undone":
            raise ValidationError("batch", f"L'import n° {batch_id} a déjà été annulé.")
        rows = session.execute(
            select(
                ImportChange.entity, ImportChange.entity_id, ImportChange.op, ImportChange.before
            )
            .where(ImportChange.batch_id == batch_id)
            .order_by(ImportChange.seq)
        ).tuples()
        created: dict[str, list[int]] = {name: [] for name in _ENTITIES}
        merged: dict[str, dict[int, dict[str, Any]]] = {name: {} for name in _ENTITIES}
        for entity, entity_id, op, before in rows:
            if op == "create":
                created[entity].append(entity_id)
            else:
                merged[entity][entity_id] = json.loads(before or "{}")
        done = 0
        for entity, befores in merged.items():
            done += _restore(session, _ENTITIES[entity], befores)
        for entity in ("person", "address", "organisation"):  # children first
            done += _delete(session, entity, created[entity])
        batch.status = "undone"
        batch.undone_at = utcnow()
        return done

    return db.run_write(undo)


def import_history(db: Database) -> list[BatchSummary]:
    """Every import batch, newest first (address normalisations excluded)."""
    with db.read() as session:
        batches = session.scalars(
            select(ImportBatch)
            .where(ImportBatch.preset != NORMALISATION_PRESET)
            .order_by(ImportBatch.id.desc())
        ).all()
        return [
            BatchSummary(
                b.id, b.created_at, b.created_by, b.sources, b.preset, b.status, b.undone_at
            )
            for b in batches
        ]


def export_organisations(db: Database) -> Iterator[dict[str, Any]]:
    """Every live organisation with its live persons and normalised address lines."""
    with db.read() as session:
        stmt = (
            select(Organisation)
            .where(Organisation.deleted_at.is_(None))
            .order_by(Organisation.id)
            .options(selectinload(Organisation.addresses), selectinload(Organisation.persons))
            .execution_options(yield_per=500)
        )
        for org in session.scalars(stmt):
            yield {
                "id": org.id,
                "name": org.name,
                "enseigne": org.enseigne,
                "siret": org.siret,
                "naf_code": org.naf_code,
                "phone": org.phone,
                "email": org.email,
                "website": org.website,
                "stage": _json_value(org.stage),
                "is_supplier": org.is_supplier,
                "is_organisme": org.is_organisme,
                "addresses": [
                    {"primary": a.is_primary, "lines": a.lines, "status": a.norm_status}
                    for a in sorted(org.addresses, key=lambda a: a.id)
                ],
                "persons": [
                    {
                        "id": p.id,
                        "civility": p.civility,
                        "first_name": p.first_name,
                        "last_name": p.last_name,
                        "role": p.role,
                        "email": p.email,
                        "phone": p.phone,
                        "mobile": p.mobile,
                    }
                    for p in sorted(org.persons, key=lambda p: p.id)
                    if p.deleted_at is None
                ],
            }
