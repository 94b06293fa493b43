"""Pages 5 and 6 of the publipostage wizard: produce (print, save), then confirm the run as sent.

Production and confirmation run in workers with a progress bar. A cancelled
or failed production leaves no file (its private folder is removed) and
nothing in the database; the database is written only by « Confirmer
l'envoi », in one transaction (:func:`~microcrm.mailing.campaigns.confirm_run`).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtPrintSupport import QPrinter
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from microcrm.errors import MicroCRMError
from microcrm.mailing.errors import RunCancelledError
from microcrm.mailing.production import OutputFile, Produced
from microcrm.text import counted
from microcrm.ui.mailing.pdf_view import (
    PageStrip,
    PdfError,
    PdfPrinting,
    ask_save_copy,
    page_count,
    render_pages,
    save_copy,
)
from microcrm.ui.mailing.state import (
    WizardState,
    confirm_files,
    new_run_folder,
    produce_files,
)
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, Task, run_task

FILE_ROLE = Qt.ItemDataRole.UserRole
GLANCE_PAGES = 3
"""Pages of the selected file shown beside the list (a glance, not the whole run)."""


def _error_text(exc: object) -> str:
    return exc.message if isinstance(exc, MicroCRMError) else f"Erreur inattendue : {exc}"


def _set_progress(bar: QProgressBar, label: QLabel, done: int, total: int, message: str) -> None:
    bar.setRange(0, max(total, 1))
    bar.setValue(min(done, total))
    label.setText(f"{message} : {done} / {total}")


class ProductionPage(QWizardPage):
    """5 — Production: the documents rendered in a worker (« Annuler »), then print or save.

    Signals:
        produced(): production ended (done, cancelled or failed).
        print_ended(int): a print job ended (pages sent; 0 when cancelled or failed).
    """

    produced = Signal()
    print_ended = Signal(int)

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle("Production")
        self.setSubTitle("Les documents sont produits, puis imprimés ou enregistrés.")
        self.task: Task | None = None
        self.folder: Path | None = None
        self.printing = PdfPrinting(self)
        self.printing.ended.connect(self._print_done)
        self.last_error = ""
        self.progress = named(QProgressBar(), "production-progress")
        self.status = named(QLabel(), "production-status")
        self.status.setWordWrap(True)
        self.cancel_button = named(QPushButton("Annuler"), "production-cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = named(QPushButton("Relancer la production"), "production-retry")
        self.retry_button.clicked.connect(self.start)
        self.files = named(QListWidget(), "produced-files")
        self.files.currentItemChanged.connect(lambda *_: self._file_changed())
        self.glance = named(PageStrip(300), "produced-glance")
        self.glance.setMinimumWidth(340)
        self.print_button = named(QPushButton("Imprimer…"), "print")
        self.save_button = named(QPushButton("Enregistrer sous…"), "save-as")
        self.print_button.clicked.connect(self.print_current)
        self.save_button.clicked.connect(self.save_current)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.retry_button)
        actions = QHBoxLayout()
        actions.addStretch(1)
        actions.addWidget(self.print_button)
        actions.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(row)
        layout.addWidget(self.status)
        files = QVBoxLayout()
        files.addWidget(QLabel("Documents produits :"))
        files.addWidget(self.files, 1)
        files.addLayout(actions)
        body = QHBoxLayout()
        body.addLayout(files, 1)
        body.addWidget(self.glance)
        layout.addLayout(body, 1)
        self._update_buttons()

    # -- production --------------------------------------------------------------------------
    def initializePage(self) -> None:
        self.start()

    def cleanupPage(self) -> None:
        """Back to the previous page: stop a production under way, drop its files."""
        self.cancel()
        self.state.discard_files()
        self.files.clear()

    def running(self) -> bool:
        """Whether a production is under way."""
        return self.task is not None

    def start(self) -> None:
        """Produce the run (replacing any previous production)."""
        state, options, selection = self.state, self.state.options, self.state.selection
        if self.running() or options is None or selection is None:
            return
        state.discard_files()
        state.campaign_id = None
        self.files.clear()
        self.glance.show_message("")
        self.last_error = ""
        folder = self.folder = new_run_folder()
        self.progress.setRange(0, max(len(selection.recipients), 1))
        self.progress.setValue(0)
        self.status.setText("Production en cours…")

        def job(progress: ProgressFn, cancelled: object) -> Produced:
            assert callable(cancelled)
            return produce_files(
                state, options, selection, folder, progress=progress, cancel=cancelled
            )

        self.task = run_task(
            job,
            on_progress=self._progressed,
            on_finished=self._finished,
            on_failed=self._failed,
            on_cancelled=self._cancelled,
        )
        self._update_buttons()
        self.completeChanged.emit()

    def _progressed(self, done: int, total: int, message: str) -> None:
        _set_progress(self.progress, self.status, done, total, message)

    def cancel(self) -> None:
        """Stop the production under way (its files are removed)."""
        if self.task is not None:
            self.task.cancel()
            self.status.setText("Annulation…")
            self.cancel_button.setEnabled(False)

    def _ended(self) -> None:
        self.task = None
        self._update_buttons()
        self.completeChanged.emit()
        self.produced.emit()

    def _drop_folder(self) -> None:
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def _finished(self, result: object) -> None:
        assert isinstance(result, Produced)
        self.state.produced = result
        run = result.run
        pages = f", {counted(run.pages, 'page', 'pages')}" if run.pages is not None else ""
        text = (
            f"<b>{counted(run.letters, 'lettre produite', 'lettres produites')}</b>{pages}"
            f" — {counted(len(run.excluded), 'exclu', 'exclus')}."
        )
        if result.labels is not None:
            text += (
                f"<br>{counted(result.labels.labels, 'étiquette', 'étiquettes')} sur "
                f"{counted(result.labels.pages, 'planche', 'planches')}."
            )
        if result.envelopes is not None:
            envelope = self.state.options.envelope if self.state.options else None
            text += f"<br>{counted(result.envelopes, 'enveloppe', 'enveloppes')} {envelope}."
        for warning in run.warnings:
            text += f"<br><span style='color:#e65100'>{warning}</span>"
        self.status.setText(text)
        self.progress.setValue(self.progress.maximum())
        for output in result.files:
            pages_text = f" — {counted(output.pages, 'page', 'pages')}" if output.pages else ""
            item = QListWidgetItem(f"{output.label} : {output.path.name}{pages_text}")
            item.setData(FILE_ROLE, output)
            self.files.addItem(item)
        self.files.setCurrentRow(0)
        self._ended()

    def _cancelled(self) -> None:
        self._drop_folder()
        self.progress.setValue(0)
        self.status.setText("Production annulée : aucun fichier produit, rien n'a été enregistré.")
        self._ended()

    def _failed(self, exc: object, _trace: str) -> None:
        self._drop_folder()
        if isinstance(exc, RunCancelledError):
            self._cancelled()
            return
        self.last_error = _error_text(exc)
        self.progress.setValue(0)
        self.status.setText(f"<span style='color:#c62828'><b>{self.last_error}</b></span>")
        self._ended()

    def isComplete(self) -> bool:
        return self.task is None and self.state.produced is not None

    def _update_buttons(self) -> None:
        running = self.running()
        self.cancel_button.setVisible(running)
        self.cancel_button.setEnabled(running)
        self.retry_button.setVisible(not running and self.state.produced is None)
        output = self.current_file()
        self.print_button.setEnabled(
            not running and not self.printing.busy and output is not None and output.is_pdf
        )
        self.save_button.setEnabled(not running and output is not None)

    def _file_changed(self) -> None:
        self._update_buttons()
        output = self.current_file()
        if output is None:
            self.glance.show_message("")
        elif not output.is_pdf:
            self.glance.show_message("Document Word : ouvrez-le dans Word ou LibreOffice.")
        else:
            try:
                count = min(GLANCE_PAGES, page_count(output.path))
                self.glance.show_images(render_pages(output.path, 300, range(count)))
            except PdfError as exc:
                self.glance.show_message(exc.message)

    # -- print and save ----------------------------------------------------------------------
    def current_file(self) -> OutputFile | None:
        """The produced file selected in the list."""
        item: QListWidgetItem | None = self.files.currentItem()
        if item is None:
            return None
        data = item.data(FILE_ROLE)
        return data if isinstance(data, OutputFile) else None

    def print_current(self) -> None:
        """« Imprimer… »: the Qt print dialog, then the PDF's pages on the printer."""
        output = self.current_file()
        if output is not None and output.is_pdf:
            self.printing.ask(output.path, output.pages)
            self._update_buttons()

    def print_file(self, output: OutputFile, printer: QPrinter) -> Task:
        """Print ``output`` on a configured printer in a worker, with progress and « Annuler ».

        About a quarter of a second per page: 800 letters take a few minutes,
        during which the window stays usable. Ends with :attr:`print_ended`.
        """
        task = self.printing.start(output.path, output.pages, printer)
        self._update_buttons()
        return task

    def _print_done(self, text: str, pages: int) -> None:
        self.status.setText(text)
        self._update_buttons()
        self.print_ended.emit(pages)

    def save_current(self) -> None:
        """« Enregistrer sous… »: copy the selected file where the user chooses."""
        output = self.current_file()
        if output is not None:
            target = ask_save_copy(self, output.path)
            if target is not None:
                self.status.setText(f"Enregistré : {target}")

    def save_file(self, output: OutputFile, target: Path) -> bool:
        """Copy a produced file to ``target`` (the extension is added when missing)."""
        saved = save_copy(self, output.path, target)
        if saved is not None:
            self.status.setText(f"Enregistré : {saved}")
        return saved is not None


class ConfirmPage(QWizardPage):
    """6 — Confirmation: « Confirmer l'envoi » records the campaign; « Ne pas enregistrer ».

    Signals:
        confirmed(int): the campaign was recorded (its id).
        discarded(): the user chose not to record the run.
    """

    confirmed = Signal(int)
    discarded = Signal()

    def __init__(self, state: WizardState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle("Confirmation")
        self.setSubTitle(
            "Une fois les courriers postés, confirmez l'envoi : chaque destinataire reçoit "
            "une action « Courrier » dans son historique et sa lettre dans ses documents."
        )
        self.setFinalPage(True)
        self.task: Task | None = None
        self.last_error = ""
        self.summary = named(QLabel(), "confirm-summary")
        self.summary.setWordWrap(True)
        self.name = named(QLineEdit(), "campaign-name")
        self.name.setMaxLength(200)
        self.progress = named(QProgressBar(), "confirm-progress")
        self.progress.hide()
        self.status = named(QLabel(), "confirm-status")
        self.status.setWordWrap(True)
        self.confirm_button = named(QPushButton("Confirmer l'envoi"), "confirm-run")
        self.discard_button = named(QPushButton("Ne pas enregistrer"), "discard-run")
        self.confirm_button.clicked.connect(self.confirm)
        self.discard_button.clicked.connect(self.discard)
        form = QFormLayout()
        form.addRow("Nom de la campagne :", self.name)
        buttons = QHBoxLayout()
        buttons.addWidget(self.confirm_button)
        buttons.addWidget(self.discard_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)

    def initializePage(self) -> None:
        produced = self.state.produced
        if produced is None:
            return
        run = produced.run
        title = getattr(run.template, "title", "") or run.template.name
        self.name.setText(f"{title} du {run.run_date:%d/%m/%Y}")
        self.summary.setText(
            f"{counted(run.letters, 'lettre', 'lettres')} ({run.description or 'liste courante'}"
            f", modèle « {run.template.name} »), "
            f"{counted(len(run.excluded), 'exclu', 'exclus')}."
        )
        self.status.clear()
        self._enable(True)

    def _enable(self, on: bool) -> None:
        self.confirm_button.setEnabled(on)
        self.discard_button.setEnabled(on)
        self.name.setEnabled(on)

    def isComplete(self) -> bool:
        return self.state.campaign_id is not None

    def confirm(self) -> None:
        """Record the campaign in a worker (one transaction)."""
        produced, state = self.state.produced, self.state
        if produced is None or self.task is not None or state.campaign_id is not None:
            return
        name = self.name.text().strip()
        self._enable(False)
        self.progress.show()
        self.progress.setRange(0, max(produced.run.letters, 1))
        self.progress.setValue(0)
        self.status.setText("Enregistrement de la campagne…")

        def job(progress: ProgressFn, cancelled: object) -> int:
            assert callable(cancelled)
            return confirm_files(state, produced, name, progress, cancelled)

        self.task = run_task(
            job,
            on_progress=self._progressed,
            on_finished=self._confirmed,
            on_failed=self._failed,
        )

    def _progressed(self, done: int, total: int, message: str) -> None:
        _set_progress(self.progress, self.status, done, total, message)

    def _confirmed(self, campaign_id: object) -> None:
        assert isinstance(campaign_id, int)
        self.task = None
        self.state.campaign_id = campaign_id
        produced = self.state.produced
        letters = produced.run.letters if produced else 0
        self.progress.setValue(self.progress.maximum())
        self.status.setText(
            f"<b>Campagne « {self.name.text().strip()} » enregistrée</b> : "
            f"{counted(letters, 'action', 'actions')} « Courrier » et "
            f"{counted(letters, 'lettre classée', 'lettres classées')} dans les dossiers "
            "« Courrier » des destinataires."
        )
        wizard = self.wizard()
        if wizard is not None:
            wizard.setOption(wizard.WizardOption.DisabledBackButtonOnLastPage, True)
        self.completeChanged.emit()
        self.confirmed.emit(campaign_id)

    def _failed(self, exc: object, _trace: str) -> None:
        self.task = None
        self.last_error = _error_text(exc)
        self.progress.hide()
        self.status.setText(f"<span style='color:#c62828'><b>{self.last_error}</b></span>")
        self._enable(True)

    def discard(self) -> None:
        """Close without recording anything (the produced files are dropped)."""
        self.state.discard_files()
        self.discarded.emit()
