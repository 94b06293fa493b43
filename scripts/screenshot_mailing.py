"""Offscreen screenshots of the publipostage wizard, the template editor and the campaigns.

    QT_QPA_PLATFORM=offscreen python scripts/screenshot_mailing.py [out_dir]

Writes ``mailing-wizard-1-destinataires.png`` … ``mailing-wizard-6-confirmation.png``,
``mailing-editor.png`` and ``mailing-campaigns.png`` into ``docs/screenshots/``
(or ``out_dir``). The base is a throw-away demo base (``microcrm.demo.generate``)
in which one prospect's address is marked NPAI, one refuses mail and one
address is undeliverable, so the « Contrôle » page shows each case.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, QTimer, SignalInstance
from PySide6.QtWidgets import QApplication, QWidget
from sqlalchemy import select

from microcrm.app import AppContext, build_context
from microcrm.crm.company import CompanyInfo, save_company
from microcrm.demo import generate
from microcrm.mailing.campaigns import mark_address_npai
from microcrm.mailing.templates import LetterTemplate, load_template
from microcrm.models import Address, Organisation, Stage
from microcrm.storage.opening import open_database
from microcrm.ui.application import make_application
from microcrm.ui.mailing.address_fix import AddressFixDialog
from microcrm.ui.mailing.campaigns_view import CampaignsDialog
from microcrm.ui.mailing.template_editor import TemplateEditor
from microcrm.ui.mailing.wizard import MailingWizard

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "screenshots"
COMPANY = CompanyInfo(
    name="Atelier Lumière SARL",
    legal_form="SARL",
    capital_cents=2_000_000,
    siret="73282932000074",
    rcs_city="Rennes",
    address_line1="12 rue de la Monnaie",
    postcode="35000",
    city="Rennes",
    phone="02 99 00 00 00",
    email="contact@atelier-lumiere.fr",
)


def wait(signal: SignalInstance, timeout_ms: int = 60_000) -> None:
    """Run the event loop until ``signal`` is emitted."""
    loop = QEventLoop()
    signal.connect(loop.quit)
    QTimer.singleShot(timeout_ms, loop.quit)
    loop.exec()


def grab(widget: QWidget, path: Path) -> None:
    """Let the widget lay itself out, then save it."""
    app = QApplication.instance()
    for _ in range(5):
        if app is not None:
            app.processEvents()
    widget.grab().save(str(path))
    print(path)


def prepare(folder: Path) -> list[int]:
    """A demo base with the company filled in and three exclusion cases; prospect ids."""
    db = open_database(folder / "crm.sqlite", user_login="mdupont")
    generate(db, organisations=60, persons=120, seed=11)
    save_company(db, COMPANY)
    with db.read() as s:
        ids = list(
            s.scalars(
                select(Organisation.id)
                .where(Organisation.stage == Stage.PROSPECT)
                .order_by(Organisation.name_key)
                .limit(14)
            )
        )
        addresses = {
            a.organisation_id: a.id
            for a in s.scalars(select(Address).where(Address.organisation_id.in_(ids)))
        }
    mark_address_npai(db, addresses[ids[2]])

    def write(s: object) -> None:
        from sqlalchemy.orm import Session

        assert isinstance(s, Session)
        org = s.get(Organisation, ids[5])
        assert org is not None
        org.no_mail = True
        address = s.get(Address, addresses[ids[8]])
        assert address is not None
        address.postcode, address.city = "35999", "Nulle Part"

    db.run_write(write)
    db.dispose()
    return ids


def shoot_wizard(ctx: AppContext, ids: list[int], out: Path) -> MailingWizard:
    """Walk through the six pages (the run is confirmed) and grab each."""
    wizard = MailingWizard(ctx, organisation_ids=ids, list_label="Liste courante : Prospects")
    wizard.show()
    grab(wizard, out / "mailing-wizard-1-destinataires.png")
    wizard.next()
    grab(wizard, out / "mailing-wizard-2-controle.png")
    check = wizard.check_page
    selection = wizard.state.selection
    assert selection is not None
    check.excluded_table.selectRow([e.reason for e in selection.excluded].index("adresse_invalide"))
    exclusion = check.current_exclusion()
    assert exclusion is not None
    fix = AddressFixDialog(ctx, exclusion, wizard)
    fix.show()
    grab(fix, out / "mailing-wizard-2-correction.png")
    fix.close()
    wizard.next()
    page = wizard.template_page
    page.select_template("prospection")
    page.labels_box.setChecked(True)
    page.label_combo.setCurrentIndex(page.label_combo.findData("L7160"))
    page.label_start.setValue(4)
    page.offset_dx.setValue(0.5)
    page.offset_dy.setValue(-1.0)
    page.want_envelopes.setChecked(True)
    page.envelope_combo.setCurrentIndex(page.envelope_combo.findData("DL"))
    grab(wizard, out / "mailing-wizard-3-modele.png")
    wizard.next()
    wait(wizard.preview_page.preview_ready)
    grab(wizard, out / "mailing-wizard-4-apercu.png")
    wizard.next()
    if wizard.production_page.running():
        wait(wizard.production_page.produced)
    grab(wizard, out / "mailing-wizard-5-production.png")
    wizard.next()
    wizard.confirm_page.name.setText("Prospection printemps")
    wizard.confirm_page.confirm_button.click()
    wait(wizard.confirm_page.confirmed)
    grab(wizard, out / "mailing-wizard-6-confirmation.png")
    return wizard


def shoot_editor_and_campaigns(ctx: AppContext, wizard: MailingWizard, out: Path) -> None:
    """The template editor on « prospection » and the campaigns window."""
    template = load_template("prospection")
    assert isinstance(template, LetterTemplate)
    editor = TemplateEditor(ctx.paths.config / "modeles", wizard.state.context(), template)
    editor.show()
    if not editor.last_pdf:
        wait(editor.preview_ready)
    grab(editor, out / "mailing-editor.png")
    editor.close()
    campaigns = CampaignsDialog(ctx)
    campaigns.show()
    campaigns.view.recipient_table.selectRow(1)
    grab(campaigns, out / "mailing-campaigns.png")


def main() -> None:
    """Build the base, walk through the wizard and grab each page."""
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else OUT
    out.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix="shot-mailing-"))
    os.environ["MICROCRM_HOME"] = str(folder / "home")
    try:
        ids = prepare(folder)
        make_application([])
        ctx = build_context(str(folder / "crm.sqlite"))
        wizard = shoot_wizard(ctx, ids, out)
        shoot_editor_and_campaigns(ctx, wizard, out)
        wizard.accept()
        ctx.db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
