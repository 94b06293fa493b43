"""Import wizard, page 5: the dry run, its counts, its problems and the duplicates to decide on.

``plan_import`` runs in a worker (progress bar, « Arrêter »); nothing is
written. Each duplicate is shown beside the record it matches, field by
field: a value that differs is highlighted in orange, a value the file would
add in green. The user decides per row (or for all) to merge, skip or
create anyway; the decisions travel in the plan to ``commit_import``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QSplitter,
    QTableView,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
    QWizard,
    QWizardPage,
)

from microcrm.app import AppContext
from microcrm.directory.importer import ImportPlan, ImportReport
from microcrm.text import counted, thousands
from microcrm.ui.importing.common import NBSP, ImportState, error_text, is_cancel
from microcrm.ui.importing.gc_pause import full_collections_paused
from microcrm.ui.importing.review_models import (
    DECISION,
    DECISIONS,
    DecisionDelegate,
    DuplicateModel,
    IssueModel,
    compared_fields,
)
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, Task, run_task

RESIZE_ROWS: Final = 60
"""Rows looked at to size a column to its contents."""
DIFFERS: Final = QColor("#ffe0b2")
FILLS: Final = QColor("#c8e6c9")


def totals(report: ImportReport) -> dict[str, int]:
    """The figures of a report, summed over its files."""
    files = report.files
    return {
        "records": sum(f.records for f in files),
        "organisations_created": sum(f.organisations_created for f in files),
        "persons_created": sum(f.persons_created for f in files),
        "merged": sum(
            f.organisation_rows_matched_previous_files + f.person_rows_matched_previous_files
            for f in files
        ),
        "within": sum(
            f.organisation_rows_matched_within_file + f.person_rows_matched_within_file
            for f in files
        ),
        "rejected": sum(len(f.rejected.rows) for f in files),
        "warnings": sum(len(f.warnings.rows) for f in files),
        "blank": sum(f.blank_records_ignored for f in files),
    }


COUNT_LABELS: Final = (
    ("records", "Lignes lues", "Lignes lues"),
    ("organisations_created", "Organisations à créer", "Organisations créées"),
    ("persons_created", "Contacts à créer", "Contacts créés"),
    ("merged", "Lignes fusionnées avec une fiche existante",
     "Lignes fusionnées avec une fiche existante"),
    ("within", "Lignes en double dans le fichier (regroupées)",
     "Lignes en double dans le fichier (regroupées)"),
    ("rejected", "Lignes rejetées", "Lignes rejetées"),
    ("warnings", "Avertissements (valeur écartée ou réparée)",
     "Avertissements (valeur écartée ou réparée)"),
    ("blank", "Lignes vides ignorées", "Lignes vides ignorées"),
)  # fmt: skip
"""Figures shown: key of :func:`totals`, label before the import, label after it."""


def table_rows(view: QAbstractItemView) -> None:
    """One text line per row: compact rows for long lists."""
    header = view.verticalHeader() if isinstance(view, QTableView) else None
    if header is not None:
        header.setDefaultSectionSize(view.fontMetrics().height() + 8)


def make_table(name: str, model: IssueModel | DuplicateModel) -> QTableView:
    """A read-only table of whole rows over one of the review models."""
    table = named(QTableView(), name)
    table.setModel(model)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.verticalHeader().setVisible(False)
    table.setWordWrap(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.horizontalHeader().setStretchLastSection(True)
    # Widths from the first rows only: a dry run may list tens of thousands of rows.
    table.horizontalHeader().setResizeContentsPrecision(RESIZE_ROWS)
    table_rows(table)
    return table


class CountsPanel(QWidget):
    """The figures of a report, label then value, in two columns.

    Args:
        name: Object name.
        done: Whether the labels speak of a written import (« créées ») or a dry run.
    """

    def __init__(self, name: str, *, done: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.values: dict[str, QLabel] = {}
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(12)
        for i, (key, before, after) in enumerate(COUNT_LABELS):
            value = named(QLabel("—"), f"count-{key}")
            value.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            value.setMinimumWidth(50)
            self.values[key] = value
            row, column = i // 2, (i % 2) * 3
            grid.addWidget(QLabel((after if done else before) + f"{NBSP}:"), row, column)
            grid.addWidget(value, row, column + 1)
        grid.setColumnMinimumWidth(2, 40)
        grid.setColumnStretch(5, 1)

    def show_report(self, report: ImportReport | None) -> None:
        """Fill the figures (dashes for no report)."""
        figures = totals(report) if report is not None else {}
        for key, label in self.values.items():
            label.setText(thousands(figures[key]) if key in figures else "—")
        alert = "color: #c62828; font-weight: bold;" if figures.get("rejected") else ""
        self.values["rejected"].setStyleSheet(alert)

    def value(self, key: str) -> str:
        """The figure shown for a key."""
        return self.values[key].text()


class SimulationPage(QWizardPage):
    """Page 5: dry run in a worker, then counts, problems and duplicates.

    Signals:
        planned(): the dry run ended (with a plan, an error, or stopped).
    """

    planned = Signal()

    def __init__(self, state: ImportState, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.ctx = ctx
        self.task: Task | None = None
        self.setTitle("Simulation")
        self.setSubTitle(
            "Ce que l'import ferait, sans rien écrire : vérifiez les problèmes et décidez "
            "du sort de chaque doublon."
        )
        self.setCommitPage(True)
        self.setButtonText(QWizard.WizardButton.CommitButton, "&Importer")
        self.progress = named(QProgressBar(), "simulation-progress")
        self.progress.setTextVisible(False)
        self.progress_label = named(QLabel(), "simulation-label")
        self.stop_button = named(QPushButton("A&rrêter"), "simulation-stop")
        self.stop_button.clicked.connect(self.stop)
        self.restart_button = named(QPushButton("&Relancer la simulation"), "simulation-restart")
        self.restart_button.clicked.connect(self.start)
        self.counts = CountsPanel("simulation-counts")
        self.issues = IssueModel(parent=self)
        self.issue_table = make_table("simulation-issues", self.issues)
        self.issue_table.horizontalHeader().setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.duplicates = DuplicateModel(self)
        self.duplicates.dataChanged.connect(lambda *_: self._update_decisions())
        self.duplicate_table = make_table("simulation-duplicates", self.duplicates)
        self.duplicate_table.setItemDelegateForColumn(DECISION, DecisionDelegate(self))
        self.duplicate_table.setEditTriggers(
            QAbstractItemView.EditTrigger.DoubleClicked
            | QAbstractItemView.EditTrigger.SelectedClicked
            | QAbstractItemView.EditTrigger.EditKeyPressed
        )
        self.duplicate_table.selectionModel().currentRowChanged.connect(
            lambda *_: self.show_comparison()
        )
        self.compare = named(QTableWidget(0, 3), "duplicate-compare")
        self.compare.setHorizontalHeaderLabels(["Champ", "Dans le fichier", "Fiche existante"])
        self.compare.verticalHeader().setVisible(False)
        table_rows(self.compare)
        self.compare.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        compare_header = self.compare.horizontalHeader()
        compare_header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        compare_header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        compare_header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.decision_buttons: dict[str, QPushButton] = {}
        self.tabs = named(QTabWidget(), "simulation-tabs")
        self.tabs.addTab(self.issue_table, "Problèmes")
        self.tabs.addTab(self._duplicate_panel(), "Doublons")
        running = QHBoxLayout()
        running.addWidget(self.progress, 1)
        running.addWidget(self.stop_button)
        running.addWidget(self.restart_button)
        layout = QVBoxLayout(self)
        layout.addLayout(running)
        layout.addWidget(self.progress_label)
        layout.addWidget(self.counts)
        layout.addWidget(self.tabs, 1)

    def _duplicate_panel(self) -> QWidget:
        buttons = QHBoxLayout()
        for key, label in (("merge", "&Fusionner"), ("skip", "&Ignorer"),
                           ("create", "&Créer quand même")):  # fmt: skip
            button = named(QPushButton(label), f"decide-{key}")
            button.setToolTip(f"{DECISIONS[key]} : les doublons sélectionnés")
            button.clicked.connect(lambda _c=False, k=key: self.decide_selected(k))
            self.decision_buttons[key] = button
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.merge_all = named(QPushButton("Tout f&usionner"), "merge-all")
        self.merge_all.clicked.connect(lambda: self.duplicates.set_all("merge"))
        self.skip_all = named(QPushButton("Tout i&gnorer"), "skip-all")
        self.skip_all.clicked.connect(lambda: self.duplicates.set_all("skip"))
        buttons.addWidget(self.merge_all)
        buttons.addWidget(self.skip_all)
        self.decision_summary = named(QLabel(), "decision-summary")
        legend = QLabel(
            "<span style='background:#ffe0b2'>&nbsp;orange&nbsp;</span> valeur différente "
            "(conservée sauf « mise à jour »), "
            "<span style='background:#c8e6c9'>&nbsp;vert&nbsp;</span> valeur ajoutée par la fusion"
        )
        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(self.duplicate_table)
        splitter.addWidget(self.compare)
        splitter.setSizes([200, 140])
        panel = QWidget()
        layout = QVBoxLayout(panel)
        layout.addLayout(buttons)
        layout.addWidget(splitter, 1)
        bottom = QHBoxLayout()
        bottom.addWidget(legend, 1)
        bottom.addWidget(self.decision_summary)
        layout.addLayout(bottom)
        return panel

    # -- running ----------------------------------------------------------------------------------
    def initializePage(self) -> None:
        if self.state.plan is None:
            self.start()
        else:
            self._show_plan(self.state.plan)

    def cleanupPage(self) -> None:
        """Going back: stop a running dry run (its result is dropped)."""
        self.stop()

    def start(self) -> None:
        """Run ``plan_import`` in a worker with the choices of the previous pages."""
        if self.task is not None:
            return
        state, importer = self.state, self.ctx.importer
        sources = [choice.to_source() for choice in state.sources]
        base, update, salesperson, tags = (state.base, state.update, state.salesperson_id,
                                           state.tags)  # fmt: skip
        state.plan = None
        self._show_plan(None)
        self.progress.setRange(0, 0)
        self.progress_label.setText("Simulation en cours…")

        def job(progress: ProgressFn, cancelled: Callable[[], bool]) -> ImportPlan:
            with full_collections_paused():
                return importer.plan(
                    sources, base=base, update=update, salesperson_id=salesperson,
                    tags=tags, progress=progress, cancelled=cancelled,
                )  # fmt: skip

        self.task = run_task(job, on_progress=self._progressed, on_finished=self._finished,
                             on_failed=self._failed, on_cancelled=self._stopped)  # fmt: skip
        self._update_buttons()
        self.completeChanged.emit()

    def stop(self) -> None:
        """« Arrêter »: ask the dry run to stop."""
        if self.task is not None:
            self.task.cancel()

    def is_running(self) -> bool:
        """Whether the dry run is running."""
        return self.task is not None

    def _progressed(self, done: int, total: int, message: str) -> None:
        self.progress.setRange(0, max(total, 1))
        self.progress.setValue(done)
        self.progress_label.setText(message)

    def _finished(self, plan: object) -> None:
        self.task = None
        assert isinstance(plan, ImportPlan)
        self.state.plan = plan
        self._show_plan(plan)
        self._ended()

    def _failed(self, exc: object, _traceback: str) -> None:
        self.task = None
        if is_cancel(exc):
            self._stopped()
            return
        self.progress_label.setText(f"Simulation impossible{NBSP}: {error_text(exc)}")
        self.progress_label.setStyleSheet("color: #c62828;")
        self._ended()

    def _stopped(self) -> None:
        self.task = None
        self.progress_label.setText("Simulation arrêtée : rien n'a été écrit.")
        self._ended()

    def _ended(self) -> None:
        self.progress.setRange(0, 1)
        self.progress.setValue(1 if self.state.plan is not None else 0)
        self._update_buttons()
        self.completeChanged.emit()
        self.planned.emit()

    def _update_buttons(self) -> None:
        running = self.task is not None
        self.stop_button.setVisible(running)
        self.restart_button.setVisible(not running and self.state.plan is None)

    # -- showing ----------------------------------------------------------------------------------
    def _show_plan(self, plan: ImportPlan | None) -> None:
        report = plan.report if plan is not None else None
        self.progress_label.setStyleSheet("")
        if plan is not None:
            self.progress_label.setText(
                f"Simulation terminée{NBSP}: rien n'a encore été écrit. Cliquez sur « Importer » "
                "pour enregistrer."
            )
        self.counts.show_report(report)
        names = [choice.name for choice in self.state.sources]
        self.issues.set_report(report, names)
        duplicates = plan.duplicates if plan is not None else []
        by_source: dict[object, str] = dict(enumerate(names)) if len(names) > 1 else {}
        self.duplicates.set_duplicates(duplicates, by_source)
        self.tabs.setTabText(0, f"Problèmes ({thousands(self.issues.rowCount())})")
        self.tabs.setTabText(1, f"Doublons ({thousands(len(duplicates))})")
        if duplicates:
            self.duplicate_table.selectRow(0)
            self.duplicate_table.resizeColumnsToContents()
        if self.issues.rowCount():
            self.issue_table.resizeColumnsToContents()
        self.show_comparison()
        self._update_decisions()
        self._update_buttons()

    def show_comparison(self) -> None:
        """The selected duplicate beside the existing record, differing fields highlighted."""
        index = self.duplicate_table.currentIndex()
        rows = compared_fields(self.duplicates.duplicate(index.row())) if index.isValid() else []
        self.compare.setRowCount(len(rows))
        for r, (label, ours, theirs, state) in enumerate(rows):
            cells = (QTableWidgetItem(label), QTableWidgetItem(ours), QTableWidgetItem(theirs))
            color = {"differs": DIFFERS, "fills": FILLS}.get(state)
            for c, item in enumerate(cells):
                item.setToolTip(item.text())
                if color is not None and c:
                    item.setBackground(QBrush(color))
                self.compare.setItem(r, c, item)

    def selected_rows(self) -> list[int]:
        """Rows of the selected duplicates."""
        return sorted({i.row() for i in self.duplicate_table.selectionModel().selectedRows()})

    def decide_selected(self, decision: str) -> None:
        """Give a decision to the selected duplicates."""
        self.duplicates.set_decision(self.selected_rows(), decision)

    def _update_decisions(self) -> None:
        counts = self.duplicates.counts()
        any_rows = self.duplicates.rowCount() > 0
        for button in (*self.decision_buttons.values(), self.merge_all, self.skip_all):
            button.setEnabled(any_rows)
        self.decision_summary.setText(
            f"{counted(counts['merge'], 'fusion', 'fusions', nbsp=True)}, "
            f"{counted(counts['skip'], 'ignoré', 'ignorés', nbsp=True)}, "
            f"{counted(counts['create'], 'création', 'créations', nbsp=True)}"
            if any_rows
            else ""
        )

    def isComplete(self) -> bool:
        return self.task is None and self.state.plan is not None
