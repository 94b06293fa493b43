"""Printing set-up of the publipostage wizard, end to end on a real SQLite base: printer offset
of labels (remembered per sheet, applied), calibration page, user-defined label formats,
envelopes as an output of the run, envelope window position (remembered, used by the preview
and the produced letters). PDFs are read back with pypdf."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtGui import QImage
from PySide6.QtPrintSupport import QPrinter
from pytestqt.qtbot import QtBot

from microcrm.app import AppContext
from microcrm.mailing.labels import get_label_format, label_formats, render_labels
from microcrm.mailing.letters import WINDOWS, WindowSpec
from microcrm.mailing.print_settings import (
    load_print_settings,
    save_label_offset,
    save_window,
    window_override,
)
from microcrm.mailing.production import OutputFile, Produced
from microcrm.ui.mailing.output_pages import TemplatePage, preview_pdf
from microcrm.ui.mailing.state import WizardState
from microcrm.ui.mailing.wizard import MailingWizard
from tests.mailing.helpers import MM, Base, fill, page_lines, where

TIMEOUT = 30_000


@pytest.fixture
def base(app_ctx: AppContext) -> Base:
    return fill(app_ctx.db)


@pytest.fixture
def wizard(qtbot: QtBot, app_ctx: AppContext, base: Base) -> Iterator[MailingWizard]:
    # Three recipients (Alpha, Beta, Theta) and one exclusion (Delta, NPAI).
    ids = [base.alpha, base.beta, base.delta_npai, base.theta_brest]
    wizard = MailingWizard(app_ctx, organisation_ids=ids, list_label="Liste de test")
    qtbot.addWidget(wizard)
    wizard.show()
    wizard.next()
    wizard.next()
    assert wizard.currentPage() is wizard.template_page
    wizard.template_page.select_template("prospection")
    yield wizard
    wizard.close()


def _produce(qtbot: QtBot, wizard: MailingWizard) -> Produced:
    with qtbot.waitSignal(wizard.preview_page.preview_ready, timeout=TIMEOUT):
        wizard.next()
    with qtbot.waitSignal(wizard.production_page.produced, timeout=TIMEOUT):
        wizard.next()
    assert wizard.production_page.last_error == ""
    produced = wizard.state.produced
    assert produced is not None
    return produced


def _file(produced: Produced, label: str) -> OutputFile:
    [found] = [f for f in produced.files if f.label.startswith(label)]
    return found


def _select_sheet(page: TemplatePage, name: str) -> None:
    page.labels_box.setChecked(True)
    index = page.label_combo.findData(name)
    assert index >= 0, name
    page.label_combo.setCurrentIndex(index)


def _fresh_page(qtbot: QtBot, ctx: AppContext) -> TemplatePage:
    """A new « Modèle » page, as in the next run of the wizard."""
    page = TemplatePage(WizardState(ctx))
    qtbot.addWidget(page)
    page.initializePage()
    return page


def test_printer_offset_is_remembered_per_sheet_and_moves_the_labels(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext
) -> None:
    page = wizard.template_page
    _select_sheet(page, "L7160")
    assert page.label_offset() == (0.0, 0.0)
    assert (page.offset_dx.minimum(), page.offset_dx.maximum()) == (-10.0, 10.0)
    assert page.offset_dx.singleStep() == 0.5
    page.offset_dx.setValue(2.0)
    page.offset_dy.setValue(-1.5)
    assert load_print_settings(app_ctx.paths.config).label_offset("L7160") == (2.0, -1.5)
    _select_sheet(page, "L7163")  # another sheet: its own (unmeasured) offset
    assert page.label_offset() == (0.0, 0.0)
    _select_sheet(page, "L7160")
    assert page.label_offset() == (2.0, -1.5)
    # Remembered across runs: a new wizard page shows it again.
    again = _fresh_page(qtbot, app_ctx)
    _select_sheet(again, "L7160")
    assert again.label_offset() == (2.0, -1.5)
    # The labels produced with the run are shifted by exactly the offset.
    produced = _produce(qtbot, wizard)
    labels = _file(produced, "Étiquettes L7160")
    recipients = produced.run.recipients
    plain = render_labels(
        recipients, Path(str(labels.path) + ".sans.pdf"), get_label_format("L7160")
    )
    shifted_lines, plain_lines = page_lines(labels.path, 0), page_lines(plain.path, 0)
    for recipient in recipients:
        x, y = where(shifted_lines, recipient.lines[0])
        x0, y0 = where(plain_lines, recipient.lines[0])
        assert x - x0 == pytest.approx(2.0, abs=0.05)
        assert y - y0 == pytest.approx(-1.5, abs=0.05)


def test_calibration_page_with_the_offset_printed_and_saved(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext, tmp_path: Path
) -> None:
    page = wizard.template_page
    _select_sheet(page, "L7163")
    page.offset_dx.setValue(1.0)
    page.offset_dy.setValue(0.5)
    dialog = page.open_calibration()
    assert dialog is not None  # a child of the wizard, deleted when closed
    text = PdfReader(dialog.path).pages[0].extract_text() or ""
    assert "Page d'étalonnage" in text and "L7163" in text
    assert "horizontal +1.0 mm, vertical +0.5 mm" in text
    # Label n° 14 (last of a 2 × 7 sheet) drawn at its position plus the offset.
    fmt = get_label_format("L7163")
    x, y = where(page_lines(dialog.path, 0), "14")
    left, top = fmt.origin(14, (1.0, 0.5))
    assert left < x < left + 5 and top < y < top + 5
    assert len(dialog.strip.images) == 1
    # « Imprimer » (onto a PDF printer) and « Enregistrer sous » reuse the wizard's helpers.
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    printer.setOutputFileName(str(tmp_path / "imprime.pdf"))
    with qtbot.waitSignal(dialog.printing.ended, timeout=TIMEOUT) as ended:
        dialog.printing.start(dialog.path, 1, printer)
    assert ended.args == ["1 page envoyée à l'imprimante.", 1]
    assert len(PdfReader(tmp_path / "imprime.pdf").pages) == 1
    from microcrm.ui.mailing.pdf_view import save_copy

    saved = save_copy(dialog, dialog.path, tmp_path / "etalonnage")
    assert saved == tmp_path / "etalonnage.pdf"
    assert saved.read_bytes() == dialog.path.read_bytes()
    folder = dialog.path.parent
    dialog.close()
    assert not folder.exists()


def test_user_label_format_saved_listed_and_used(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext
) -> None:
    page = wizard.template_page
    _select_sheet(page, "L7160")
    dialog = page.new_label_format()  # a child of the wizard, deleted when closed
    assert dialog.columns.value() == 3  # starts from the selected sheet
    dialog.name.setText("L7160")
    assert dialog.save() is None
    assert dialog.error.text() == (
        "Format non enregistré : « L7160 » est un format fourni : choisissez un autre nom."
    )
    dialog.name.setText("Maison 2x4")
    dialog.title_edit.setText("Maison — 8 étiquettes 100 × 70")
    dialog.columns.setValue(3)
    dialog.rows.setValue(4)
    for spin, value in (
        (dialog.label_width, 100.0),
        (dialog.label_height, 70.0),
        (dialog.left, 5.0),
        (dialog.top, 8.5),
        (dialog.h_pitch, 100.0),
        (dialog.v_pitch, 70.0),
    ):
        spin.setValue(value)
    assert dialog.save() is None  # 3 columns of 100 mm do not fit on A4
    assert dialog.error.text().startswith("Format non enregistré : Les étiquettes « Maison 2x4 »")
    assert "dépassent de la page (305.0 × 288.5 mm pour 210 × 297)" in dialog.error.text()
    assert not (app_ctx.paths.config / "etiquettes.toml").exists()
    dialog.columns.setValue(2)
    with qtbot.waitSignal(dialog.saved, timeout=TIMEOUT):
        fmt = dialog.save()
    assert fmt is not None and fmt.per_sheet == 8
    assert label_formats(app_ctx.paths.config)["Maison 2x4"] == fmt
    # Listed (and selected) in the wizard, and on the next run too.
    assert page.label_combo.currentData() == "Maison 2x4"
    assert page.label_combo.currentText() == "Maison 2x4 — Maison — 8 étiquettes 100 × 70"
    assert page.label_start.maximum() == 8
    assert _fresh_page(qtbot, app_ctx).label_combo.findData("Maison 2x4") >= 0
    # Used: three labels from position 7 → two on the first sheet, one on the second.
    page.label_start.setValue(7)
    produced = _produce(qtbot, wizard)
    labels = _file(produced, "Étiquettes Maison 2x4")
    assert labels.pages == 2 == len(PdfReader(labels.path).pages)
    assert produced.labels is not None
    assert produced.labels.positions == [(1, 1, 4), (1, 2, 4), (2, 1, 1)]
    names = [r.lines[0] for r in produced.run.recipients]
    first, second = page_lines(labels.path, 0), page_lines(labels.path, 1)
    assert [t for t, _x, _y in first if t in names] == names[:2]
    assert [t for t, _x, _y in second if t in names] == names[2:]
    x, y = where(first, names[0])
    assert 5 < x < 105 and 8.5 + 3 * 70 < y < 8.5 + 4 * 70


def test_envelopes_are_an_output_of_the_run(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext, tmp_path: Path
) -> None:
    page = wizard.template_page
    assert not page.envelope_combo.isEnabled()
    page.want_envelopes.setChecked(True)
    assert page.envelope_combo.isEnabled()
    assert [page.envelope_combo.itemData(i) for i in range(page.envelope_combo.count())] == [
        "DL",
        "C5",
        "C4",
    ]
    page.envelope_combo.setCurrentIndex(page.envelope_combo.findData("DL"))
    produced = _produce(qtbot, wizard)
    envelopes = _file(produced, "Enveloppes DL")
    assert envelopes.path.name.endswith("-enveloppes.pdf")
    assert envelopes.path.name.startswith(produced.run.output.stem)
    reader = PdfReader(envelopes.path)
    recipients = produced.run.recipients
    assert len(reader.pages) == len(recipients) == envelopes.pages == produced.envelopes == 3
    for number, (pdf_page, recipient) in enumerate(zip(reader.pages, recipients, strict=True)):
        box = pdf_page.mediabox
        assert (round(float(box.width) / MM), round(float(box.height) / MM)) == (220, 110)
        lines = page_lines(envelopes.path, number)
        sender_x, sender_y = where(lines, "Atelier Œuvre & Cie")
        assert sender_x < 20 and sender_y < 20
        x, y = where(lines, recipient.lines[0])
        assert x >= 100 and 50 <= y <= 95
    production = wizard.production_page
    assert "3 enveloppes DL." in production.status.text()
    listed = [production.files.item(r).text() for r in range(production.files.count())]
    assert any(t.startswith("Enveloppes DL : ") and t.endswith("3 pages") for t in listed)
    production.files.setCurrentRow(listed.index(next(t for t in listed if "Enveloppes" in t)))
    assert production.current_file() == envelopes
    assert production.print_button.isEnabled() and production.save_button.isEnabled()
    assert production.save_file(envelopes, tmp_path / "enveloppes")
    assert (tmp_path / "enveloppes.pdf").read_bytes() == envelopes.path.read_bytes()


def _ink(image: QImage, left_mm: float, top_mm: float, right_mm: float, bottom_mm: float) -> int:
    scale = image.width() / 210
    return sum(
        1
        for x in range(round(left_mm * scale), round(right_mm * scale))
        for y in range(round(top_mm * scale), round(bottom_mm * scale))
        if image.pixelColor(x, y).lightness() < 128
    )


def test_window_position_remembered_previewed_and_used(
    qtbot: QtBot, wizard: MailingWizard, app_ctx: AppContext, tmp_path: Path
) -> None:
    page = wizard.template_page
    box = page.window_box
    assert box.isEnabled()
    assert box.spec() == WINDOWS["DL"]  # the standard DL values by default
    box.left.setValue(20.0)
    box.top.setValue(60.0)
    measured = WindowSpec("DL", 20.0, 60.0, 100.0, 45.0)
    assert load_print_settings(app_ctx.paths.config).window("DL") == measured
    page.window_combo.setCurrentIndex(page.window_combo.findData("C5"))
    assert box.spec() == WINDOWS["C5"]
    page.window_combo.setCurrentIndex(page.window_combo.findData("DL"))
    assert box.spec() == measured
    assert _fresh_page(qtbot, app_ctx).window_box.spec() == measured  # across runs
    # A window off the page is refused, in French, on the page.
    box.left.setValue(150.0)
    wizard.next()
    assert wizard.currentPage() is page
    assert page.error.text().startswith("La fenêtre dépasse de la page (250 × 105 mm")
    box.left.setValue(20.0)
    # The template editor's live preview uses it too.
    editor = page.edit_template(new=False)
    qtbot.waitUntil(lambda: bool(editor.last_pdf), timeout=TIMEOUT)
    (tmp_path / "editeur.pdf").write_bytes(editor.last_pdf)
    block = [(x, y) for _t, x, y in page_lines(tmp_path / "editeur.pdf", 0) if 63 <= y <= 105]
    assert block and all(x == pytest.approx(25.0, abs=0.1) for x, _y in block[:3])
    editor.close()
    # The preview reflects it: ink where the measured window is, none in the standard one.
    with qtbot.waitSignal(wizard.preview_page.preview_ready, timeout=TIMEOUT):
        wizard.next()
    options = wizard.state.options
    assert options is not None and options.window_override == measured
    [image] = wizard.preview_page.strip.images
    assert _ink(image, 24, 64, 60, 80) > 50
    assert _ink(image, 95, 50, 180, 80) == 0
    recipients = wizard.preview_page.recipients()
    preview = tmp_path / "apercu.pdf"
    data = preview_pdf(wizard.state, options, recipients[0])
    assert data is not None
    preview.write_bytes(data)
    assert where(page_lines(preview, 0), recipients[0].lines[0])[0] == pytest.approx(25, abs=0.1)
    # The produced letters put every address block inside the measured window.
    with qtbot.waitSignal(wizard.production_page.produced, timeout=TIMEOUT):
        wizard.next()
    produced = wizard.state.produced
    assert produced is not None
    letters = _file(produced, "Lettres")
    for number, recipient in enumerate(produced.run.recipients):
        drawn = page_lines(letters.path, number)
        for line in recipient.lines:
            x, y = where(drawn, line)
            assert x == pytest.approx(25.0, abs=0.1)
            assert 63 <= y <= 105
    # « Standard » brings the envelope's values back (and remembers them).
    wizard.back()
    wizard.back()
    box.reset()
    assert box.spec() == WINDOWS["DL"]
    assert load_print_settings(app_ctx.paths.config).window("DL") == WINDOWS["DL"]
    final = page.options()
    assert final is not None and final.window_override is None


def test_print_settings_file(tmp_path: Path) -> None:
    assert load_print_settings(tmp_path).label_offset("L7160") == (0.0, 0.0)
    assert load_print_settings(tmp_path).window("C5") == WINDOWS["C5"]
    save_label_offset(tmp_path, "L7160", (12.0, -0.25))
    save_window(tmp_path, WindowSpec("C5", 91.0, 52.5, 98.0, 44.0))
    settings = load_print_settings(tmp_path)
    assert settings.label_offset("L7160") == (10.0, -0.25)  # clamped to ±10 mm
    assert settings.window("C5") == WindowSpec("C5", 91.0, 52.5, 98.0, 44.0)
    assert settings.window("DL") == WINDOWS["DL"]
    assert window_override(WINDOWS["DL"]) is None
    assert window_override(settings.window("C5")) == settings.window("C5")
    (tmp_path / "impression.toml").write_text("[etiquettes\n", encoding="utf-8")
    assert load_print_settings(tmp_path).label_offset("L7160") == (0.0, 0.0)  # unreadable
