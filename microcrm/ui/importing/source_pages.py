"""Import wizard, pages 1–2: choose the files (dialog, drag and drop, online search), preview.

Reading a file for its preview counts every record, which takes seconds on a
SIRENE stock file: the previews are read in a worker and the page stays
incomplete (Suivant greyed) until they are there.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from microcrm.directory.importer import Preview, read_preview
from microcrm.directory.presets import PRESET_LABELS, guess_mapping
from microcrm.directory.profiles import group_paths
from microcrm.text import counted
from microcrm.ui.importing.common import NBSP, ImportState, SourceChoice, error_text
from microcrm.ui.importing.gc_pause import full_collections_paused
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, Task, run_task

SUPPORTED: Final = (".csv", ".txt", ".xlsx", ".vcf", ".vcard")
FILE_FILTER: Final = (
    "Fichiers importables (*.csv *.txt *.xlsx *.vcf *.vcard);;"
    "CSV ou texte (*.csv *.txt);;Classeurs Excel (*.xlsx);;Cartes vCard (*.vcf *.vcard)"
)
PREVIEW_ROWS: Final = 20


def source_combo(name: str) -> QComboBox:
    """The « Fichier » selector shown above a page when several sources are imported."""
    combo = named(QComboBox(), name)
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
    return combo


def fill_source_combo(combo: QComboBox, state: ImportState) -> None:
    """Put the sources in a selector, keeping the current choice when possible."""
    current = max(combo.currentIndex(), 0)
    combo.blockSignals(True)
    combo.clear()
    for choice in state.sources:
        combo.addItem(choice.name)
    combo.setCurrentIndex(min(current, len(state.sources) - 1))
    combo.blockSignals(False)


class SourcePage(QWizardPage):
    """Page 1: one or several files, chosen, dropped, or found online.

    Signals:
        search_requested(): the user asked for « Rechercher des entreprises en ligne ».
    """

    search_requested = Signal()

    def __init__(self, state: ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setTitle("Source")
        self.setSubTitle(
            "Choisissez un ou plusieurs fichiers à importer, ou déposez-les ici. "
            "Un fichier SIRENE se choisit avec son fichier d'unités légales."
        )
        self.setAcceptDrops(True)
        self.files = named(QListWidget(), "source-files")
        self.files.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.files.itemSelectionChanged.connect(self._update_buttons)
        self.drop_zone = named(
            QLabel("Déposez vos fichiers ici\n(CSV, TXT, Excel .xlsx, vCard .vcf, SIRENE)"),
            "drop-zone",
        )
        self.drop_zone.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.drop_zone.setMinimumHeight(70)
        self.drop_zone.setFrameShape(QFrame.Shape.StyledPanel)
        self.drop_zone.setStyleSheet(
            "QLabel#drop-zone { border: 2px dashed #9e9e9e; border-radius: 6px; color: #616161; }"
        )
        self.add_button = named(QPushButton("&Ajouter des fichiers…"), "add-files")
        self.add_button.clicked.connect(self.choose_files)
        self.remove_button = named(QPushButton("&Retirer"), "remove-files")
        self.remove_button.clicked.connect(self.remove_selected)
        self.online_button = named(
            QPushButton("Rechercher des &entreprises en ligne…"), "search-online"
        )
        self.online_button.setToolTip(
            "Service public Recherche d'entreprises (SIRENE) : par activité et par commune."
        )
        self.online_button.clicked.connect(self.search_requested.emit)
        self.notice = named(QLabel(), "source-notice")
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #c62828;")
        buttons = QVBoxLayout()
        for button in (self.add_button, self.remove_button):
            buttons.addWidget(button)
        buttons.addStretch(1)
        buttons.addWidget(self.online_button)
        row = QHBoxLayout()
        row.addWidget(self.files, 1)
        row.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addLayout(row, 1)
        layout.addWidget(self.drop_zone)
        layout.addWidget(self.notice)
        self._update_buttons()

    def paths(self) -> list[Path]:
        """The files chosen, in order."""
        return [Path(self.files.item(i).data(Qt.ItemDataRole.UserRole))
                for i in range(self.files.count())]  # fmt: skip

    def add_files(self, paths: list[Path]) -> None:
        """Add files to the list (twice the same file is kept once; others are refused)."""
        present = set(self.paths())
        refused = []
        for path in paths:
            if path.suffix.lower() not in SUPPORTED or not path.is_file():
                refused.append(path.name)
                continue
            if path in present:
                continue
            present.add(path)
            item = QListWidgetItem(f"{path.name}   —   {path.parent}")
            item.setData(Qt.ItemDataRole.UserRole, str(path))
            item.setToolTip(str(path))
            self.files.addItem(item)
        self.notice.setText(
            f"Fichier(s) ignoré(s), format non reconnu{NBSP}: {', '.join(refused)}"
            if refused
            else ""
        )
        self._update_buttons()
        self.completeChanged.emit()

    def choose_files(self) -> None:
        """« Ajouter des fichiers… »: the system file dialog."""
        names, _ = QFileDialog.getOpenFileNames(self, "Fichiers à importer", "", FILE_FILTER)
        self.add_files([Path(n) for n in names])

    def remove_selected(self) -> None:
        """« Retirer »: take the selected files off the list."""
        for item in self.files.selectedItems():
            self.files.takeItem(self.files.row(item))
        self._update_buttons()
        self.completeChanged.emit()

    def _update_buttons(self) -> None:
        self.remove_button.setEnabled(bool(self.files.selectedItems()))

    def isComplete(self) -> bool:
        return self.files.count() > 0

    def validatePage(self) -> bool:
        """Group the files into sources, keeping what was already read for unchanged ones."""
        known = {tuple(choice.paths): choice for choice in self.state.sources}
        self.state.sources = [
            known.get(tuple(group)) or SourceChoice(group) for group in group_paths(self.paths())
        ]
        self.state.plan = None
        return True

    # -- drag and drop ----------------------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if any(url.isLocalFile() for url in event.mimeData().urls()):
            event.acceptProposedAction()
        else:
            event.ignore()

    def dropEvent(self, event: QDropEvent) -> None:
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if not paths:
            event.ignore()
            return
        self.add_files(paths)
        event.acceptProposedAction()


def _read_previews(
    choices: list[SourceChoice],
) -> Callable[[ProgressFn, Callable[[], bool]], list[Preview | Exception]]:
    paths = [list(choice.paths) for choice in choices]

    def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> list[Preview | Exception]:
        out: list[Preview | Exception] = []
        for done, group in enumerate(paths):
            if cancelled():
                break
            progress(done, len(paths), f"Lecture de {' + '.join(p.name for p in group)}…")
            try:
                with full_collections_paused():
                    out.append(read_preview(group, rows=PREVIEW_ROWS))
            except Exception as exc:  # shown on the page, per file
                out.append(exc)
        return out

    return job


class PreviewPage(QWizardPage):
    """Page 2: the format found, the preset (changeable) and the first rows of each source.

    Signals:
        loaded(): every preview was read (or failed with a message).
    """

    loaded = Signal()

    def __init__(self, state: ImportState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.task: Task | None = None
        self.setTitle("Aperçu")
        self.setSubTitle("Vérifiez le type de fichier reconnu et les premières lignes lues.")
        self.source = source_combo("preview-source")
        self.source.currentIndexChanged.connect(lambda _i: self.show_source())
        self.format_label = named(QLabel(), "preview-format")
        self.format_label.setWordWrap(True)
        self.preset = named(QComboBox(), "preview-preset")
        for key, label in PRESET_LABELS.items():
            self.preset.addItem(label, key)
        self.preset.currentIndexChanged.connect(self._preset_changed)
        self.table = named(QTableWidget(), "preview-table")
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setWordWrap(False)
        self.table.verticalHeader().setDefaultSectionSize(self.table.fontMetrics().height() + 8)
        self.busy = named(QProgressBar(), "preview-progress")
        self.busy.setRange(0, 0)
        self.busy.setTextVisible(False)
        self.error = named(QLabel(), "preview-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet("color: #c62828;")
        self.form = form = QFormLayout()
        form.addRow("Fichier :", self.source)
        form.addRow("Format :", self.format_label)
        form.addRow("Type de fichier :", self.preset)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.busy)
        layout.addWidget(self.error)
        layout.addWidget(self.table, 1)

    def initializePage(self) -> None:
        fill_source_combo(self.source, self.state)
        self.form.setRowVisible(0, len(self.state.sources) > 1)
        self._read_missing()
        self.show_source()

    def _read_missing(self) -> bool:
        """Read the previews not read yet (one worker at a time); False if none is missing."""
        missing = [c for c in self.state.sources if c.preview is None and not c.error]
        if missing and self.task is None:
            self._start(missing)
        return bool(missing)

    def _start(self, missing: list[SourceChoice]) -> None:
        self.busy.show()

        def finished(results: object) -> None:
            assert isinstance(results, list)
            for choice, result in zip(missing, results, strict=False):
                if isinstance(result, Exception):
                    choice.error = error_text(result)
                else:
                    choice.preview = result
                    choice.preset = result.preset
                    choice.mapping = dict(result.mapping)
            self._done()

        def failed(exc: object, _traceback: str) -> None:
            for choice in missing:
                choice.error = error_text(exc)
            self._done()

        self.task = run_task(_read_previews(missing), on_finished=finished, on_failed=failed,
                             on_cancelled=self._done)  # fmt: skip

    def _done(self) -> None:
        self.task = None
        if self._read_missing():  # files added while the previous ones were read
            return
        self.show_source()
        self.completeChanged.emit()
        self.loaded.emit()

    def is_loading(self) -> bool:
        """Whether previews are being read."""
        return self.task is not None

    def current(self) -> SourceChoice | None:
        """The source shown."""
        index = self.source.currentIndex()
        return self.state.sources[index] if 0 <= index < len(self.state.sources) else None

    def show_source(self) -> None:
        """Show the format, preset and first rows of the selected source."""
        self.busy.setVisible(self.task is not None)
        choice = self.current()
        preview = choice.preview if choice is not None else None
        self.error.setText(
            f"{choice.name}{NBSP}: {choice.error}" if choice is not None and choice.error else ""
        )
        self.error.setVisible(bool(self.error.text()))
        self.preset.setEnabled(preview is not None)
        if choice is None or preview is None:
            self.format_label.setText("Lecture du fichier…" if self.task is not None else "")
            self.table.clear()
            self.table.setRowCount(0)
            self.table.setColumnCount(0)
            return
        refused = (
            f", {counted(preview.issues_count, 'ligne refusée', 'lignes refusées', nbsp=True)}"
            if preview.issues_count and not preview.records_estimated
            else ""
        )
        records = (
            f"environ {counted(preview.records, 'ligne', 'lignes', nbsp=True)} "
            "(décompte exact à la simulation)"
            if preview.records_estimated
            else counted(preview.records, "enregistrement", "enregistrements", nbsp=True)
        )
        self.format_label.setText(f"{preview.format_label} — {records}{refused}")
        self.preset.blockSignals(True)
        self.preset.setCurrentIndex(max(self.preset.findData(choice.preset), 0))
        self.preset.blockSignals(False)
        self.table.clear()
        self.table.setColumnCount(len(preview.headers))
        self.table.setRowCount(len(preview.rows))
        self.table.setHorizontalHeaderLabels(preview.headers)
        for r, row in enumerate(preview.rows):
            for c, value in enumerate(row):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.table.setItem(r, c, item)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        self.table.resizeColumnsToContents()
        for column in range(self.table.columnCount()):
            self.table.setColumnWidth(column, min(self.table.columnWidth(column), 220))

    def _preset_changed(self, _index: int) -> None:
        choice = self.current()
        key = self.preset.currentData()
        if choice is None or choice.preview is None or not isinstance(key, str):
            return
        if key != choice.preset:
            choice.preset = key
            choice.mapping = guess_mapping(choice.preview.headers, key)
            self.state.plan = None

    def isComplete(self) -> bool:
        return self.task is None and all(
            c.preview is not None and not c.error for c in self.state.sources
        )
