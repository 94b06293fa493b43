"""Quick-search keys: kept current by the write hook, backfilled by migration 0002."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from sqlalchemy import create_engine, select, text
from sqlalchemy.orm import Session

from microcrm.crm.lists import MAX_NEEDLE, ListQuery, PartyListService, search_needle
from microcrm.db import Database
from microcrm.models import Address, Organisation, Person, Stage
from microcrm.models.search import organisation_search_key, person_search_key, search_fold
from microcrm.storage.migrate import alembic_config
from microcrm.storage.opening import open_database


def _org(db: Database, name: str, city: str, postcode: str, **kw: object) -> int:
    def write(s: Session) -> int:
        org = Organisation(name=name, stage=Stage.SUSPECT, **kw)
        org.addresses.append(Address(line1="3 place du Marché", postcode=postcode, city=city))
        s.add(org)
        s.flush()
        return org.id

    return db.run_write(write)


def test_search_fold_and_needle() -> None:
    assert search_fold("L'Haÿ-les-Roses") == "l hay les roses"
    assert search_fold("Jean-Pierre@Exemple.FR") == "jean pierre@exemple.fr"
    assert search_needle("02 99 00") == "029900"
    assert search_needle("Saint-Malo") == "saint malo"


def test_key_follows_the_address(any_db: Database) -> None:
    org_id = _org(
        any_db,
        "Crêperie L'Hermine",
        "Saint-Malo",
        "35400",
        phone="+33299401234",
        siret="73282932000074",
        email="contact@hermine.fr",
    )
    service = PartyListService(any_db)
    for typed in ("saint malo", "creperie l hermine", "02 99 40", "35400", "732829", "hermine.fr"):
        assert service.ids(ListQuery("suspect", typed)) == [org_id], typed

    def move(s: Session) -> None:
        addr = s.scalars(select(Address).where(Address.organisation_id == org_id)).one()
        addr.city, addr.postcode = "Dinan", "22100"

    any_db.run_write(move)
    assert service.ids(ListQuery("suspect", "saint malo")) == []
    assert service.ids(ListQuery("suspect", "dinan")) == [org_id]


def test_person_key(sqlite_db: Database) -> None:
    def write(s: Session) -> int:
        p = Person(last_name="Le Gall", first_name="Maël", mobile="+33612345678")
        s.add(p)
        s.flush()
        return p.id

    pid = sqlite_db.run_write(write)
    service = PartyListService(sqlite_db)
    assert service.ids(ListQuery("particulier", "mael")) == [pid]
    assert service.ids(ListQuery("particulier", "06 12 34")) == [pid]


def test_migration_backfills_the_same_keys(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    engine = create_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "0001")
        conn.execute(
            text(
                "INSERT INTO organisation (id, name, name_key, enseigne, siret, phone, email, traite, "
                "is_supplier, is_organisme, no_mail, stage, version_id) VALUES (1, 'Garage Dupré & Fils', "
                "'garage dupre & fils', 'Auto-Plus', '73282932000074', '+33299001122', "
                "'Contact@Garage.fr', 0, 0, 0, 0, 'client', 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO address (organisation_id, kind, is_primary, line1, line2, line3, postcode, "
                "city, city_key, country, norm_errors, npai, version_id) VALUES (1, 'principale', 1, "
                "'1 rue Haute', '', '', '22100', 'Dinan', 'dinan', '', '', 0, 1)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO person (id, last_name, first_name, last_name_key, first_name_key, email, "
                "is_staff, no_mail, no_email, version_id) VALUES (1, 'Éon', 'Zoé', 'eon', 'zoe', "
                "'zoe@x.fr', 0, 0, 0, 1)"
            )
        )
    engine.dispose()
    db = open_database(path)  # migrates 0001 → head, with a backup first
    with db.read() as s:
        org_key = s.scalar(select(Organisation.search_key))
        person_key = s.scalar(select(Person.search_key))
    assert org_key == organisation_search_key(
        name="Garage Dupré & Fils",
        enseigne="Auto-Plus",
        siret="73282932000074",
        phone="+33299001122",
        email="Contact@Garage.fr",
        postcode="22100",
        city="Dinan",
    )
    assert person_key == person_search_key(
        last_name="Éon",
        first_name="Zoé",
        email="zoe@x.fr",
        phone=None,
        mobile=None,
        postcode=None,
        city=None,
    )
    assert PartyListService(db).ids(ListQuery("client", "auto plus")) == [1]
    db.dispose()


def test_a_pasted_page_is_cut_to_the_needle_limit_not_an_sqlite_error(
    sqlite_db: Database,
) -> None:
    # 30,000 CJK characters are 90,000 bytes: SQLite refused the LIKE pattern
    # (« LIKE or GLOB pattern too complex ») as soon as the base had a row.
    org_id = _org(sqlite_db, "Crêperie L'Hermine", "Saint-Malo", "35400")

    def person(s: Session) -> int:
        p = Person(last_name="Le Gall", first_name="Maël")
        s.add(p)
        s.flush()
        return p.id

    pid = sqlite_db.run_write(person)
    service = PartyListService(sqlite_db)
    for pasted in ("漢" * 30_000, "a%" * 15_000, "é_" * 15_000, "0" * 30_000):
        assert len(search_needle(pasted)) <= MAX_NEEDLE
        assert service.ids(ListQuery("suspect", pasted)) == []
        assert service.ids(ListQuery("particulier", pasted)) == []
        assert service.ids(ListQuery("suspect", pasted, departement=pasted)) == []
    # what survives the cut is still searched
    assert search_needle("é" * 30_000) == "e" * MAX_NEEDLE
    assert service.ids(ListQuery("suspect", "hermine" + " " * 30_000)) == [org_id]
    assert service.ids(ListQuery("particulier", "  mael" + "\t" * 30_000)) == [pid]
    assert service.ids(ListQuery("suspect", "creperie l hermine " + "x" * 30_000)) == []
