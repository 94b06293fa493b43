"""The wizard's two-phase import: preview, plan, decisions, tags, rejected CSV, undo, cancel."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from microcrm.crm.tags import organisation_tags, person_tags, set_organisation_tags
from microcrm.db import Database
from microcrm.directory.importer import (
    ImportCancelledError,
    ImportSource,
    commit_import,
    import_files,
    plan_import,
    read_preview,
    undo_import,
    write_rejected_csv,
)
from microcrm.directory.importer import write as importer_write
from microcrm.errors import ValidationError
from microcrm.models import Organisation, Person, Stage, Tag, User
from microcrm.storage.opening import open_database
from tests.directory.helpers import (
    BROKER_HEADER,
    broker_rows,
    dump,
    seed_db,
    siret,
    stable_dump,
    write_broker,
)


def full_dump(db: Database) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of the tables an import writes, journal included, nothing left out."""
    out: dict[str, list[tuple[Any, ...]]] = {}
    with db.engine.connect() as conn:
        for table in (
            "organisation",
            "person",
            "address",
            "tag",
            "organisation_tag",
            "person_tag",
            "import_batch",
            "import_change",
            "change_log",
        ):
            out[table] = sorted(
                (tuple(map(str, row)) for row in conn.execute(text(f"select * from {table}"))),
            )
    return out


def add_user(db: Database, login: str) -> int:
    def write(session: Session) -> int:
        user = User(login=login, full_name=login.title())
        session.add(user)
        session.flush()
        return user.id

    return db.run_write(write)


def test_read_preview(tmp_path: Path) -> None:
    path = write_broker(tmp_path / "fichier.csv", broker_rows())

    preview = read_preview([path], rows=2)

    assert preview.headers == BROKER_HEADER
    assert preview.preset == "broker"
    assert preview.mapping["org.name"] == "Raison sociale"
    assert preview.mapping["address.postcode"] == "CP"
    assert len(preview.rows) == 2
    assert preview.rows[0][0] == "Garage Vertbois"
    assert preview.records == 6
    assert preview.issues_count == 0
    assert preview.delimiter == ";"
    assert preview.format_label == "CSV, UTF-8, séparateur « ; »"


def test_plan_then_commit_equals_import_files(tmp_path: Path) -> None:
    path = write_broker(tmp_path / "fichier.csv", broker_rows())
    one = open_database(tmp_path / "one.sqlite", workstation_id="ws", user_login="u")
    two = open_database(tmp_path / "two.sqlite", workstation_id="ws", user_login="u")
    try:
        seed_db(one)
        seed_db(two)

        direct = import_files(one, [path])
        untouched = stable_dump(two)
        plan = plan_import(two, [ImportSource([path])])
        assert plan.report.dry_run and plan.report.batch_id is None
        assert stable_dump(two) == untouched
        committed = commit_import(two, plan)

        assert committed.to_dict() == direct.to_dict()
        assert plan.report.files[0].batch_id is None  # the dry run is left as it was
        assert stable_dump(one) == stable_dump(two)
        with pytest.raises(ValidationError, match="déjà été enregistré"):
            commit_import(two, plan)
    finally:
        one.dispose()
        two.dispose()


def test_duplicates_are_listed_side_by_side(sqlite_db: Database, tmp_path: Path) -> None:
    known_id, old_id = seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())

    plan = plan_import(sqlite_db, [ImportSource([path])])

    by_reason = {(d.kind, d.reason): d for d in plan.duplicates}
    assert [d.id for d in plan.duplicates] == list(range(len(plan.duplicates)))
    assert len(plan.duplicates) == 3  # Dupont, Lavoie, Paul Lavoie; not the within-file rows
    dupont = by_reason[("organisation", "même SIRET")]
    assert dupont.existing_id == known_id
    assert dupont.locator == "ligne 4"
    assert dupont.source == 0
    assert dupont.decision == "merge"
    assert dupont.file_values["name"] == "Dupont Boulangerie Pâtisserie"
    assert dupont.file_values["phone"] == "+33142685300"
    assert dupont.file_values["address"] == "75002 PARIS"
    assert dupont.existing_values["name"] == "Boulangerie Dupont"
    assert dupont.existing_values["phone"] is None
    assert dupont.existing_values["address"].startswith("1 rue de la Paix")
    (lavoie,) = [d for d in plan.duplicates if d.reason.startswith("nom proche")]
    assert lavoie.existing_id == old_id
    assert lavoie.reason == "nom proche (100 %) et même code postal"
    paul = by_reason[("person", "même nom dans l'organisation")]
    assert paul.file_values["role"] == "Président"
    assert paul.existing_values["role"] == "Gérant"
    assert paul.existing_values["first_name"] == "Paul"


def test_decisions_skip_and_create(sqlite_db: Database, tmp_path: Path) -> None:
    known_id, old_id = seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())
    plan = plan_import(sqlite_db, [ImportSource([path])])
    for duplicate in plan.duplicates:
        if duplicate.reason == "même SIRET":
            duplicate.decision = "create"
        elif duplicate.kind == "organisation":
            duplicate.decision = "skip"

    report = commit_import(sqlite_db, plan)

    (entry,) = report.files
    assert entry.organisations_created == 3  # Garage, Zébulon, the Dupont row created anyway
    assert "siret_kept_by_existing" in entry.warnings.to_dict()["by_reason"]
    with sqlite_db.read() as session:
        known = session.get(Organisation, known_id)
        old = session.get(Organisation, old_id)
        assert known is not None and old is not None
        assert known.phone is None  # the duplicate row went to a new record instead
        assert known.siret == siret(1)
        twin = session.scalars(
            select(Organisation).where(Organisation.name == "Dupont Boulangerie Pâtisserie")
        ).one()
        assert twin.siret is None and twin.phone == "+33142685300"
        assert old.phone is None and old.email == "contact@lavoie.fr"  # skipped: untouched
        (paul,) = old.persons
        assert paul.role == "Gérant"  # the skipped row's person is not attached either
        assert session.scalar(select(Person).where(Person.role == "Président")) is None


def test_person_decisions(sqlite_db: Database, tmp_path: Path) -> None:
    _known_id, old_id = seed_db(sqlite_db)
    rows = [
        {  # Paul again, role differs: a person duplicate, the organisation merges
            "Raison sociale": "Menuiserie Quentin Lavoie",
            "CP": "69001",
            "Ville": "Lyon",
            "Prénom dirigeant": "Paul",
            "Nom dirigeant": "Lavoie",
            "Fonction": "Président",
            "Téléphone": "04 78 00 00 01",
        }
    ]
    path = write_broker(tmp_path / "f.csv", rows)
    for decision, persons, phone in (("skip", 1, "+33478000001"), ("create", 2, "+33478000001")):
        plan = plan_import(sqlite_db, [ImportSource([path])])
        (person,) = [d for d in plan.duplicates if d.kind == "person"]
        person.decision = decision
        report = commit_import(sqlite_db, plan)
        with sqlite_db.read() as session:
            old = session.get(Organisation, old_id)
            assert old is not None and old.phone == phone
            assert len(old.persons) == persons
            assert {p.role for p in old.persons} == (
                {"Gérant"} if decision == "skip" else {"Gérant", "Président"}
            )
        assert report.batch_id is not None
        undo_import(sqlite_db, report.batch_id)


def test_bad_decision_and_changed_file(sqlite_db: Database, tmp_path: Path) -> None:
    seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())
    plan = plan_import(sqlite_db, [ImportSource([path])])
    plan.duplicates[0].decision = "fusionner"
    with pytest.raises(ValidationError, match="Décision inconnue pour ligne 4"):
        commit_import(sqlite_db, plan)
    plan.duplicates[0].decision = "skip"
    write_broker(path, broker_rows()[:3])
    with pytest.raises(ValidationError, match="a changé depuis la simulation"):
        commit_import(sqlite_db, plan)


def test_database_changed_since_the_dry_run(sqlite_db: Database, tmp_path: Path) -> None:
    seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())
    plan = plan_import(sqlite_db, [ImportSource([path])])
    sqlite_db.run_write(lambda s: s.add(Organisation(name="Garage saisi", siret=siret(2))))
    before = stable_dump(sqlite_db)

    with pytest.raises(ValidationError, match="relancez l'analyse"):
        commit_import(sqlite_db, plan)

    assert stable_dump(sqlite_db) == before
    again = plan_import(sqlite_db, [ImportSource([path])])  # the new analysis merges it
    assert any(d.existing_values["name"] == "Garage saisi" for d in again.duplicates)
    commit_import(sqlite_db, again)


def test_user_mapping(sqlite_db: Database, tmp_path: Path) -> None:
    path = tmp_path / "maison.csv"
    path.write_text(
        "Nom de la boîte;Immatriculation;Code;Town;Joignable\n"
        f"Ébénisterie Morel;{siret(3)};35000;Rennes;02 99 00 00 01\n",
        encoding="utf-8",
    )
    mapping = {
        "org.name": "Nom de la boîte",
        "org.siret": "Immatriculation",
        "address.postcode": "Code",
        "address.city": "Town",
        "org.phone": "Joignable",
    }

    with pytest.raises(ValidationError, match=r"« Ville » .*n'existe pas dans maison\.csv"):
        plan_import(
            sqlite_db, [ImportSource([path], "generic", {**mapping, "address.city": "Ville"})]
        )
    with pytest.raises(ValidationError, match=r"Champ cible inconnu : « org\.capital »"):
        plan_import(sqlite_db, [ImportSource([path], "generic", {"org.capital": "Code"})])
    plan = plan_import(sqlite_db, [ImportSource([path], None, mapping)])
    commit_import(sqlite_db, plan)

    with sqlite_db.read() as session:
        org = session.scalars(select(Organisation)).one()
        assert org.name == "Ébénisterie Morel"
        assert org.siret == siret(3)
        assert org.phone == "+33299000001"
        assert org.addresses[0].lines[-1] == "35000 RENNES"


def test_tags_and_salesperson(sqlite_db: Database, tmp_path: Path) -> None:
    known_id, old_id = seed_db(sqlite_db)
    anne = add_user(sqlite_db, "anne")
    marc = add_user(sqlite_db, "marc")
    set_organisation_tags(sqlite_db, known_id, ["Fidèle"])
    sqlite_db.run_write(lambda s: setattr(s.get(Organisation, old_id), "salesperson_id", marc))
    rows = broker_rows()
    rows[0]["Catégories"] = "Garages ; fidele"  # "fidele" is the existing « Fidèle »
    rows[2]["Catégories"] = "Boulangers"
    path = tmp_path / "f.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, [*BROKER_HEADER, "Catégories"], delimiter=";", restval="")
        writer.writeheader()
        writer.writerows(rows)
    before = stable_dump(sqlite_db)

    plan = plan_import(sqlite_db, [ImportSource([path])], salesperson_id=anne, tags=["Salon 2026"])
    report = commit_import(sqlite_db, plan)

    with sqlite_db.read() as session:
        garage = session.scalars(select(Organisation).where(Organisation.siret == siret(2))).one()
        garage_id = garage.id
        assert garage.salesperson_id == anne
        luc = next(p for p in garage.persons if p.first_name == "Luc")
        luc_id = luc.id
        known = session.get(Organisation, known_id)
        old = session.get(Organisation, old_id)
        assert known is not None and old is not None
        assert known.salesperson_id == anne  # was empty
        assert old.salesperson_id == marc  # kept
        assert session.scalar(select(Tag.name).where(Tag.name == "fidele")) is None
    assert organisation_tags(sqlite_db, garage_id) == ["Fidèle", "Garages", "Salon 2026"]
    assert person_tags(sqlite_db, luc_id) == ["Fidèle", "Garages", "Salon 2026"]
    assert organisation_tags(sqlite_db, known_id) == ["Boulangers", "Fidèle", "Salon 2026"]
    assert organisation_tags(sqlite_db, old_id) == ["Salon 2026"]

    assert report.batch_id is not None
    result = undo_import(sqlite_db, report.batch_id)
    assert result.skipped == []
    after = stable_dump(sqlite_db)
    for table in ("organisation", "person", "address", "tag", "organisation_tag", "person_tag"):
        assert after[table] == before[table], table


def test_rejected_rows_csv_read_back_and_reimported(sqlite_db: Database, tmp_path: Path) -> None:
    rows = broker_rows()
    rows.append({"Raison sociale": '=HYPERLINK("http://x")', "CP": "75001", "Ville": "Paris"})
    rows.append({"CP": "44000", "Ville": "Nantes", "Téléphone": "02 40 00 00 01"})
    path = write_broker(tmp_path / "fichier.csv", rows)
    report = import_files(sqlite_db, [path], dry_run=True)
    out = tmp_path / "refus.csv"

    written = write_rejected_csv(report, out)

    assert written == 3
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    with out.open(encoding="utf-8-sig", newline="") as handle:
        back = list(csv.DictReader(handle, delimiter=";"))
    assert list(back[0]) == [*BROKER_HEADER, "motif", "détail", "origine"]
    assert [r["motif"] for r in back] == ["name_only", "formula_injection", "no_identity"]
    assert back[0]["Raison sociale"] == "Total général"
    assert back[0]["origine"] == "fichier.csv, ligne 7"
    assert back[1]["Raison sociale"] == '\'=HYPERLINK("http://x")'  # never a live formula
    assert "ressemble à une formule" in back[1]["détail"]
    assert back[2]["Ville"] == "Nantes" and back[2]["Téléphone"] == "02 40 00 00 01"

    back[2]["Raison sociale"] = "Chantiers Nantais"  # the user fixes a row...
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, list(back[0]), delimiter=";")
        writer.writeheader()
        writer.writerows(back[2:])
    again = import_files(sqlite_db, [out])  # ...and imports the file again
    assert again.files[0].preset == "broker"
    assert again.files[0].organisations_created == 1
    assert write_rejected_csv(again.files[0], tmp_path / "vide.csv") == 0


def test_undo_leaves_fields_changed_since(sqlite_db: Database, tmp_path: Path) -> None:
    known_id, _ = seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows()[2:3])  # fills Dupont's phone and e-mail
    report = import_files(sqlite_db, [path], base="prospect")
    assert report.batch_id is not None

    def edit(session: Session) -> None:
        org = session.get(Organisation, known_id)
        assert org is not None
        org.phone = "+33142000000"

    sqlite_db.run_write(edit)

    result = undo_import(sqlite_db, report.batch_id)

    assert result.skipped == [
        "Organisation n° 1 : « phone » modifié depuis l'import, non restauré."
    ]
    assert result.undone >= 1
    with sqlite_db.read() as session:
        org = session.get(Organisation, known_id)
        assert org is not None
        assert org.phone == "+33142000000"  # the user's change stays
        assert org.email is None  # the import's fill is undone
        assert org.stage == Stage.CLIENT


@pytest.mark.parametrize("polls", [1, 3, 6, 8])
def test_cancel_during_commit_leaves_the_database_identical(
    sqlite_db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, polls: int
) -> None:
    monkeypatch.setattr(importer_write, "CHUNK", 1)  # a cancel check between every row
    seed_db(sqlite_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())
    plan = plan_import(sqlite_db, [ImportSource([path])], tags=["Salon"])
    before = full_dump(sqlite_db)
    calls = [0]

    def cancelled() -> bool:
        calls[0] += 1
        return calls[0] >= polls

    with pytest.raises(ImportCancelledError):
        commit_import(sqlite_db, plan, cancelled=cancelled)
    assert full_dump(sqlite_db) == before


def test_decisions_tags_and_undo_on_each_backend(any_db: Database, tmp_path: Path) -> None:
    known_id, _old_id = seed_db(any_db)
    path = write_broker(tmp_path / "f.csv", broker_rows())
    before = dump(any_db)
    plan = plan_import(any_db, [ImportSource([path])], tags=["Salon 2026"])
    for duplicate in plan.duplicates:
        duplicate.decision = "create" if duplicate.reason == "même SIRET" else "merge"

    report = commit_import(any_db, plan)

    assert report.files[0].organisations_created == 3
    assert organisation_tags(any_db, known_id) == []
    with any_db.read() as session:
        names = set(session.scalars(select(Organisation.name)))
    assert "Dupont Boulangerie Pâtisserie" in names
    assert report.batch_id is not None
    result = undo_import(any_db, report.batch_id)
    assert result.skipped == []
    after = dump(any_db)
    for table in ("organisation", "person", "address"):
        assert after[table] == before[table]
    with any_db.read() as session:
        assert session.scalar(select(Tag.id)) is None


def test_preview_of_a_large_file_counts_lines_instead_of_parsing(tmp_path: Path) -> None:
    from microcrm.directory.importer.sources import PREVIEW_EXACT_LIMIT

    big = tmp_path / "gros.csv"
    lines = ["Raison sociale;Code postal;Ville"]
    lines += [f"Société {i};35000;Rennes" for i in range(PREVIEW_EXACT_LIMIT + 500)]
    big.write_text("\n".join(lines) + "\n", encoding="utf-8")
    preview = read_preview([big], rows=5)
    assert preview.records_estimated
    assert preview.records == PREVIEW_EXACT_LIMIT + 500
    assert [row[0] for row in preview.rows] == [f"Société {i}" for i in range(5)]
    small = tmp_path / "petit.csv"
    small.write_text("\n".join(lines[:50]) + "\n", encoding="utf-8")
    exact = read_preview([small], rows=5)
    assert not exact.records_estimated and exact.records == 49
