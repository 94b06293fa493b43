"""Table models of the simulation page: the problems found and the duplicates to decide on.

Both hold plain objects of the dry run (:class:`ReadIssue`,
:class:`DuplicateCandidate`) and never query the database. A SIRENE run can
give tens of thousands of rows: real models, one row height, no per-row widgets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any, Final

from PySide6.QtCore import QAbstractItemModel, QObject, Qt
from PySide6.QtGui import QColor
from PySide6.QtWidgets import QComboBox, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from microcrm.directory.importer import DuplicateCandidate, ImportReport
from microcrm.directory.presets import TARGET_LABELS
from microcrm.directory.profiles import reason_label
from microcrm.directory.records import ReadIssue
from microcrm.ui.models.columns import Index, text_columns
from microcrm.ui.models.rows import RowsTableModel

DECISIONS: Final[dict[str, str]] = {
    "merge": "Fusionner",
    "skip": "Ignorer",
    "create": "Créer quand même",
}
"""Decisions on a duplicate, in the order offered."""
DECISION_COLORS: Final = {"merge": "#2e7d32", "skip": "#757575", "create": "#e65100"}
FIELD_LABELS: Final[dict[str, str]] = {
    "name": "Raison sociale",
    "enseigne": "Enseigne",
    "siret": "SIRET",
    "siren": "SIREN",
    "naf_code": "Code NAF",
    "headcount": "Effectif",
    "headcount_band": "Effectif",
    "legal_form": "Forme juridique",
    "phone": "Téléphone",
    "email": "E-mail",
    "website": "Site Internet",
    "civility": "Civilité",
    "first_name": "Prénom",
    "last_name": "Nom",
    "role": "Fonction",
    "mobile": "Mobile",
    "notes": "Notes",
    "stage": "Base",
    "address": "Adresse",
    "line1": "Adresse (ligne 1)",
    "line2": "Adresse (ligne 2)",
    "line3": "Adresse (ligne 3)",
    "postcode": "Code postal",
    "city": "Ville",
    "country": "Pays",
    "organisation": "Organisation",
}
"""French names of the fields a duplicate shows (model columns, or mapping targets)."""
KIND_LABELS: Final = {"organisation": "Organisation", "person": "Contact"}


def field_label(key: str) -> str:
    """French name of a field of a duplicate's values."""
    return FIELD_LABELS.get(key) or TARGET_LABELS.get(key) or key


def value_text(value: object) -> str:
    """A field value as shown (lists joined, enums by value, None empty)."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return " / ".join(value_text(v) for v in value if v not in (None, ""))
    enum_value = getattr(value, "value", None)
    return str(enum_value if isinstance(enum_value, str) else value)


def display_name(values: dict[str, Any]) -> str:
    """An organisation's name or a person's first and last names, from a duplicate's values."""
    for key in ("name", "enseigne"):
        if values.get(key):
            return value_text(values[key])
    person = " ".join(value_text(values.get(k)) for k in ("first_name", "last_name")).strip()
    return person or value_text(values.get("email"))


class IssueModel(RowsTableModel[tuple[str, ReadIssue, bool]]):
    """Rejected rows then warnings of every source of a report.

    A row is (file name, problem, rejected).
    """

    COLUMNS = text_columns("Fichier", "Ligne", "Gravité", "Motif", "Détail")

    def set_report(self, report: ImportReport | None, names: Sequence[str]) -> None:
        """Show the problems of a report; ``names`` names its files, in order."""
        rows: list[tuple[str, ReadIssue, bool]] = []
        for position, entry in enumerate(report.files if report is not None else []):
            name = names[position] if position < len(names) else ", ".join(entry.sources)
            rows.extend((name, issue, True) for issue in entry.rejected.rows)
        for position, entry in enumerate(report.files if report is not None else []):
            name = names[position] if position < len(names) else ", ".join(entry.sources)
            rows.extend((name, issue, False) for issue in entry.warnings.rows)
        self.set_rows(rows)

    def issue(self, row: int) -> ReadIssue:
        """The problem on a row."""
        return self.row(row)[1]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index)
        if row is None:
            return None
        name, issue, rejected = row
        if role == Qt.ItemDataRole.ForegroundRole and index.column() == 2:
            return QColor("#c62828" if rejected else "#e65100")
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        values = (name, issue.locator, "Rejetée" if rejected else "Avertissement",
                  reason_label(issue.reason), issue.detail)  # fmt: skip
        return values[index.column()]


KIND, LOCATOR, FILE_SIDE, EXISTING_SIDE, DECISION, REASON = range(6)


class DuplicateModel(RowsTableModel[DuplicateCandidate]):
    """The duplicates of a dry run; the Décision column is editable (combo box)."""

    COLUMNS = text_columns(
        "Type", "Ligne", "Dans le fichier", "Fiche existante", "Décision", "Motif"
    )

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent=parent)
        self._names: dict[object, str] = {}

    def set_duplicates(
        self, items: Sequence[DuplicateCandidate], names: dict[object, str] | None = None
    ) -> None:
        """Show a dry run's duplicates; ``names`` maps a duplicate's ``source`` to a file name."""
        self.beginResetModel()
        self._rows = list(items)
        self._names = dict(names or {})
        self.endResetModel()

    def duplicate(self, row: int) -> DuplicateCandidate:
        """The duplicate on a row."""
        return self.row(row)

    def counts(self) -> dict[str, int]:
        """How many duplicates have each decision."""
        found = Counter(item.decision for item in self._rows)
        return {key: found.get(key, 0) for key in DECISIONS}

    def set_decision(self, rows: Sequence[int], decision: str) -> None:
        """Give a decision to some rows (``merge``, ``skip`` or ``create``)."""
        if decision not in DECISIONS:
            raise ValueError(decision)
        for row in rows:
            self._rows[row].decision = decision
        if rows:
            self.dataChanged.emit(self.index(min(rows), DECISION), self.index(max(rows), DECISION))

    def set_all(self, decision: str) -> None:
        """« Tout fusionner » / « Tout ignorer »."""
        self.set_decision(list(range(len(self._rows))), decision)

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return flags | Qt.ItemFlag.ItemIsEditable if index.column() == DECISION else flags

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        item = self.row_at(index)
        if item is None:
            return None
        column = index.column()
        if column == DECISION and role == Qt.ItemDataRole.EditRole:
            return item.decision
        if column == DECISION and role == Qt.ItemDataRole.ForegroundRole:
            return QColor(DECISION_COLORS.get(item.decision, "#000000"))
        if role not in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            return None
        source = self._names.get(item.source, "")
        values = (
            KIND_LABELS.get(item.kind, item.kind),
            f"{source}, {item.locator}" if source else item.locator,
            display_name(item.file_values),
            f"{display_name(item.existing_values)} (n°{item.existing_id})",
            DECISIONS.get(item.decision, item.decision),
            item.reason,
        )
        return values[column]

    def setData(self, index: Index, value: Any, role: int = Qt.ItemDataRole.EditRole) -> bool:
        if not index.isValid() or index.column() != DECISION or role != Qt.ItemDataRole.EditRole:
            return False
        if value not in DECISIONS:
            return False
        self.set_decision([index.row()], str(value))
        return True


class DecisionDelegate(QStyledItemDelegate):
    """A combo box to choose Fusionner / Ignorer / Créer quand même in the Décision column."""

    def createEditor(self, parent: QWidget, option: QStyleOptionViewItem, index: Index) -> QWidget:
        combo = QComboBox(parent)
        for key, label in DECISIONS.items():
            combo.addItem(label, key)
        combo.activated.connect(self._commit)  # a bound method: the view deletes editors
        return combo

    def _commit(self, _index: int) -> None:
        editor = self.sender()
        if isinstance(editor, QWidget):
            self.commitData.emit(editor)

    def setEditorData(self, editor: QWidget, index: Index) -> None:
        if isinstance(editor, QComboBox):
            editor.setCurrentIndex(max(editor.findData(index.data(Qt.ItemDataRole.EditRole)), 0))

    def setModelData(self, editor: QWidget, model: QAbstractItemModel, index: Index) -> None:
        if isinstance(editor, QComboBox):
            model.setData(index, editor.currentData(), Qt.ItemDataRole.EditRole)


def compared_fields(item: DuplicateCandidate) -> list[tuple[str, str, str, str]]:
    """Rows of the side-by-side view: (label, file value, existing value, state).

    ``state`` is ``"differs"`` when both are filled and differ, ``"fills"``
    when only the file has a value (a merge fills it), ``"same"`` otherwise.
    """
    keys = list(dict.fromkeys([*item.file_values, *item.existing_values]))
    rows = []
    for key in keys:
        ours = value_text(item.file_values.get(key))
        theirs = value_text(item.existing_values.get(key))
        if not ours and not theirs:
            continue
        if ours and theirs and ours.casefold() != theirs.casefold():
            state = "differs"
        elif ours and not theirs:
            state = "fills"
        else:
            state = "same"
        rows.append((field_label(key), ours, theirs, state))
    return rows
