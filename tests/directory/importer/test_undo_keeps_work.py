"""Undoing an import keeps what colleagues worked on since, and says so first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from microcrm.crm.tags import organisation_tags, set_organisation_tags
from microcrm.db import Database
from microcrm.directory.importer import import_files, plan_undo, undo_import
from microcrm.ged.extract import ExtractorPool
from microcrm.ged.service import Ged
from microcrm.ged.store import ContentStore
from microcrm.models import (
    Action,
    ActionType,
    Campaign,
    CampaignRecipient,
    Document,
    DocumentVersion,
    Organisation,
    Person,
    Stage,
)
from tests.directory.helpers import siret, write_broker

NAMES = ["Alpha Conseil", "Bravo Bâtiment", "Charlie Transports", "Delta Menuiserie",
         "Echo Plomberie", "Foxtrot Peinture"]  # fmt: skip


def broker_file(tmp_path: Path) -> Path:
    rows = [
        {
            "Raison sociale": name,
            "SIRET": siret(100 + n),
            "Adresse": f"{n + 1} rue de la Gare",
            "CP": "69001",
            "Ville": "Lyon",
            "Prénom dirigeant": "Jean",
            "Nom dirigeant": f"Dirigeant{n}",
        }
        for n, name in enumerate(NAMES)
    ]
    return write_broker(tmp_path / "courtier.csv", rows)


@pytest.fixture
def extractor() -> Iterator[ExtractorPool]:
    pool = ExtractorPool(workers=1, timeout=30)
    yield pool
    pool.close()


def org_ids(db: Database) -> dict[str, int]:
    with db.read() as session:
        return dict(session.execute(select(Organisation.name, Organisation.id)).tuples().all())


def colleagues_work(db: Database, ged: Ged, ids: dict[str, int]) -> tuple[int, str]:
    """(a) edit, (b) an action, (c) a GED document, (d) a person added; the document and sha."""

    def write(session: Session) -> None:
        org = session.get(Organisation, ids["Alpha Conseil"])
        assert org is not None
        org.notes = "NE PAS PERDRE"
        org.stage = Stage.CLIENT
        kind = ActionType(name="Appel test")
        session.add(kind)
        session.flush()
        session.add(
            Action(organisation_id=ids["Bravo Bâtiment"], action_type_id=kind.id, subject="Relance")
        )
        session.add(
            Person(organisation_id=ids["Delta Menuiserie"], first_name="Zoé", last_name="Ajoutée")
        )

    db.run_write(write)
    added = ged.add_bytes(
        b"Contrat signe", "contrat.txt", organisation_id=ids["Charlie Transports"]
    )
    with db.read() as session:
        sha = session.scalars(
            select(DocumentVersion.sha256).where(DocumentVersion.document_id == added.document_id)
        ).one()
    return added.document_id, sha


def test_undo_keeps_what_was_worked_on(
    sqlite_db: Database, tmp_path: Path, extractor: ExtractorPool
) -> None:
    store = ContentStore(tmp_path / "ged")
    ged = Ged(sqlite_db, store, extractor=extractor)
    report = import_files(sqlite_db, [broker_file(tmp_path)])
    batch = report.batch_id
    assert batch is not None
    ids = org_ids(sqlite_db)
    assert set(ids) == set(NAMES)
    document_id, sha = colleagues_work(sqlite_db, ged, ids)
    worked = NAMES[:4]

    plan = plan_undo(sqlite_db, batch)
    assert [(k.entity, k.id) for k in plan.kept] == [("organisation", ids[n]) for n in worked]
    text = "\n".join(plan.lines())
    assert "Alpha Conseil » : modifiée depuis l'import" in text
    assert "Bravo Bâtiment » : 1 action" in text
    assert "Charlie Transports » : 1 document (GED)" in text
    assert "Delta Menuiserie » : 1 personne ajoutée depuis l'import" in text
    assert sorted(plan.delete["organisation"]) == sorted(ids[n] for n in NAMES[4:])
    assert len(plan.delete["person"]) == 2
    assert org_ids(sqlite_db) == ids  # the plan wrote nothing

    result = undo_import(sqlite_db, batch)

    assert [k.id for k in result.kept] == [ids[n] for n in worked]
    assert sorted(org_ids(sqlite_db)) == sorted(worked)
    with sqlite_db.read() as session:
        alpha = session.get(Organisation, ids["Alpha Conseil"])
        assert alpha is not None
        assert (alpha.notes, alpha.stage) == ("NE PAS PERDRE", Stage.CLIENT)
        assert len(alpha.addresses) == 1  # kept as is, imported address included
        actions = session.scalars(select(Action.organisation_id)).all()
        assert actions == [ids["Bravo Bâtiment"]]
        document = session.get(Document, document_id)
        assert document is not None
        assert document.organisation_id == ids["Charlie Transports"]
        assert (
            session.scalar(
                select(func.count())
                .select_from(DocumentVersion)
                .where(DocumentVersion.document_id == document_id)
            )
            == 1
        )
        delta = sorted(
            session.scalars(
                select(Person.last_name).where(Person.organisation_id == ids["Delta Menuiserie"])
            )
        )
        assert [name.upper() for name in delta] == ["AJOUTÉE", "DIRIGEANT3"]
        persons_left = session.scalar(select(func.count()).select_from(Person))
        assert persons_left == 5  # four imported managers kept with their record, plus Zoé
    with store.open(sha) as handle:
        assert handle.read() == b"Contrat signe"
    ged.close()


def test_undo_of_an_untouched_import_removes_everything(
    sqlite_db: Database, tmp_path: Path
) -> None:
    report = import_files(sqlite_db, [broker_file(tmp_path)])
    assert report.batch_id is not None
    plan = plan_undo(sqlite_db, report.batch_id)
    assert plan.kept == [] and len(plan.delete["organisation"]) == len(NAMES)
    result = undo_import(sqlite_db, report.batch_id)
    assert result.kept == [] and org_ids(sqlite_db) == {}


def test_campaign_recipients_and_tags_set_since_keep_the_record(
    sqlite_db: Database, tmp_path: Path
) -> None:
    report = import_files(sqlite_db, [broker_file(tmp_path)])
    batch = report.batch_id
    assert batch is not None
    ids = org_ids(sqlite_db)

    def write(session: Session) -> None:
        campaign = Campaign(name="Relance printemps", template="relance.docx")
        session.add(campaign)
        session.flush()
        session.add(
            CampaignRecipient(campaign_id=campaign.id, organisation_id=ids["Echo Plomberie"])
        )

    sqlite_db.run_write(write)
    set_organisation_tags(sqlite_db, ids["Foxtrot Peinture"], ["Salon 2026"])

    plan = plan_undo(sqlite_db, batch)
    reasons = {k.id: k.reasons for k in plan.kept}
    assert reasons == {
        ids["Echo Plomberie"]: ["1 envoi de campagne"],
        ids["Foxtrot Peinture"]: ["modifiée depuis l'import"],
    }
    undo_import(sqlite_db, batch)
    assert sorted(org_ids(sqlite_db)) == ["Echo Plomberie", "Foxtrot Peinture"]
    assert organisation_tags(sqlite_db, ids["Foxtrot Peinture"]) == ["Salon 2026"]
