"""Offscreen screenshots of the record sheet and the conflict dialog on realistic data.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_record_sheet.py [out_dir]

Writes ``record-sheet.png`` (identity tab), ``record-sheet-address.png``,
``record-sheet-contacts.png``, ``record-sheet-history.png``,
``record-sheet-merged.png``, ``record-sheet-address-corrected.png`` and
``conflict-dialog.png`` into ``docs/screenshots/`` (or ``out_dir``). The data
is made through the services in a throw-away database.
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
from microcrm.crm.addresses import AddressRecord, save_primary_address
from microcrm.crm.contacts import ContactRecord, save_contact
from microcrm.crm.parties import OrganisationRecord, save_organisation, set_traite
from microcrm.crm.sheet import move_to_stage
from microcrm.crm.tags import set_organisation_tags
from microcrm.db import Database
from microcrm.models import Action, ActionStatus, ActionType, User
from microcrm.storage.opening import open_database

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"


def _fill(db: Database) -> int:
    def users(session: Session) -> None:
        session.add_all([
            User(login="mdupont", full_name="Marie Dupont", initials="MD"),
            User(login="tleroux", full_name="Thomas Le Roux", initials="TL"),
        ])

    db.run_write(users)
    org = save_organisation(db, OrganisationRecord(
        name="Boulangerie Martin", enseigne="Au Fournil de Saint-Hélier",
        reference="C-00412", siret="73282932000074", naf_code="10.71C", headcount_band="03",
        legal_form="5499", website="www.fournil-saint-helier.fr",
        email="contact@fournil-saint-helier.fr", phone="02 99 30 41 52",
        notes="Livraison des sacs de farine le mardi matin avant 7 h.\n"
              "Intéressée par le four à sole en démonstration au salon de Rennes.",
        salesperson_id=1,
    )).record
    assert org.id is not None
    save_primary_address(db, org.id, AddressRecord(
        line1="12, rue Saint-Hélier", line2="Bât. B", postcode="35000", city="Rennes",
    ))
    for contact in (
        ContactRecord(civility="Mme", first_name="Claire", last_name="Martin", role="Gérante",
                      phone="02 99 30 41 52", mobile="06 12 34 56 78",
                      email="claire.martin@fournil-saint-helier.fr"),
        ContactRecord(civility="M.", first_name="Hugo", last_name="Martin",
                      role="Chef boulanger", mobile="06 98 76 54 32"),
        ContactRecord(civility="Mme", first_name="Élise", last_name="Durand",
                      role="Comptable (cabinet Durand)", phone="02 23 45 67 89",
                      email="e.durand@cabinet-durand.fr"),
    ):
        save_contact(db, replace(contact, organisation_id=org.id))
    set_organisation_tags(db, org.id, ["Fidèle", "Salon 2026", "Artisan"])
    rec = set_traite(db, org.id, org.version_id, True)
    move_to_stage(db, org.id, rec.version_id, "client")

    def actions(session: Session) -> None:
        kinds: dict[str, int] = {}
        for name in ("Appel", "Rendez-vous", "Courrier", "Devis"):
            action_type = ActionType(name=name)
            session.add(action_type)
            session.flush()
            kinds[name] = action_type.id
        rows = [
            ("Appel", "Premier contact, présentation de la gamme", -60, ActionStatus.DONE, 1),
            ("Courrier", "Envoi de la plaquette fours à sole", -52, ActionStatus.DONE, 1),
            ("Rendez-vous", "Démonstration au fournil", -30, ActionStatus.DONE, 2),
            ("Devis", "Devis n° 2026-118 four à sole 4 étages", -21, ActionStatus.DONE, 1),
            ("Appel", "Relance devis", 7, ActionStatus.PLANNED, 1),
        ]
        now = dt.datetime.now(dt.UTC)
        for kind, subject, days, status, user in rows:
            when = now + dt.timedelta(days=days)
            session.add(Action(
                organisation_id=org.id, action_type_id=kinds[kind], user_id=user,
                subject=subject, status=status, due_at=when,
                done_at=when if status is ActionStatus.DONE else None,
            ))

    db.run_write(actions)
    return org.id


def main(out: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from microcrm.ui.application import make_application
    from microcrm.ui.conflict_dialog import ConflictDialog
    from microcrm.ui.record.sheet import OrganisationSheet

    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="microcrm-shots-"))
    os.environ["MICROCRM_HOME"] = str(folder / "home")
    db = open_database(folder / "crm.sqlite", workstation_id="shots", user_login="mdupont")
    org_id = _fill(db)
    app = make_application([])
    ctx = AppContext(Paths.for_user(), Settings(user_login="mdupont"), db)
    sheet = OrganisationSheet(ctx, org_id)
    sheet.resize(1180, 760)
    sheet.show()
    app.processEvents()
    for index, name in ((0, "record-sheet"), (1, "record-sheet-address"),
                        (2, "record-sheet-contacts"), (3, "record-sheet-history")):
        sheet.tabs.setCurrentIndex(index)
        app.processEvents()
        sheet.grab().save(str(out / f"{name}.png"))

    # Another workstation renames the record and changes its phone while I edit both.
    other = OrganisationSheet(ctx, org_id)
    other.identity.name.setText("Boulangerie Martin & Fils")
    other.identity.phone.setText("02 99 30 41 60")
    other.identity.website.setText("www.martin-et-fils.fr")
    other.save()
    sheet.tabs.setCurrentIndex(0)
    sheet.identity.name.setText("Boulangerie-Pâtisserie Martin")
    sheet.identity.phone.setText("02 99 30 41 99")
    sheet.identity.notes.setPlainText(sheet.identity.notes.toPlainText() + "\nNouveau numéro.")

    def shoot() -> None:
        dialog = next(w for w in QApplication.topLevelWidgets() if isinstance(w, ConflictDialog))
        dialog.choose("phone", "theirs")
        app.processEvents()
        dialog.grab().save(str(out / "conflict-dialog.png"))
        dialog.save_button.click()

    QTimer.singleShot(100, shoot)
    sheet.save()
    app.processEvents()
    sheet.grab().save(str(out / "record-sheet-merged.png"))
    print(sheet.status_text())

    # The address editor diagnosing a misspelt locality and an over-long line.
    sheet.tabs.setCurrentIndex(1)
    editor = sheet.address_editor
    editor.line1.setText("12 boulevard du Maréchal de Lattre de Tassigny prolongé")
    editor.postcode.setText("29200")
    editor.city.setText("Brst")
    app.processEvents()
    sheet.grab().save(str(out / "record-sheet-address-corrected.png"))
    db.dispose()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
