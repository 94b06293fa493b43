"""Offscreen screenshots of the person sheet (a private customer, a staff member).

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_person_sheet.py [out_dir]

Writes ``person-sheet.png`` (a private customer's identity tab),
``person-sheet-address.png``, ``person-sheet-history.png`` and
``person-sheet-staff.png`` into ``docs/screenshots/`` (or ``out_dir``). The
data is made through the services in a throw-away database.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import tempfile
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from sqlalchemy.orm import Session

from microcrm.app import AppContext, Paths, Settings
from microcrm.crm.addresses import AddressRecord, save_person_address
from microcrm.crm.persons import PersonRecord, change_person_stage, save_person
from microcrm.crm.tags import set_person_tags
from microcrm.db import Database
from microcrm.models import Action, ActionStatus, ActionType, User
from microcrm.storage.opening import open_database

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def _fill(db: Database) -> tuple[int, int]:
    def users(session: Session) -> None:
        session.add_all([
            User(login="mdupont", full_name="Marie Dupont", initials="MD"),
            User(login="tleroux", full_name="Thomas Le Roux", initials="TL"),
        ])

    db.run_write(users)
    rec = save_person(db, PersonRecord(
        civility="Mme", first_name="Élise", last_name="Kerbrat", phone="02 98 44 12 70",
        mobile="06 71 23 45 89", email="elise.kerbrat@orange.fr", salesperson_id=2,
        no_mail=False, no_email=False,
        notes="Rénovation de la longère : cuisine en 2026, salle de bains ensuite.\n"
              "Joignable après 18 h ; préfère les SMS aux appels.",
    )).record
    assert rec.id is not None
    save_person_address(db, rec.id, AddressRecord(
        line1="Lieu-dit Kerdanet", line2="4, chemin de la Fontaine", postcode="29870",
        city="Landéda",
    ))
    set_person_tags(db, rec.id, ["Salon de l'habitat 2026", "Newsletter"])
    rec = change_person_stage(db, rec.id, rec.version_id, "prospect")
    change_person_stage(db, rec.id, rec.version_id, "client")

    def actions(session: Session) -> None:
        kinds: dict[str, int] = {}
        for name in ("Appel", "Rendez-vous", "Devis"):
            action_type = ActionType(name=name)
            session.add(action_type)
            session.flush()
            kinds[name] = action_type.id
        rows = [
            ("Appel", "Demande de devis après le salon de l'habitat", -75, ActionStatus.DONE),
            ("Rendez-vous", "Visite de la longère, prise de cotes", -60, ActionStatus.DONE),
            ("Devis", "Devis n° 2026-204 cuisine chêne massif", -45, ActionStatus.DONE),
            ("Appel", "Point sur la date de pose", 10, ActionStatus.PLANNED),
        ]
        now = dt.datetime.now(dt.UTC)
        for kind, subject, days, status in rows:
            when = now + dt.timedelta(days=days)
            session.add(Action(
                person_id=rec.id, action_type_id=kinds[kind], user_id=2,
                subject=subject, status=status, due_at=when,
                done_at=when if status is ActionStatus.DONE else None,
            ))

    db.run_write(actions)
    staff = save_person(db, replace(
        PersonRecord.new(staff=True), civility="M.", first_name="Thomas", last_name="Le Roux",
        role="Technico-commercial", phone="02 98 80 11 22", mobile="06 45 67 89 01",
        email="thomas.leroux@menuiserie-abers.fr",
        notes="Secteur Nord-Finistère ; véhicule de service AB-123-CD.",
    )).record
    assert staff.id is not None
    save_person_address(db, staff.id, AddressRecord(
        line1="15 rue de Brest", postcode="29800", city="Landerneau",
    ))
    return rec.id, staff.id


def main(out: Path) -> None:
    from microcrm.ui.application import make_application
    from microcrm.ui.record.person_sheet import PersonSheet

    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="microcrm-shots-"))
    os.environ["MICROCRM_HOME"] = str(folder / "home")
    db = open_database(folder / "crm.sqlite", workstation_id="shots", user_login="mdupont")
    person_id, staff_id = _fill(db)
    app = make_application([])
    ctx = AppContext(Paths.for_user(), Settings(user_login="mdupont"), db)
    for record_id, shots in (
        (person_id, ((0, "person-sheet"), (1, "person-sheet-address"),
                     (2, "person-sheet-history"))),
        (staff_id, ((0, "person-sheet-staff"),)),
    ):
        sheet = PersonSheet(ctx, record_id)
        sheet.resize(1180, 760)
        sheet.show()
        app.processEvents()
        for index, name in shots:
            sheet.tabs.setCurrentIndex(index)
            app.processEvents()
            sheet.grab().save(str(out / f"{name}.png"))
        sheet.close()
    db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
