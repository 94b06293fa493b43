"""Import wizard, pages 3–4: column mapping (with saved profiles) and destination.

The mapping page shows one row per column of the file: its header, a sample
value and the MicroCRM field it feeds (guessed from the preset). A field is
fed by one column at most: choosing it for a column frees it elsewhere.
"""

from __future__ import annotations

from typing import Final

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
    QWizardPage,
)

from microcrm.app import AppContext
from microcrm.crm.tags import clean_tag_names, list_tag_names
from microcrm.crm.users import list_users
from microcrm.directory.presets import TARGET_LABELS, MappingProfile
from microcrm.errors import MicroCRMError
from microcrm.text import counted, thousands
from microcrm.ui.importing.common import (
    BASE_LABELS,
    CONTACT_PRESETS,
    NBSP,
    ImportState,
    SourceChoice,
)
from microcrm.ui.importing.source_pages import fill_source_combo, source_combo
from microcrm.ui.widgets import named

IDENTITY_TARGETS: Final = ("org.name", "org.enseigne", "person.last_name", "person.full_name")
"""A source must map one of these: a row without a name cannot be imported."""
HEADER, SAMPLE, TARGET = range(3)
NOT_IMPORTED: Final = "— Ne pas importer —"
NOTES_TARGET: Final = "@notes"
"""Pseudo-field of the combo: the column's values go to the notes « En-tête : valeur »."""
KEEP_IN_NOTES: Final = "Notes (« colonne : valeur »)"


class MappingPage(QWizardPage):
    """Page 3: which column feeds which field, for each source; saved profiles."""

    def __init__(self, state: ImportState, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.profiles = ctx.importer.profiles
        self.setTitle("Correspondance des colonnes")
        self.setSubTitle(
            "Pour chaque colonne du fichier, choisissez le champ de MicroCRM qu'elle remplit."
        )
        self.source = source_combo("mapping-source")
        self.source.currentIndexChanged.connect(lambda _i: self.show_source())
        self.table = named(QTableWidget(0, 3), "mapping-table")
        self.table.setHorizontalHeaderLabels(["Colonne du fichier", "Exemple", "Champ MicroCRM"])
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(HEADER, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(SAMPLE, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TARGET, QHeaderView.ResizeMode.Fixed)
        self.table.setColumnWidth(TARGET, 280)
        self.profile = named(QComboBox(), "mapping-profile")
        self.profile.setMinimumContentsLength(18)
        self.apply_button = named(QPushButton("A&ppliquer le profil"), "apply-profile")
        self.apply_button.clicked.connect(lambda: self.apply_profile(self.profile.currentText()))
        self.save_button = named(QPushButton("&Enregistrer comme profil…"), "save-profile")
        self.save_button.clicked.connect(self.ask_profile_name)
        self.status = named(QLabel(), "mapping-status")
        self.status.setWordWrap(True)
        top = QHBoxLayout()
        self.source_label = QLabel("Fichier :")
        top.addWidget(self.source_label)
        top.addWidget(self.source)
        top.addStretch(1)
        top.addWidget(QLabel("Profil :"))
        top.addWidget(self.profile)
        top.addWidget(self.apply_button)
        top.addWidget(self.save_button)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

    def initializePage(self) -> None:
        fill_source_combo(self.source, self.state)
        several = len(self.state.sources) > 1
        self.source.setVisible(several)
        self.source_label.setVisible(several)
        self.reload_profiles()
        self.show_source()

    def reload_profiles(self, select: str = "") -> None:
        """List the saved profiles in the selector."""
        self.profile.clear()
        for profile in self.profiles.list():
            self.profile.addItem(profile.name)
        if select:
            self.profile.setCurrentIndex(max(self.profile.findText(select), 0))
        self.apply_button.setEnabled(self.profile.count() > 0)

    def current(self) -> SourceChoice | None:
        """The source shown."""
        index = self.source.currentIndex()
        return self.state.sources[index] if 0 <= index < len(self.state.sources) else None

    def show_source(self) -> None:
        """One row per column of the selected source, with its guessed field."""
        choice = self.current()
        headers = choice.preview.headers if choice and choice.preview else []
        rows = choice.preview.rows if choice and choice.preview else []
        self.table.setRowCount(len(headers))
        for r, header in enumerate(headers):
            self.table.setItem(r, HEADER, QTableWidgetItem(header))
            sample = next((row[r] for row in rows if r < len(row) and row[r].strip()), "")
            item = QTableWidgetItem(sample)
            item.setToolTip(sample)
            self.table.setItem(r, SAMPLE, item)
            combo = QComboBox()
            combo.setObjectName(f"target-{r}")
            combo.addItem(NOT_IMPORTED, "")
            combo.addItem(KEEP_IN_NOTES, NOTES_TARGET)
            for target, label in TARGET_LABELS.items():
                combo.addItem(label, target)
            combo.setMaxVisibleItems(20)
            combo.setProperty("row", r)
            # Bound method (not a lambda): the table deletes these combos when it refills.
            combo.currentIndexChanged.connect(self._combo_changed)
            self.table.setCellWidget(r, TARGET, combo)
        self._show_mapping()

    def combo(self, row: int) -> QComboBox:
        """The field selector of a column."""
        widget = self.table.cellWidget(row, TARGET)
        assert isinstance(widget, QComboBox)
        return widget

    def row_of(self, header: str) -> int:
        """Row of a column header (-1 if absent)."""
        items = [self.table.item(r, HEADER) for r in range(self.table.rowCount())]
        return next((r for r, i in enumerate(items) if i is not None and i.text() == header), -1)

    def set_target(self, header: str, target: str) -> None:
        """Map a column to a field (``""``: not imported), as the user would with the combo."""
        combo = self.combo(self.row_of(header))
        combo.setCurrentIndex(max(combo.findData(target), 0))

    def _show_mapping(self) -> None:
        choice = self.current()
        by_header = {h: t for t, h in choice.mapping.items()} if choice else {}
        if choice is not None:
            by_header.update(dict.fromkeys(choice.notes_columns(), NOTES_TARGET))
        for r in range(self.table.rowCount()):
            item = self.table.item(r, HEADER)
            combo = self.combo(r)
            combo.blockSignals(True)
            combo.setCurrentIndex(max(combo.findData(by_header.get(item.text() if item else "",
                                                                   "")), 0))  # fmt: skip
            combo.blockSignals(False)
        self._update_status()

    def _combo_changed(self, _index: int) -> None:
        combo = self.sender()
        if isinstance(combo, QComboBox):
            self._target_changed(int(combo.property("row")))

    def _target_changed(self, row: int) -> None:
        choice = self.current()
        item = self.table.item(row, HEADER)
        if choice is None or item is None:
            return
        header, target = item.text(), str(self.combo(row).currentData() or "")
        mapping = {t: h for t, h in choice.mapping.items() if h != header and t != target}
        if target == NOTES_TARGET:
            choice.kept_in_notes[header] = True
        elif target:
            mapping[target] = header
        else:
            choice.kept_in_notes[header] = False
        choice.mapping = mapping
        self.state.plan = None
        self._show_mapping()

    def _update_status(self) -> None:
        choice = self.current()
        if choice is None:
            self.status.setText("")
            return
        mapped = len(choice.mapping)
        total = thousands(self.table.rowCount())
        text = f"{counted(mapped, 'colonne importée', 'colonnes importées', nbsp=True)} sur {total}"
        noted = len(choice.notes_columns())
        if noted:
            text += f", {counted(noted, 'conservée', 'conservées', nbsp=True)} dans les notes"
        ignored = choice.ignored_columns()
        if ignored:
            names = ", ".join(f"« {h} »" for h in ignored[:6]) + ("…" if len(ignored) > 6 else "")
            text += f", {counted(len(ignored), 'ignorée', 'ignorées', nbsp=True)} ({names})"
        if not any(t in choice.mapping for t in IDENTITY_TARGETS):
            text += (
                f".{NBSP}Associez au moins une colonne à « Raison sociale », « Enseigne » ou "
                "« Nom » : une ligne sans nom ne peut pas être importée."
            )
            self.status.setStyleSheet("color: #c62828;")
        else:
            text += "."
            self.status.setStyleSheet("")
        self.status.setText(text)

    # -- profiles -------------------------------------------------------------------------------
    def apply_profile(self, name: str) -> None:
        """Use a saved profile on the source shown (columns absent from the file are skipped)."""
        choice = self.current()
        if choice is None or choice.preview is None or not name:
            return
        try:
            profile = self.profiles.load(name)
        except MicroCRMError as exc:
            self.status.setText(exc.message)
            return
        headers = set(choice.preview.headers)
        choice.mapping = {t: h for t, h in profile.mapping.items() if h in headers}
        choice.preset = profile.preset
        self.state.plan = None
        missing = len(profile.mapping) - len(choice.mapping)
        self._show_mapping()
        absent = counted(missing, "colonne absente", "colonnes absentes", nbsp=True)
        note = f" ({absent} du fichier)"
        self.status.setText(
            f"Profil « {profile.name} » appliqué{NBSP}: "
            f"{counted(len(choice.mapping), 'colonne associée', 'colonnes associées', nbsp=True)}"
            f"{note if missing else ''}."
        )

    def ask_profile_name(self) -> None:
        """« Enregistrer comme profil… »: ask a name, then save."""
        name, ok = QInputDialog.getText(self, "Enregistrer le profil", "Nom du profil :")
        if ok:
            self.save_profile(name)

    def save_profile(self, name: str) -> bool:
        """Save the mapping of the source shown under a name; False (and why) if refused."""
        choice = self.current()
        if choice is None:
            return False
        try:
            self.profiles.save(MappingProfile(name, choice.preset, dict(choice.mapping)))
        except MicroCRMError as exc:
            self.status.setText(exc.message)
            return False
        self.reload_profiles(select=" ".join(name.split()))
        self.status.setText(f"Profil « {' '.join(name.split())} » enregistré.")
        return True

    def validatePage(self) -> bool:
        """Every source must map a name."""
        for index, choice in enumerate(self.state.sources):
            if not any(t in choice.mapping for t in IDENTITY_TARGETS):
                self.source.setCurrentIndex(index)
                self._update_status()
                return False
        return True


class _TagCompleter(QCompleter):
    """Completes the tag being typed after the last comma, keeping those before it."""

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].strip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        widget = self.widget()
        typed = widget.text() if isinstance(widget, QLineEdit) else ""
        head = typed.rsplit(",", 1)[0] + ", " if "," in typed else ""
        return f"{head}{index.data()}"


class DestinationPage(QWizardPage):
    """Page 4: the base the new records go to, their salesperson and tags, update or not."""

    def __init__(self, state: ImportState, ctx: AppContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.ctx = ctx
        self._defaulted = False
        self.setTitle("Destination")
        self.setSubTitle("Où ranger les fiches créées, et comment traiter celles qui existent.")
        self.base = named(QComboBox(), "destination-base")
        self.base.setMinimumWidth(240)
        for key, label in BASE_LABELS.items():
            self.base.addItem(label, key)
        self.salesperson = named(QComboBox(), "destination-salesperson")
        self.salesperson.setMinimumWidth(240)
        self.tags = named(QLineEdit(), "destination-tags")
        self.tags.setPlaceholderText("ex. : Salon 2026, Haute-Garonne (séparées par des virgules)")
        self.tag_names = QStringListModel(self)
        completer = _TagCompleter(self.tag_names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.tags.setCompleter(completer)
        self.update_box = named(
            QCheckBox("Mettre à jour les fiches existantes (le fichier l'emporte)"),
            "destination-update",
        )
        self.update_box.setToolTip(
            "Sans cette case, une fiche existante n'est que complétée : ses champs vides sont "
            "remplis, rien n'est écrasé."
        )
        self.error = named(QLabel(), "destination-error")
        self.error.setStyleSheet("color: #c62828;")
        self.error.setWordWrap(True)
        self.error.setMinimumWidth(640)
        self.tags.setMinimumWidth(460)
        form = QFormLayout(self)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.FieldsStayAtSizeHint)
        form.addRow("&Base :", self.base)
        form.addRow("&Commercial :", self.salesperson)
        form.addRow("É&tiquettes :", self.tags)
        form.addRow("", self.update_box)
        note = QLabel(
            "Les doublons sont détectés (même SIRET, ou même code postal et nom voisin) : une "
            "fiche existante n'est jamais recréée, et sa base n'est jamais rétrogradée "
            "(un client reste client)."
        )
        note.setWordWrap(True)
        note.setMinimumWidth(640)
        note.setStyleSheet("color: #616161;")
        form.addRow("", note)
        form.addRow("", self.error)

    def initializePage(self) -> None:
        current = self.salesperson.currentData()
        self.salesperson.clear()
        self.salesperson.addItem("(aucun)", None)
        for user in list_users(self.ctx.db, include_inactive=False):
            if user.is_salesperson and user.id is not None:
                self.salesperson.addItem(user.full_name or user.login, user.id)
        self.salesperson.setCurrentIndex(max(self.salesperson.findData(current), 0))
        self.tag_names.setStringList(list_tag_names(self.ctx.db))
        if not self._defaulted:
            self._defaulted = True
            presets = {choice.preset for choice in self.state.sources}
            key = "prospect" if presets and presets <= CONTACT_PRESETS else "suspect"
            self.base.setCurrentIndex(self.base.findData(key))

    def validatePage(self) -> bool:
        """Store the choices; refuse an unusable tag."""
        try:
            tags = clean_tag_names(self.tags.text().split(","))
        except MicroCRMError as exc:
            self.error.setText(exc.message)
            return False
        self.error.setText("")
        state = self.state
        choice = (
            str(self.base.currentData()),
            self.update_box.isChecked(),
            self.salesperson.currentData(),
            tags,
        )
        if choice != (state.base, state.update, state.salesperson_id, state.tags):
            state.plan = None
        state.base, state.update, state.salesperson_id, state.tags = choice
        return True
