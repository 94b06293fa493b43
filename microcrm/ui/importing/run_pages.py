"""Import wizard, pages 6–7: the import itself (progress, cancel) and its report.

``commit_import`` writes the reviewed plan in one transaction: « Annuler »
during the import rolls everything back (the base is as before). The
report offers the rejected rows as a CSV file to fix and import again, and
the undo of the whole import.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from microcrm.app import AppContext
from microcrm.directory.importer import ImportReport, write_rejected_csv
from microcrm.text import counted, escape_html
from microcrm.ui.importing.common import (
    BASE_LABELS,
    NBSP,
    ImportState,
    error_text,
    is_cancel,
    run_undo,
)
from microcrm.ui.importing.gc_pause import full_collections_paused
from microcrm.ui.importing.review_models import DECISIONS, IssueModel
from microcrm.ui.importing.simulation_page import CountsPanel, make_table
from microcrm.ui.widgets import Question, named
from microcrm.ui.workers import ProgressFn, Task, run_task


class ImportPage(QWizardPage):
    """Page 6: ``commit_import`` in a worker, with its progress bar and « Annuler ».

    Signals:
        imported(ImportReport): the import was written.
        ended(): the import ended, written or not.
    """

    imported = Signal(object)
    ended = Signal()

    def __init__(self, state: ImportState, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.ctx = ctx
        self.task: Task | None = None
        self.setTitle("Import")
        self.setSubTitle("Enregistrement dans la base, en une seule fois.")
        self.progress = named(QProgressBar(), "import-progress")
        self.label = named(QLabel(), "import-label")
        self.label.setWordWrap(True)
        self.cancel_button = named(QPushButton("&Annuler l'import"), "import-cancel")
        self.cancel_button.clicked.connect(self.cancel)
        self.retry_button = named(QPushButton("&Relancer l'import"), "import-retry")
        self.retry_button.clicked.connect(self.start)
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        row.addWidget(self.retry_button)
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.label)
        layout.addStretch(2)

    def initializePage(self) -> None:
        self.start()

    def start(self) -> None:
        """Write the plan in a worker."""
        plan = self.state.plan
        if self.task is not None or plan is None or self.state.report is not None:
            return
        importer = self.ctx.importer
        self.progress.setRange(0, 0)
        self.label.setStyleSheet("")
        self.label.setText("Import en cours… « Annuler l'import » laisse la base inchangée.")

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> ImportReport:
            with full_collections_paused():
                return importer.commit(plan, progress=progress, cancelled=cancelled)

        self.task = run_task(job, on_progress=self._progressed, on_finished=self._finished,
                             on_failed=self._failed, on_cancelled=self._cancelled)  # fmt: skip
        self._update_buttons()
        self.completeChanged.emit()

    def cancel(self) -> None:
        """« Annuler l'import »: stop; the transaction is rolled back."""
        if self.task is not None:
            self.task.cancel()
            self.label.setText("Annulation…")

    def is_running(self) -> bool:
        """Whether the import is being written."""
        return self.task is not None

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.label.setText(message)

    def _finished(self, report: object) -> None:
        self.task = None
        assert isinstance(report, ImportReport)
        self.state.report = report
        self.progress.setRange(0, 1)
        self.progress.setValue(1)
        self.label.setText(f"Import n°{NBSP}{report.batch_id} enregistré.")
        self._update_buttons()
        self.completeChanged.emit()
        self.imported.emit(report)
        self.ended.emit()
        if self.wizard().currentPage() is self:
            self.wizard().next()

    def _failed(self, exc: object, _traceback: str) -> None:
        if is_cancel(exc):
            self._cancelled()
            return
        self.task = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.label.setStyleSheet("color: #c62828;")
        self.label.setText(
            f"L'import a échoué, la base n'a pas été modifiée{NBSP}: {error_text(exc)}"
        )
        self._update_buttons()
        self.ended.emit()

    def _cancelled(self) -> None:
        self.task = None
        self.progress.setRange(0, 1)
        self.progress.setValue(0)
        self.label.setText("Import annulé : la base n'a pas été modifiée.")
        self._update_buttons()
        self.ended.emit()

    def _update_buttons(self) -> None:
        running = self.task is not None
        self.cancel_button.setVisible(running)
        self.retry_button.setVisible(not running and self.state.report is None)

    def isComplete(self) -> bool:
        return self.state.report is not None


class ReportPage(QWizardPage):
    """Page 7: what was imported, the rejected rows to export, and undo.

    Signals:
        undone(object): the import was undone from here (refresh the views).
    """

    undone = Signal(object)

    def __init__(self, state: ImportState, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.ctx = ctx
        self.question: QMessageBox | None = None
        self.setTitle("Rapport")
        self.setFinalPage(True)
        self.summary = named(QLabel(), "report-summary")
        self.summary.setWordWrap(True)
        self.counts = CountsPanel("report-counts", done=True)
        self.export_button = named(
            QPushButton("&Exporter les lignes rejetées (CSV)…"), "export-rejected"
        )
        self.export_button.clicked.connect(self.choose_export_path)
        self.undo_button = named(QPushButton("Annuler &cet import"), "undo-import")
        self.undo_button.clicked.connect(self.confirm_undo)
        self.issues = IssueModel(parent=self)
        self.issue_table = make_table("report-issues", self.issues)
        self.issues_label = named(QLabel(), "report-issues-label")
        self.status = named(QLabel(), "report-status")
        self.status.setWordWrap(True)
        buttons = QHBoxLayout()
        buttons.addWidget(self.export_button)
        buttons.addStretch(1)
        buttons.addWidget(self.undo_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.counts)
        layout.addWidget(self.issues_label)
        layout.addWidget(self.issue_table, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def initializePage(self) -> None:
        report = self.state.report
        if report is None:
            return
        self.setSubTitle(f"Import n°{NBSP}{report.batch_id} enregistré.")
        self.counts.show_report(report)
        names = [choice.name for choice in self.state.sources]
        self.summary.setText(
            f"<b>{', '.join(names)}</b> → base {self._base_label()}. Les fiches importées "
            f"gardent le numéro d'import {report.batch_id} (Fichier › Historique des imports)."
            + self._decisions()
            + _columns_text(report)
        )
        self.issues.set_report(report, names)
        rejected = sum(len(f.rejected.rows) for f in report.files)
        self.issues_label.setText(
            "Lignes rejetées et avertissements :"
            if self.issues.rowCount()
            else "Aucune ligne rejetée, aucun avertissement."
        )
        self.issue_table.setVisible(self.issues.rowCount() > 0)
        if self.issues.rowCount():
            self.issue_table.resizeColumnsToContents()
        self.export_button.setEnabled(rejected > 0)
        self.undo_button.setEnabled(report.batch_id is not None)

    def _decisions(self) -> str:
        plan = self.state.plan
        if plan is None or not plan.duplicates:
            return ""
        counts = dict.fromkeys(DECISIONS, 0)
        for duplicate in plan.duplicates:
            counts[duplicate.decision] = counts.get(duplicate.decision, 0) + 1
        return (
            f"<br>Doublons avec des fiches existantes{NBSP}: "
            f"{counted(counts['merge'], 'fusionné', 'fusionnés', nbsp=True)}, "
            f"{counted(counts['skip'], 'ignoré', 'ignorés', nbsp=True)}, "
            f"{counted(counts['create'], 'créé quand même', 'créés quand même', nbsp=True)}."
        )

    def _base_label(self) -> str:
        return f"« {BASE_LABELS.get(self.state.base, self.state.base)} »"

    # -- rejected rows ----------------------------------------------------------------------------
    def choose_export_path(self) -> None:
        """« Exporter les lignes rejetées (CSV)… »: ask where, then write."""
        first = self.state.sources[0].paths[0] if self.state.sources else Path.home() / "import"
        default = first.with_name(f"{first.stem}-rejets.csv")
        name, _ = QFileDialog.getSaveFileName(
            self, "Exporter les lignes rejetées", str(default), "Fichiers CSV (*.csv)"
        )
        if name:
            self.export_rejected(Path(name))

    def export_rejected(self, path: Path) -> int:
        """Write the rejected rows to ``path``; returns how many (-1 on failure, shown)."""
        report = self.state.report
        if report is None:
            return -1
        try:
            count = write_rejected_csv(report, path)
        except OSError as exc:
            self.status.setText(f"Export impossible{NBSP}: {error_text(exc)}")
            return -1
        rows = counted(count, "ligne rejetée exportée", "lignes rejetées exportées", nbsp=True)
        self.status.setText(
            f"{rows} dans {path}. Corrigez-les dans votre tableur puis importez ce fichier."
        )
        return count

    # -- undo -------------------------------------------------------------------------------------
    def confirm_undo(self) -> None:
        """« Annuler cet import »: ask, then undo in a worker."""
        report = self.state.report
        if report is None or report.batch_id is None:
            return
        self.question = Question(
            self,
            "Annuler l'import",
            f"Annuler l'import n°{NBSP}{report.batch_id}{NBSP}? Les fiches créées seront "
            "supprimées et les champs complétés remis comme avant.",
        )
        self.question.confirmed.connect(self.undo)
        self.question.open()

    def undo(self) -> None:
        """Undo the import (no question asked)."""
        report = self.state.report
        if report is None or report.batch_id is None:
            return
        self.undo_button.setEnabled(False)

        def done(result: object | None) -> None:
            if result is None:
                self.undo_button.setEnabled(True)
                return
            self.status.setText(f"Import n°{NBSP}{report.batch_id} annulé.")
            self.undone.emit(result)

        run_undo(self, self.ctx, report.batch_id, done)


def _columns_text(report: ImportReport) -> str:
    """Which columns went to the notes and which were ignored, per file (rich text)."""
    parts: list[str] = []
    several = len(report.files) > 1
    for entry in report.files:
        name = f" ({', '.join(Path(p).name for p in entry.sources)})" if several else ""
        if entry.notes_columns:
            columns = ", ".join(f"« {escape_html(c)} »" for c in entry.notes_columns)
            parts.append(f"Colonnes conservées dans les notes{name}{NBSP}: {columns}.")
        if entry.ignored_columns:
            columns = ", ".join(f"« {escape_html(c)} »" for c in entry.ignored_columns)
            parts.append(f"Colonnes ignorées{name}{NBSP}: {columns}.")
    return "".join(f"<br>{part}" for part in parts)
