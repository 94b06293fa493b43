"""The publipostage wizard end to end, on a real SQLite base: exclusions, address fixed in place,
preview, PDF produced and read back, printed, confirmed (one Action and one GED copy per
recipient), cancelled (no file, nothing in the base)."""

from __future__ import annotations

import io
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import QTableWidget
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.crm.sheet import load_history
from microcrm.ged.service import Ged
from microcrm.ged.store import ContentStore
from microcrm.mailing import campaigns as campaigns_module
from microcrm.mailing import production as production_module
from microcrm.mailing.campaigns import list_campaigns
from microcrm.ui.mailing.address_fix import AddressFixDialog
from microcrm.ui.mailing.wizard import MailingWizard
from tests.mailing.helpers import Base, fill

TIMEOUT = 30_000


@pytest.fixture
def base(app_ctx: AppContext) -> Base:
    return fill(app_ctx.db)


@pytest.fixture
def wizard(qtbot: QtBot, app_ctx: AppContext, base: Base) -> Iterator[MailingWizard]:
    ids = [
        base.alpha,
        base.beta,
        base.delta_npai,
        base.epsilon_invalid,
        base.eta_no_mail,
        base.theta_brest,
    ]
    wizard = MailingWizard(app_ctx, organisation_ids=ids, list_label="Liste de test")
    qtbot.addWidget(wizard)
    wizard.show()
    yield wizard
    wizard.close()


def cell(table: QTableWidget, row: int, column: int) -> str:
    item = table.item(row, column)
    assert item is not None
    return item.text()


def dark_ratio(image: QImage) -> float:
    """Share of the page's pixels that are ink (not white paper)."""
    gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
    width, height, stride = gray.width(), gray.height(), gray.bytesPerLine()
    data = bytes(gray.constBits())
    pixels = b"".join(data[y * stride : y * stride + width] for y in range(height))
    return sum(1 for value in pixels if value < 160) / (width * height)


def _to_template_page(qtbot: QtBot, wizard: MailingWizard) -> None:
    assert wizard.source_page.current_list.isChecked()
    wizard.next()
    assert wizard.currentPage() is wizard.check_page
    wizard.next()
    assert wizard.currentPage() is wizard.template_page
    wizard.template_page.select_template("prospection")


def _history_subjects(ctx: AppContext, org_id: int) -> list[str]:
    entries, _total = load_history(ctx.db, org_id)
    return [e.subject for e in entries if e.subject.startswith("Courrier : ")]


def test_wizard_end_to_end(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext, base: Base, tmp_path: Path
) -> None:
    # 1 — current list of six organisations
    wizard.next()
    check = wizard.check_page
    assert wizard.currentPage() is check
    # 2 — three recipients, three excluded with their reason
    table = check.excluded_table
    rows = {cell(table, r, 0): cell(table, r, 1) for r in range(table.rowCount())}
    assert rows == {
        "Delta Négoce": "Adresse marquée NPAI (n'habite pas à l'adresse indiquée)",
        "Epsilon Services": "Adresse non distribuable",
        "Eta Transports": "Refuse le courrier postal",
    }
    assert "3 destinataires" in check.summary.text()
    assert check.isComplete()
    # The invalid address is fixed in place, then checked again.
    table.selectRow([cell(table, r, 0) for r in range(3)].index("Epsilon Services"))
    assert check.fix_button.isEnabled()
    exclusion = check.current_exclusion()
    assert exclusion is not None and exclusion.reason == "adresse_invalide"
    dialog = AddressFixDialog(app_ctx, exclusion, wizard)
    qtbot.addWidget(dialog)
    assert dialog.kind == "organisation" and dialog.owner_id == base.epsilon_invalid
    dialog.editor.postcode.setText("35000")
    dialog.editor.city.setText("Rennes")
    dialog.save()
    check.recheck()
    assert table.rowCount() == 2
    assert check.recipients_table.rowCount() == 4
    assert "4 destinataires" in check.summary.text()
    # 3 — the built-in prospecting letter, PDF, DL window
    wizard.next()
    wizard.template_page.select_template("prospection")
    assert wizard.template_page.want_pdf.isChecked()
    assert not wizard.template_page.want_docx.isEnabled()
    # 4 — preview: a real page image, with ink on it; then the next recipient
    preview = wizard.preview_page
    with qtbot.waitSignal(preview.preview_ready, timeout=TIMEOUT):
        wizard.next()
    assert len(preview.strip.images) == 1
    first = preview.strip.images[0]
    assert first.width() == 560 and first.height() > 760
    assert 0.002 < dark_ratio(first) < 0.5
    assert "Lettre 1 sur 4 — Alpha Conseil" in preview.position.text()
    with qtbot.waitSignal(preview.preview_ready, timeout=TIMEOUT):
        preview.next_button.click()
    assert "Lettre 2 sur 4 — Beta Bâtiment" in preview.position.text()
    assert preview.strip.images and preview.strip.images[0] != first
    # 5 — production in a worker, the PDF read back
    production = wizard.production_page
    with qtbot.waitSignal(production.produced, timeout=TIMEOUT):
        wizard.next()
    assert production.last_error == ""
    produced = wizard.state.produced
    assert produced is not None and produced.run.letters == 4
    pdf = produced.files[0]
    reader = PdfReader(pdf.path)
    assert len(reader.pages) == 4 == pdf.pages
    texts = [page.extract_text() or "" for page in reader.pages]
    names = [r.organisation_name for r in produced.run.recipients]
    assert names == ["Alpha Conseil", "Beta Bâtiment", "Epsilon Services", "Theta Marine"]
    for text, recipient in zip(texts, produced.run.recipients, strict=True):
        assert recipient.organisation_name in text
        assert recipient.lines[-1] in text  # « 35000 RENNES »…
    assert "Delta Négoce" not in "".join(texts)
    # « Imprimer… » through QtPdf onto a (PDF) printer; « Enregistrer sous… »
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "imprime.pdf"))
    with qtbot.waitSignal(production.print_ended, timeout=TIMEOUT) as printing:
        production.print_file(pdf, printer)
    assert printing.args == [4]
    assert "4 pages envoyées à l'imprimante." in production.status.text()
    assert len(PdfReader(tmp_path / "imprime.pdf").pages) == 4
    assert production.save_file(pdf, tmp_path / "copie")
    assert (tmp_path / "copie.pdf").read_bytes() == pdf.path.read_bytes()
    # 6 — confirmation: one Action and one GED copy per recipient, none for the excluded
    confirm = wizard.confirm_page
    wizard.next()
    assert confirm.name.text().startswith("Lettre de prospection du ")
    confirm.name.setText("Prospection test")
    with qtbot.waitSignal(confirm.confirmed, timeout=TIMEOUT) as blocker:
        confirm.confirm_button.click()
    campaign_id = blocker.args[0] if blocker.args else None
    assert confirm.last_error == ""
    assert wizard.state.campaign_id == campaign_id is not None
    assert confirm.isComplete()
    [campaign] = list_campaigns(app_ctx.db)
    assert (campaign.id, campaign.letters, campaign.pages, campaign.excluded) == (
        campaign_id,
        4,
        4,
        2,
    )
    ged = Ged(app_ctx.db, ContentStore(app_ctx.ged_root))
    for org in (base.alpha, base.beta, base.epsilon_invalid, base.theta_brest):
        assert _history_subjects(app_ctx, org) == ["Courrier : Prospection test"]
        [document] = ged.documents(organisation_id=org)
        assert document.dossier_path == "Courrier"
        assert document.mime_type == "application/pdf"
        copy = PdfReader(io.BytesIO(ged.store.read_bytes(document.sha256)))
        assert len(copy.pages) == 1
        assert (document.organisation_name or "") in (copy.pages[0].extract_text() or "")
    for org in (base.delta_npai, base.eta_no_mail):
        assert _history_subjects(app_ctx, org) == []
        assert ged.documents(organisation_id=org) == []
    folder = produced.folder
    wizard.accept()
    assert not folder.exists()


def test_cancel_during_production_leaves_nothing(
    qtbot: QtBot,
    wizard: MailingWizard,
    app_ctx: AppContext,
    base: Base,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = campaigns_module.produce_run
    outputs: list[Path] = []

    def produce_when_cancelled(*args: Any, **kwargs: Any) -> Any:
        # Hold the worker until « Annuler » is clicked, then let the domain see the cancel.
        outputs.append(args[3])
        deadline = time.monotonic() + 10
        while not kwargs["cancel"]() and time.monotonic() < deadline:
            time.sleep(0.01)
        return real(*args, **kwargs)

    monkeypatch.setattr(production_module, "produce_run", produce_when_cancelled)
    _to_template_page(qtbot, wizard)
    with qtbot.waitSignal(wizard.preview_page.preview_ready, timeout=TIMEOUT):
        wizard.next()
    production = wizard.production_page
    wizard.next()
    assert production.running() and production.cancel_button.isVisible()
    with qtbot.waitSignal(production.produced, timeout=TIMEOUT):
        production.cancel_button.click()
    assert not production.running()
    assert "annulée" in production.status.text()
    assert wizard.state.produced is None and production.files.count() == 0
    assert not production.isComplete()
    [output] = outputs
    assert not output.parent.exists()
    assert list_campaigns(app_ctx.db) == []
    assert _history_subjects(app_ctx, base.alpha) == []
    assert not app_ctx.ged_root.exists() or not any(
        p.is_file() for p in app_ctx.ged_root.rglob("*")
    )


def test_discard_writes_nothing(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext, base: Base
) -> None:
    _to_template_page(qtbot, wizard)
    wizard.template_page.labels_box.setChecked(True)
    wizard.template_page.label_combo.setCurrentIndex(
        wizard.template_page.label_combo.findData("L7160")
    )
    wizard.template_page.label_start.setValue(4)
    with qtbot.waitSignal(wizard.preview_page.preview_ready, timeout=TIMEOUT):
        wizard.next()
    with qtbot.waitSignal(wizard.production_page.produced, timeout=TIMEOUT):
        wizard.next()
    produced = wizard.state.produced
    assert produced is not None
    labels = [f for f in produced.files if f.label.startswith("Étiquettes")]
    assert [f.pages for f in labels] == [1]
    assert produced.labels is not None and produced.labels.positions[0] == (1, 1, 2)
    wizard.next()
    with qtbot.waitSignal(wizard.rejected, timeout=TIMEOUT):
        wizard.confirm_page.discard_button.click()
    assert not produced.folder.exists()
    assert list_campaigns(app_ctx.db) == []
    assert _history_subjects(app_ctx, base.alpha) == []


def test_unknown_field_stops_on_template_page(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext
) -> None:
    folder = app_ctx.paths.config / "modeles"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "faute.toml").write_text(
        'title = "Lettre fautive"\nsubject = "Objet : {{ numero_client }}"\n'
        'body = "<p>Bonjour</p>"\n',
        encoding="utf-8",
    )
    wizard.next()
    wizard.next()
    page = wizard.template_page
    page.select_template("faute")
    wizard.next()
    assert wizard.currentPage() is page
    assert page.error.text().startswith("Champ de fusion inconnu « numero_client »")
    assert wizard.state.options is None


def test_main_window_opens_the_wizard_on_the_current_list(
    qtbot: QtBot, app_ctx: AppContext, base: Base
) -> None:
    from microcrm.ui.mailing.campaigns_view import CampaignsDialog
    from microcrm.ui.mailing.templates_dialog import TemplatesDialog
    from microcrm.ui.main_window import MainWindow

    window = MainWindow(app_ctx)
    qtbot.addWidget(window)
    window.show()
    window.navigation.select_base("prospect")
    listed = window.list_panel.model.ids()
    assert base.alpha in listed and len(listed) == 9
    assert window.act_mailing.shortcut().toString() == "Ctrl+Shift+P"
    window.act_mailing.trigger()
    [wizard] = window.findChildren(MailingWizard)
    assert wizard.state.organisation_ids == listed and wizard.state.person_ids == []
    assert wizard.source_page.current_list.text() == "Liste courante : Prospects (9 fiches)"
    wizard.close()
    window.list_panel.select_id(base.theta_brest)
    window.act_mailing.trigger()
    wizard = next(w for w in window.findChildren(MailingWizard) if w.isVisible())
    assert wizard.state.organisation_ids == [base.theta_brest]
    wizard.next()
    assert [r.display_name for r in (wizard.state.selection or _no()).recipients] == [
        "Theta Marine"
    ]
    wizard.close()
    window.act_mail_templates.trigger()
    [templates] = window.findChildren(TemplatesDialog)
    names = [templates.list.item(r).text() for r in range(templates.list.count())]
    assert any("(lettre, fourni avec MicroCRM — prospection)" in n for n in names)
    templates.close()
    window.act_campaigns.trigger()
    [campaigns] = window.findChildren(CampaignsDialog)
    assert campaigns.view.empty.isVisibleTo(campaigns)
    campaigns.close()


def _no() -> Any:
    raise AssertionError("no selection")


def _docx_run(qtbot: QtBot, wizard: MailingWizard) -> None:
    wizard.next()
    wizard.next()
    wizard.template_page.select_template("exemple")
    with qtbot.waitSignal(wizard.preview_page.preview_ready, timeout=120_000):
        wizard.next()


def test_word_template_without_libreoffice_gives_one_docx(
    qtbot: QtBot, wizard: MailingWizard, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docx import Document as DocxDocument

    from microcrm.ui.mailing import output_pages

    monkeypatch.setattr(output_pages, "find_soffice", lambda: None)
    wizard.next()
    wizard.next()
    page = wizard.template_page
    page.select_template("exemple")
    assert page.want_docx.isChecked() and not page.want_pdf.isEnabled()
    assert "LibreOffice n'est pas installé" in page.note.text()
    with qtbot.waitSignal(wizard.preview_page.preview_ready, timeout=TIMEOUT):
        wizard.next()
    assert wizard.preview_page.strip.images == []
    assert "LibreOffice" in wizard.preview_page.strip.message.text()
    with qtbot.waitSignal(wizard.production_page.produced, timeout=TIMEOUT):
        wizard.next()
    produced = wizard.state.produced
    assert produced is not None and wizard.production_page.last_error == ""
    [output] = produced.files
    assert output.path.suffix == ".docx" and not output.is_pdf
    assert not wizard.production_page.print_button.isEnabled()
    text = "\n".join(p.text for p in DocxDocument(str(output.path)).paragraphs)
    for name in ("Alpha Conseil", "Beta Bâtiment", "Theta Marine"):
        assert name in text
    assert "{{" not in text and "MERGEFIELD" not in text


@pytest.mark.slow
def test_word_template_with_libreoffice_previews_and_gives_a_pdf(
    qtbot: QtBot, wizard: MailingWizard
) -> None:
    from microcrm.mailing.docx_merge import find_soffice

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    _docx_run(qtbot, wizard)
    assert len(wizard.preview_page.strip.images) == 1
    assert dark_ratio(wizard.preview_page.strip.images[0]) > 0.002
    with qtbot.waitSignal(wizard.production_page.produced, timeout=240_000):
        wizard.next()
    produced = wizard.state.produced
    assert produced is not None, wizard.production_page.last_error
    pdf, docx = produced.files
    assert pdf.is_pdf and docx.path.suffix == ".docx"
    texts = [p.extract_text() or "" for p in PdfReader(pdf.path).pages]
    assert len(texts) == pdf.pages and len(texts) >= 3
    assert "Theta Marine" in "".join(texts)


def test_saved_segment_and_one_letter_per_contact(
    qtbot: QtBot, app_ctx: AppContext, base: Base
) -> None:
    wizard = MailingWizard(app_ctx)  # no current list: the segment is the only source
    qtbot.addWidget(wizard)
    wizard.show()
    page = wizard.source_page
    assert not page.current_list.isEnabled() and page.segment_radio.isChecked()
    assert page.segments.currentText() == "Bretagne"
    page.per_contact.setChecked(True)
    wizard.next()
    selection = wizard.state.selection
    assert selection is not None and selection.segment_name == "Bretagne"
    names = [r.display_name for r in selection.recipients]
    # Gamma: Luc refuses mail, Anne gets her own letter; Alpha: both contacts.
    assert "Mme Anne Roux (Gamma Œnologie)" in names
    assert not any("Luc Petit" in n for n in names)
    assert any(n.startswith("Mme Claire Martin (Alpha") for n in names)
    assert any(n.startswith("M. Paul Durand (Alpha") for n in names)
    assert "Segment « Bretagne »" in wizard.check_page.summary.text()
    wizard.close()


def test_new_template_from_the_wizard_is_listed_and_used(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext
) -> None:
    wizard.next()
    wizard.next()
    page = wizard.template_page
    editor = page.edit_template(new=True)
    qtbot.waitUntil(lambda: bool(editor.last_pdf), timeout=TIMEOUT)
    editor.name.setText("voeux")
    editor.title_edit.setText("Vœux de fin d'année")
    editor.subject.setText("Objet : meilleurs vœux")
    editor.body.setPlainText(
        "{{ formule_appel }}\nToute l'équipe de {{ entreprise }} vous souhaite…"
    )
    assert editor.save() == app_ctx.paths.config / "modeles" / "voeux.toml"
    editor.close()
    assert page.template_name() == "voeux"
    assert page.templates.currentItem().text().startswith("Vœux de fin d'année  (lettre, personnel")
    with qtbot.waitSignal(wizard.preview_page.preview_ready, timeout=TIMEOUT):
        wizard.next()
    assert wizard.state.options is not None and wizard.state.options.template.name == "voeux"
    assert len(wizard.preview_page.strip.images) == 1
