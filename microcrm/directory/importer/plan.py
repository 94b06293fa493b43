"""Planning of a directory import: rows cleaned, matched and folded into a write plan.

Nothing is written here. Every row is cleaned (``clean.clean_row``), matched
against the database and the rows already accepted (``dedupe``), then either
planned as a new record or folded into the record it duplicates (fill empty
fields; ``update`` lets the file win). Each row matched to an EXISTING
database record becomes a :class:`DuplicateCandidate` the wizard shows side
by side; its ``decision`` (merge, skip, create) is honoured when the plan is
computed again for the commit (see ``importer.commit_import``).

Rows are streamed: the planner keeps the plan (what will be written), the
duplicate candidates and the report, never the file's rows.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from sqlalchemy import select

from microcrm.crm.contacts import CONTACT_LABELS
from microcrm.crm.parties import FIELD_LABELS as PARTY_LABELS
from microcrm.db import Database
from microcrm.directory.clean import (
    AddressValues,
    CleanRow,
    OrganisationValues,
    PersonValues,
    RowRejected,
    clean_row,
)
from microcrm.directory.dedupe import (
    OrganisationIndex,
    OrgCandidate,
    PersonCandidate,
    PersonIndex,
)
from microcrm.directory.importer.duplicates import (
    DuplicateCandidate,
    address_text,
    org_reason,
    person_reason,
)
from microcrm.directory.importer.report import FileReport
from microcrm.directory.importer.sources import OpenedSource
from microcrm.directory.presets import ADDRESS_BOOKS
from microcrm.directory.records import ReadIssue
from microcrm.errors import MicroCRMError
from microcrm.models import Organisation, Person

ProgressFn = Callable[[int, int, str], None]
CancelFn = Callable[[], bool]

SIRET_IN_TRASH: Final = "siret_in_trash"
"""Warning: the row's SIRET belongs to a trashed organisation, so it was not imported."""
SIRET_KEPT_BY_EXISTING: Final = "siret_kept_by_existing"
"""Warning: a row created anyway shares its SIRET with an existing organisation (dropped)."""
TAG_TOO_LONG: Final = "tag_too_long"
"""Warning: a category of the row is longer than a tag name may be (dropped)."""
MAX_TAG_LENGTH: Final = 80

ORG_FIELDS: Final = (
    ("name", "name"),
    ("enseigne", "enseigne"),
    ("siret", "siret"),
    ("siren", "siren"),
    ("naf_code", "naf_code"),
    ("headcount", "headcount_band"),
    ("legal_form", "legal_form"),
    ("phone", "phone"),
    ("email", "email"),
    ("emails_other", "emails_other"),
    ("fax", "fax"),
    ("website", "website"),
)
"""(OrganisationValues attribute, Organisation column) pairs an import writes."""
PERSON_FIELDS: Final = (
    "civility", "first_name", "last_name", "role", "email", "phone", "mobile", "phone_home",
    "fax", "emails_other", "website",
)  # fmt: skip
"""Person columns an import writes."""

_CHECK_EVERY: Final = 200
_EMPTY: Final[tuple[str, ...]] = ()


class ImportCancelledError(MicroCRMError):
    """The user cancelled the import; nothing was written."""

    def __init__(self) -> None:
        super().__init__("Import annulé : la base n'a pas été modifiée.")


@dataclass(slots=True)
class PlannedOrg:
    """An organisation to create (``key`` is the plan's, ids come at write time)."""

    key: tuple[str, int]
    source: int
    values: dict[str, Any]
    address: AddressValues | None
    notes: str
    tags: tuple[str, ...] = _EMPTY


@dataclass(slots=True)
class PlannedPerson:
    """A person to create; ``org_key`` is a planned key, a database id or None."""

    key: tuple[str, int]
    source: int
    org_key: object
    values: dict[str, Any]
    address: AddressValues | None
    notes: str
    tags: tuple[str, ...] = _EMPTY
    home: AddressValues | None = None
    """The person's home address (``kind = 'domicile'``); the primary one of a private
    person without another address."""


@dataclass(slots=True)
class Plan:
    """What the write phase does: records to create, fields to fill, tags to add."""

    new_orgs: dict[tuple[str, int], PlannedOrg] = field(default_factory=dict)
    new_persons: dict[tuple[str, int], PlannedPerson] = field(default_factory=dict)
    org_fills: dict[int, dict[str, Any]] = field(default_factory=dict)
    org_addresses: dict[int, AddressValues] = field(default_factory=dict)
    person_fills: dict[int, dict[str, Any]] = field(default_factory=dict)
    person_homes: dict[int, AddressValues] = field(default_factory=dict)
    org_tags: dict[int, set[str]] = field(default_factory=dict)
    person_tags: dict[int, set[str]] = field(default_factory=dict)


def org_values(values: OrganisationValues) -> dict[str, Any]:
    """The organisation columns of a cleaned row (the enseigne names a nameless one)."""
    out = {column: getattr(values, attr) for attr, column in ORG_FIELDS}
    if not out["name"]:
        out["name"] = values.enseigne
    return {k: v for k, v in out.items() if v}


def person_values(values: PersonValues) -> dict[str, Any]:
    """The person columns of a cleaned row."""
    out = {name: getattr(values, name) for name in PERSON_FIELDS}
    return {k: v for k, v in out.items() if v}


def fill(
    target: dict[str, Any], values: Mapping[str, Any], update: bool
) -> list[tuple[str, Any, Any]]:
    """Fill empty entries of ``target`` (every entry with ``update``).

    Returns:
        The values not taken because ``target`` already held another one:
        (name, value not taken, value kept), for the report.
    """
    conflicts: list[tuple[str, Any, Any]] = []
    for name, value in values.items():
        if update or not target.get(name):
            target[name] = value
        elif value and value != target[name]:
            conflicts.append((name, value, target[name]))
    return conflicts


def join_notes(kept: str, new: str) -> str:
    """Notes of two merged rows: both kept, a line repeated only once."""
    lines = kept.splitlines()
    lines.extend(line for line in new.splitlines() if line not in lines)
    return "\n".join(lines)


MERGE_CONFLICT: Final = "merge_conflict"
"""Warning: a row merged into a record read before held another value for a field."""
_COLUMN_LABELS: Final = {
    **PARTY_LABELS, **CONTACT_LABELS, "headcount_band": "Effectif", "name": "Raison sociale",
}  # fmt: skip


def conflict_warnings(
    locator: str, conflicts: list[tuple[str, Any, Any]]
) -> list[ReadIssue]:
    """One warning per value a merged row could not give (never dropped silently)."""
    return [
        ReadIssue(
            locator,
            MERGE_CONFLICT,
            f"{locator} : fusionnée avec une fiche déjà lue ; {_COLUMN_LABELS.get(name, name)} "
            f"« {value} » non repris (« {kept} » conservé).",
            "warning",
        )
        for name, value, kept in conflicts
    ]


class Planner:
    """Folds cleaned rows into a :class:`Plan`, source after source.

    Args:
        org_index: Live organisations of the database, keyed by id.
        person_index: Live non-staff persons of the database, keyed by id.
        update: Let the file's values overwrite filled fields.
        cancelled: Polled every few hundred rows.
        trashed_sirets: SIRETs of trashed organisations (never re-used).
        decisions: ``(kind, source, locator)`` → decision, from a reviewed
            plan; rows not listed are merged.
    """

    def __init__(
        self,
        org_index: OrganisationIndex,
        person_index: PersonIndex,
        *,
        update: bool,
        cancelled: CancelFn | None,
        trashed_sirets: set[str],
        decisions: Mapping[tuple[str, int, str], str] | None = None,
    ) -> None:
        self.trashed_sirets = trashed_sirets
        self.orgs = org_index
        self.persons = person_index
        self.update = update
        self.cancelled = cancelled
        self.decisions = decisions or {}
        self.plan = Plan()
        self.address_book = False
        """The source being planned is an address book: a row's notes are its person's."""
        self.duplicates: list[DuplicateCandidate] = []
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

    def _decide(
        self,
        kind: str,
        *,
        source: int,
        locator: str,
        existing_id: int,
        reason: str,
        file_values: dict[str, Any],
    ) -> str:
        decision = self.decisions.get((kind, source, locator), "merge")
        self.duplicates.append(
            DuplicateCandidate(
                len(self.duplicates),
                kind,
                source,
                locator,
                reason,
                file_values,
                existing_id,
                {},
                decision,
            )
        )
        return decision

    def add_row(self, row: CleanRow, source: int, report: FileReport) -> None:
        """Plan one cleaned row: its organisation, then its person."""
        org_key: object = None
        if row.organisation is not None and (row.organisation.name or row.organisation.enseigne):
            values = org_values(row.organisation)
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
            match = self.orgs.match(
                OrgCandidate(
                    None, values["name"], row.organisation.enseigne, values.get("siret"), postcode
                )
            )
            if match is not None and isinstance(match.key, int):
                decision = self._decide(
                    "organisation",
                    source=source,
                    locator=row.locator,
                    existing_id=match.key,
                    reason=org_reason(match),
                    file_values={**values, "address": address_text(row.address)},
                )
                if decision == "skip":
                    report.organisation_rows_matched_previous_files += 1
                    return
                if decision == "create":
                    if match.rule == "siret":
                        row.warnings.append(
                            ReadIssue(
                                row.locator,
                                SIRET_KEPT_BY_EXISTING,
                                f"{row.locator} : créée malgré le doublon ; le SIRET "
                                f"{values.pop('siret')} reste à l'organisation existante.",
                                "warning",
                            )
                        )
                    match = None
            if match is None:
                org_key = self._create_org(row, values, postcode, source, report)
            else:
                org_key = match.key
                if self._source_of(org_key) == source:
                    report.organisation_rows_matched_within_file += 1
                else:
                    report.organisation_rows_matched_previous_files += 1
                self._merge_org(org_key, values, row)
        if row.person is not None and (row.person.first_name or row.person.last_name):
            self._add_person(row, org_key, source, report)

    def _org_notes(self, row: CleanRow) -> str:
        """The row's notes when they are its organisation's (not its person's)."""
        if row.organisation is None:
            return ""
        has_person = row.person is not None and (row.person.first_name or row.person.last_name)
        return "" if self.address_book and has_person else row.notes

    def _create_org(
        self,
        row: CleanRow,
        values: dict[str, Any],
        postcode: str | None,
        source: int,
        report: FileReport,
    ) -> tuple[str, int]:
        key = self._new_key("org")
        self.plan.new_orgs[key] = PlannedOrg(
            key, source, values, row.address, self._org_notes(row), tuple(row.tags) or _EMPTY
        )
        self.orgs.add(
            OrgCandidate(key, values["name"], values.get("enseigne"), values.get("siret"), postcode)
        )
        report.organisations_created += 1
        return key

    def _merge_org(self, key: object, values: dict[str, Any], row: CleanRow) -> None:
        plan = self.plan
        if values.get("siret"):  # later rows with this SIRET find the same organisation
            self.orgs.add(OrgCandidate(key, values["name"], None, values["siret"], None))
        if isinstance(key, tuple):
            planned = plan.new_orgs[key]
            row.warnings.extend(
                conflict_warnings(row.locator, fill(planned.values, values, self.update))
            )
            if row.address is not None and (planned.address is None or self.update):
                planned.address = row.address
            elif (
                row.address is not None
                and planned.address is not None
                and row.address.lines != planned.address.lines
            ):
                row.warnings.extend(conflict_warnings(row.locator, [(
                    "adresse", " / ".join(row.address.lines), " / ".join(planned.address.lines)
                )]))  # fmt: skip
            if self._org_notes(row):
                planned.notes = join_notes(planned.notes, row.notes)
            if row.tags:
                planned.tags = tuple(dict.fromkeys((*planned.tags, *row.tags)))
            return
        assert isinstance(key, int)
        fills = plan.org_fills.setdefault(key, {})
        if self._org_notes(row):
            values = {**values, "notes": join_notes(fills.get("notes", ""), row.notes)}
            fills.pop("notes", None)
        row.warnings.extend(conflict_warnings(row.locator, fill(fills, values, self.update)))
        if row.address is not None and (key not in plan.org_addresses or self.update):
            plan.org_addresses[key] = row.address
        if row.tags:
            plan.org_tags.setdefault(key, set()).update(row.tags)

    def _add_person(self, row: CleanRow, org_key: object, source: int, report: FileReport) -> None:
        assert row.person is not None
        plan = self.plan
        values = person_values(row.person)
        values.setdefault("last_name", "")
        candidate = PersonCandidate(
            None, values["last_name"], values.get("first_name"), values.get("email"), org_key
        )
        match = self.persons.match(candidate)
        notes = row.notes if not self._org_notes(row) else ""
        if match is not None and isinstance(match.key, int):
            decision = self._decide(
                "person",
                source=source,
                locator=row.locator,
                existing_id=match.key,
                reason=person_reason(match),
                file_values=dict(values),
            )
            if decision == "skip":
                report.person_rows_matched_previous_files += 1
                return
            if decision == "create":
                match = None
        if match is None:
            key = self._new_key("person")
            address = row.address if org_key is None else None
            plan.new_persons[key] = PlannedPerson(
                key, source, org_key, values, address, notes, tuple(row.tags) or _EMPTY,
                row.home_address,
            )
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
        row.warnings.extend(
            conflict_warnings(
                row.locator,
                self._merge_person(match.key, values, notes, row.tags, row.home_address),
            )
        )

    def _merge_person(
        self,
        key: object,
        values: dict[str, Any],
        notes: str,
        tags: list[str],
        home: AddressValues | None = None,
    ) -> list[tuple[str, Any, Any]]:
        plan = self.plan
        if not values["last_name"]:
            del values["last_name"]
        if isinstance(key, tuple):
            planned = plan.new_persons[key]
            if notes:
                planned.notes = join_notes(planned.notes, notes)
            conflicts = fill(planned.values, values, self.update)
            if home is not None and (planned.home is None or self.update):
                planned.home = home
            if tags:
                planned.tags = tuple(dict.fromkeys((*planned.tags, *tags)))
        else:
            assert isinstance(key, int)
            fills = plan.person_fills.setdefault(key, {})
            if notes:
                values["notes"] = join_notes(fills.pop("notes", ""), notes)
            conflicts = fill(fills, values, self.update)
            if home is not None and (key not in plan.person_homes or self.update):
                plan.person_homes[key] = home
            if tags:
                plan.person_tags.setdefault(key, set()).update(tags)
        return conflicts

    def add_source(
        self,
        opened: OpenedSource,
        mapping: dict[str, str],
        source: int,
        report: FileReport,
        progress: ProgressFn | None,
        *,
        note_columns: Sequence[str] = (),
    ) -> None:
        """Plan every record of a source, reporting what the reader and the cleaning refused.

        ``note_columns`` are kept in the notes « En-tête : valeur »; the report lists
        them, and the other unmapped columns as ignored.
        """
        report.headers = list(opened.headers)
        self.address_book = report.preset in ADDRESS_BOOKS
        used = set(mapping.values())
        report.notes_columns = [h for h in note_columns if h not in used]
        report.ignored_columns = [
            h for h in opened.headers if h not in used and h not in report.notes_columns
        ]
        total = opened.estimated_records
        label = f"Analyse de {report.sources[0]}"
        records = 0
        rejected: list[ReadIssue] = []
        warnings: list[ReadIssue] = []
        for done, record in enumerate(opened.records):
            self._check(done)
            records += 1
            if progress is not None and done % _CHECK_EVERY == 0:
                progress(done, max(total, done), label)
            cleaned = clean_row(
                record, mapping, note_columns=report.notes_columns, address_book=self.address_book
            )
            if isinstance(cleaned, RowRejected):
                rejected.append(cleaned.as_issue())
                report.rejected_records[record.locator] = record.fields
                continue
            _drop_long_tags(cleaned)
            self.add_row(cleaned, source, report)
            warnings.extend(cleaned.warnings)
        report.records = records
        report.blank_records_ignored = opened.blank_records_ignored
        issues = opened.issues
        report.rejected.rows.extend(i for i in issues if i.severity == "error")
        report.rejected.rows.extend(rejected)
        report.warnings.rows.extend(i for i in issues if i.severity == "warning")
        report.warnings.rows.extend(warnings)
        if progress is not None:
            progress(records, records, label)


def _drop_long_tags(row: CleanRow) -> None:
    if all(len(tag) <= MAX_TAG_LENGTH for tag in row.tags):
        return
    for tag in row.tags:
        if len(tag) > MAX_TAG_LENGTH:
            row.warnings.append(
                ReadIssue(
                    row.locator,
                    TAG_TOO_LONG,
                    f"{row.locator}, Catégories : « {tag[:20]}… » dépasse "
                    f"{MAX_TAG_LENGTH} caractères, catégorie non reprise.",
                    "warning",
                )
            )
    row.tags = [tag for tag in row.tags if len(tag) <= MAX_TAG_LENGTH]


def load_person_index(db: Database) -> PersonIndex:
    """Index every live non-staff person of the database, keyed by id."""
    stmt = select(
        Person.id, Person.last_name, Person.first_name, Person.email, Person.organisation_id
    ).where(Person.deleted_at.is_(None), Person.is_staff.is_(False))
    with db.read() as session:
        rows = session.execute(stmt).tuples().all()
    return PersonIndex(PersonCandidate(*row) for row in rows)


def load_trashed_sirets(db: Database) -> set[str]:
    """SIRETs of the organisations in the trash."""
    with db.read() as session:
        return {
            siret
            for siret in session.scalars(
                select(Organisation.siret).where(
                    Organisation.deleted_at.is_not(None), Organisation.siret.is_not(None)
                )
            )
            if siret
        }
