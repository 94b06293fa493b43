"""« À classer »: the inbox folder watched by the app, its files matched to clients.

Files that arrive in the inbox folder (local or on the share) are scanned in
a worker: each is matched to a client by SIRET/SIREN, e-mail address or
domain, client reference or name found in its text. Above the confidence
the user set, a file is filed on its own; the others wait here with the
best proposal, filed in one click (« Classer chez … ») or with another
client chosen by hand. A ``QFileSystemWatcher`` sees new files at once on a
local disk; a periodic rescan covers network shares, where change
notifications are unreliable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from microcrm.app import AppContext
from microcrm.crm.lists import PartyListService
from microcrm.crm.parties import load_organisation
from microcrm.errors import MicroCRMError
from microcrm.ged.inbox import InboxItem, InboxReport, file_inbox_item, scan_inbox
from microcrm.ged.service import Ged
from microcrm.text import counted, escape_html
from microcrm.ui.ged.client_picker import ClientPicker
from microcrm.ui.ged.common import open_with_system
from microcrm.ui.ged.filing import FilingQueue
from microcrm.ui.ged.index_service import IndexService
from microcrm.ui.widgets import named
from microcrm.ui.workers import ProgressFn, Task

RESCAN_DELAY_MS = 700
"""Files being copied fire many change events: scan once they settle."""
RESCAN_EVERY_MS = 60_000
"""Periodic rescan (network shares do not always notify)."""
COLUMNS = ("Fichier", "Client proposé", "Confiance", "")


@dataclass(frozen=True, slots=True)
class Proposal:
    """A pending file with its best match, as shown."""

    path: Path
    organisation_id: int | None
    client: str
    confidence: float
    reason: str


def auto_threshold(ctx: AppContext) -> float | None:
    """The confidence above which files are filed without asking (None: never)."""
    raw = ctx.settings.inbox_auto_threshold.strip().replace(",", ".")
    try:
        value = float(raw.rstrip("%")) if raw else None
    except ValueError:
        return None
    if value is None or value <= 0:
        return None
    return value / 100 if value > 1 else value


def _client_names(ctx: AppContext, ids: set[int]) -> dict[int, str]:
    names: dict[int, str] = {}
    for org_id in ids:
        try:
            names[org_id] = load_organisation(ctx.db, org_id).name
        except MicroCRMError:
            continue
    return names


def proposals_of(ctx: AppContext, pending: list[InboxItem]) -> list[Proposal]:
    """The best match of each pending file, with the client's name (worker side)."""
    best = {
        item.path: max(item.matches, key=lambda m: m.confidence, default=None) for item in pending
    }
    names = _client_names(ctx, {m.organisation_id for m in best.values() if m is not None})
    out = []
    for item in pending:
        match = best[item.path]
        if match is None or match.organisation_id not in names:
            out.append(Proposal(item.path, None, "", 0.0, "Aucun client reconnu"))
        else:
            out.append(
                Proposal(
                    item.path,
                    match.organisation_id,
                    names[match.organisation_id],
                    match.confidence,
                    match.reason,
                )
            )
    return out


class InboxPanel(QWidget):
    """The « À classer » list for the inbox folder set in the settings.

    Signals:
        pending_changed(int): how many files wait.
        filed(int): a file was filed for an organisation (its id).
        scanned(): a scan ended (its result shown).
    """

    pending_changed = Signal(int)
    filed = Signal(int)
    scanned = Signal()

    def __init__(self, ctx: AppContext, index: IndexService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ged-inbox")
        self.ctx = ctx
        self.index = index
        self.filing = FilingQueue.for_context(ctx)
        self.folder: Path | None = None
        self.proposals: list[Proposal] = []
        self._scan: Task | None = None
        self._scan_again = False
        self._filing: set[Path] = set()
        self._settle = QTimer(self)
        self._settle.setSingleShot(True)
        self._settle.setInterval(RESCAN_DELAY_MS)
        self._settle.timeout.connect(self.rescan)
        self.watcher = QFileSystemWatcher(self)
        self.watcher.directoryChanged.connect(lambda _p: self._settle.start())
        self._periodic = QTimer(self)
        self._periodic.setInterval(RESCAN_EVERY_MS)
        self._periodic.timeout.connect(self.rescan)

        self._build()
        self.choose_button.clicked.connect(self.choose_folder)
        self.rescan_button.clicked.connect(self.rescan)
        self.list.itemDoubleClicked.connect(lambda item, _c: self._open_file(item))
        folder = ctx.settings.inbox_folder
        self.set_folder(Path(folder) if folder else None)

    def _build(self) -> None:
        self.heading = named(QLabel(), "ged-inbox-folder")
        self.heading.setWordWrap(True)
        self.heading.setTextFormat(Qt.TextFormat.RichText)
        self.choose_button = named(QPushButton("Choisir le dossier…"), "ged-inbox-choose")
        self.rescan_button = named(QPushButton("Actualiser"), "ged-inbox-rescan")
        self.list = named(QTreeWidget(), "ged-inbox-list")
        self.list.setColumnCount(len(COLUMNS))
        self.list.setHeaderLabels(list(COLUMNS))
        self.list.setRootIsDecorated(False)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(False)
        self.message = named(QLabel(), "ged-inbox-message")
        self.message.setWordWrap(True)
        top = QHBoxLayout()
        top.addWidget(self.heading, 1)
        top.addWidget(self.rescan_button)
        top.addWidget(self.choose_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.message)

    # -- folder -------------------------------------------------------------------------------
    def set_folder(self, folder: Path | None) -> None:
        """Watch ``folder`` (None: no inbox) and scan it."""
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
        self.folder = folder
        if folder is None:
            self._periodic.stop()
            self.heading.setText("Aucun dossier « À classer » n'est défini.")
            self._show([])
            self.say(
                "Choisissez le dossier où déposer les documents à classer "
                "(sur ce poste ou sur le partage)."
            )
            return
        self.heading.setText(f"Dossier surveillé : <b>{escape_html(str(folder))}</b>")
        if folder.is_dir():
            self.watcher.addPath(str(folder))
        self._periodic.start()
        self.rescan()

    def choose_folder(self) -> None:
        """Pick the inbox folder and save it in this workstation's settings."""
        start = str(self.folder or Path.home())
        chosen = QFileDialog.getExistingDirectory(self, "Dossier « À classer »", start)
        if not chosen:
            return
        self.ctx.settings.inbox_folder = chosen
        try:
            self.ctx.settings.save(self.ctx.paths.settings_file)
        except OSError as exc:
            self.say(f"Impossible d'enregistrer le réglage : {exc.strerror or exc}", error=True)
        self.set_folder(Path(chosen))

    # -- scanning -----------------------------------------------------------------------------
    def rescan(self) -> None:
        """Scan the folder in a worker (one scan at a time; a request meanwhile rescans)."""
        folder = self.folder
        if folder is None:
            return
        if self._scan is not None:
            self._scan_again = True
            return
        if not folder.is_dir():
            self.say(f"Le dossier {folder} est inaccessible.", error=True)
            self._show([])
            return
        if str(folder) not in self.watcher.directories():
            self.watcher.addPath(str(folder))
        ctx = self.ctx
        threshold = auto_threshold(ctx)

        def job(ged: Ged, _progress: ProgressFn, _cancelled: Callable[[], bool]) -> object:
            report = scan_inbox(ged, folder, auto_threshold=threshold)
            return report, proposals_of(ctx, list(report.pending))

        self._scan = self.filing.submit(job, on_finished=self._scanned, on_failed=self._scan_failed)

    def _scanned(self, result: object) -> None:
        self._scan = None
        assert isinstance(result, tuple)
        report, proposals = result
        assert isinstance(report, InboxReport)
        auto = list(report.filed)
        if auto:
            self.say(
                counted(
                    len(auto),
                    "document classé automatiquement",
                    "documents classés automatiquement",
                )
                + " (confiance suffisante)."
            )
            self.index.catch_up()
            for org_id in sorted({match.organisation_id for _path, _result, match in auto}):
                self.filed.emit(org_id)
        self._show([p for p in proposals if p.path not in self._filing])
        self.scanned.emit()
        if self._scan_again:
            self._scan_again = False
            self.rescan()

    def _scan_failed(self, exc: object, _tb: str) -> None:
        self._scan = None
        message = exc.message if isinstance(exc, MicroCRMError) else str(exc)
        self.say(f"Lecture du dossier « À classer » impossible : {message}", error=True)
        self.scanned.emit()

    # -- list ---------------------------------------------------------------------------------
    def _show(self, proposals: list[Proposal]) -> None:
        self.proposals = list(proposals)
        self.list.clear()
        for row, proposal in enumerate(self.proposals):
            item = QTreeWidgetItem(
                [
                    proposal.path.name,
                    proposal.client or "—",
                    f"{proposal.confidence:.0%}" if proposal.client else "",
                ]
            )
            item.setToolTip(0, str(proposal.path))
            item.setToolTip(1, proposal.reason)
            item.setToolTip(2, proposal.reason)
            item.setData(0, Qt.ItemDataRole.UserRole, row)
            self.list.addTopLevelItem(item)
            self.list.setItemWidget(item, 3, self._actions(row, proposal))
        if not self.proposals and self.folder is not None and not self.message.text():
            self.say("Rien à classer.")
        self.pending_changed.emit(len(self.proposals))

    def _actions(self, row: int, proposal: Proposal) -> QWidget:
        box = QWidget()
        layout = QHBoxLayout(box)
        layout.setContentsMargins(2, 0, 2, 0)
        layout.addStretch(1)
        if proposal.organisation_id is not None:
            one_click = named(QPushButton(f"Classer chez {proposal.client}"), f"inbox-file-{row}")
            one_click.setToolTip(f"{proposal.reason} (confiance {proposal.confidence:.0%})")
            org_id = proposal.organisation_id
            one_click.clicked.connect(lambda: self.file_row(row, org_id, proposal.client))
            layout.addWidget(one_click)
        other = named(QPushButton("Autre client…"), f"inbox-other-{row}")
        other.clicked.connect(lambda: self.choose_client(row))
        layout.addWidget(other)
        return box

    def file_button(self, row: int) -> QPushButton | None:
        """The « Classer chez … » button of a row (None when nothing was proposed)."""
        return self.findChild(QPushButton, f"inbox-file-{row}")

    def choose_client(self, row: int) -> None:
        """« Autre client… »: file the row with the organisation picked by hand."""
        if not 0 <= row < len(self.proposals):
            return
        proposal = self.proposals[row]
        picker = ClientPicker(
            PartyListService(self.ctx.db), f"Classer « {proposal.path.name} » chez…", self
        )
        if picker.exec() and picker.chosen is not None:
            self.file_row(row, picker.chosen, picker.chosen_name)

    def file_row(self, row: int, organisation_id: int, client: str) -> Task | None:
        """File the row's file for ``organisation_id`` (worker); the row goes away."""
        if not 0 <= row < len(self.proposals):
            return None
        path = self.proposals[row].path
        if path in self._filing:
            return None
        self._filing.add(path)
        item = self.list.topLevelItem(row)
        if item is not None:
            widget = self.list.itemWidget(item, 3)
            if widget is not None:
                widget.setEnabled(False)

        def job(ged: Ged, _progress: ProgressFn, _cancelled: Callable[[], bool]) -> object:
            return file_inbox_item(ged, path, organisation_id)

        def done(_result: object) -> None:
            self._filing.discard(path)
            self.say(f"« {path.name} » classé chez {client}.")
            self.index.catch_up()
            self._show([p for p in self.proposals if p.path != path])
            self.filed.emit(organisation_id)

        def failed(exc: object, _tb: str) -> None:
            self._filing.discard(path)
            message = exc.message if isinstance(exc, MicroCRMError) else str(exc)
            self.say(f"« {path.name} » n'a pas pu être classé : {message}", error=True)
            self._show(self.proposals)

        return self.filing.submit(job, on_finished=done, on_failed=failed)

    def _open_file(self, item: QTreeWidgetItem) -> None:
        row = int(item.data(0, Qt.ItemDataRole.UserRole))
        if 0 <= row < len(self.proposals):
            open_with_system(self.proposals[row].path)

    def say(self, text: str, *, error: bool = False) -> None:
        """The message under the list."""
        color = "#c62828" if error else "#455a64"
        self.message.setText(f"<span style='color:{color}'>{escape_html(text)}</span>")

    def stop(self) -> None:
        """Stop watching (window closing)."""
        self._periodic.stop()
        self._settle.stop()
        if self.watcher.directories():
            self.watcher.removePaths(self.watcher.directories())
