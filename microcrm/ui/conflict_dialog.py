"""The conflict dialog: a field changed here and on another workstation; the user picks.

docs/storage.md §4.1: nothing is written before the user chooses. For each
field changed on both sides the dialog shows the version the form was opened
with, theirs and mine, with one choice per field. "Annuler" keeps the form
open with every edit. A record deleted elsewhere gets its own question
(:func:`ask_recreate`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

MINE = "mine"
THEIRS = "theirs"
EMPTY = "(vide)"
VALUE_WIDTH = 240


@dataclass(frozen=True, slots=True)
class ConflictField:
    """One field changed on both sides, with its three values as shown to the user."""

    name: str
    label: str
    base: str
    theirs: str
    mine: str


def _value_label(text: str, *, muted: bool = False) -> QLabel:
    label = QLabel(text or EMPTY)
    label.setWordWrap(True)
    label.setMinimumWidth(VALUE_WIDTH // 2)
    label.setMaximumWidth(VALUE_WIDTH)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
    if muted or not text:
        label.setStyleSheet("color: #757575;")
    return label


def _separator() -> QFrame:
    line = QFrame()
    line.setFrameShape(QFrame.Shape.HLine)
    line.setStyleSheet("color: #d0d0d0;")
    return line


class ConflictDialog(QDialog):
    """Choose, per conflicting field, between my version and theirs.

    Every field starts on "Garder la mienne"; :meth:`keep_mine` gives the
    names of the fields whose mine is kept once the dialog is accepted.
    """

    def __init__(
        self,
        fields: Sequence[ConflictField],
        parent: QWidget | None = None,
        *,
        title: str = "Conflit de modification",
        who: str = "",
    ) -> None:
        super().__init__(parent)
        self.setObjectName("conflict-dialog")
        self.setWindowTitle(title)
        self.fields = tuple(fields)
        self._groups: dict[str, QButtonGroup] = {}
        self.radios: dict[tuple[str, str], QRadioButton] = {}

        other = f"par {who} " if who else ""
        intro = QLabel(
            f"Cette fiche a été modifiée {other}sur un autre poste pendant que vous la "
            "modifiiez. Pour chaque champ modifié des deux côtés, choisissez la version "
            "à enregistrer. Les autres modifications, des deux côtés, sont conservées."
        )
        intro.setWordWrap(True)

        grid_host = QWidget()
        grid = QGridLayout(grid_host)
        grid.setHorizontalSpacing(18)
        grid.setVerticalSpacing(8)
        headers = ("Champ", "Version d'origine", "Leur version (autre poste)", "Votre version")
        for column, text in enumerate(headers):
            header = QLabel(f"<b>{text}</b>")
            grid.addWidget(header, 0, column)
        for number, field in enumerate(self.fields):
            row = 1 + number * 3
            grid.addWidget(_separator(), row, 0, 1, len(headers))
            self._add_row(grid, row + 1, field)
        grid.setColumnStretch(1, 1)
        grid.setColumnStretch(2, 1)
        grid.setColumnStretch(3, 1)
        grid.setRowStretch(len(self.fields) * 3 + 1, 1)

        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(grid_host)

        all_mine = QPushButton("Tout garder de mon côté")
        all_mine.clicked.connect(lambda: self.choose_all(MINE))
        all_theirs = QPushButton("Tout prendre de l'autre poste")
        all_theirs.clicked.connect(lambda: self.choose_all(THEIRS))
        bulk = QHBoxLayout()
        bulk.addWidget(all_mine)
        bulk.addWidget(all_theirs)
        bulk.addStretch(1)

        self.buttons = QDialogButtonBox()
        self.save_button = self.buttons.addButton(
            "Enregistrer", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.cancel_button = self.buttons.addButton(
            "Annuler", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.save_button.setDefault(True)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(scroll, 1)
        layout.addLayout(bulk)
        layout.addWidget(self.buttons)
        self.resize(860, min(170 + 64 * len(self.fields), 620))

    def _add_row(self, grid: QGridLayout, row: int, field: ConflictField) -> None:
        name = QLabel(f"<b>{field.label}</b>")
        name.setObjectName(f"conflict-label-{field.name}")
        grid.addWidget(name, row, 0, Qt.AlignmentFlag.AlignTop)
        grid.addWidget(_value_label(field.base, muted=True), row, 1)
        grid.addWidget(_value_label(field.theirs), row, 2)
        grid.addWidget(_value_label(field.mine), row, 3)
        group = QButtonGroup(self)
        theirs = QRadioButton("Prendre la leur")
        mine = QRadioButton("Garder la mienne")
        theirs.setObjectName(f"conflict-theirs-{field.name}")
        mine.setObjectName(f"conflict-mine-{field.name}")
        group.addButton(theirs)
        group.addButton(mine)
        mine.setChecked(True)
        grid.addWidget(theirs, row + 1, 2)
        grid.addWidget(mine, row + 1, 3)
        self._groups[field.name] = group
        self.radios[field.name, THEIRS] = theirs
        self.radios[field.name, MINE] = mine

    def choose(self, name: str, side: str) -> None:
        """Pick ``"mine"`` or ``"theirs"`` for one field."""
        self.radios[name, side].setChecked(True)

    def choose_all(self, side: str) -> None:
        """Pick the same side for every field."""
        for field in self.fields:
            self.choose(field.name, side)

    def choices(self) -> dict[str, str]:
        """Field name → ``"mine"`` or ``"theirs"``."""
        return {
            f.name: MINE if self.radios[f.name, MINE].isChecked() else THEIRS for f in self.fields
        }

    def keep_mine(self) -> set[str]:
        """Names of the fields whose mine is kept."""
        return {name for name, side in self.choices().items() if side == MINE}


def ask_recreate(parent: QWidget | None, name: str) -> bool:
    """The record was deleted on another workstation: recreate it with my values?"""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Fiche supprimée sur un autre poste")
    box.setText(
        f"La fiche « {name} » a été supprimée sur un autre poste pendant que vous la modifiiez."
    )
    box.setInformativeText(
        "« Recréer » l'enregistre de nouveau avec vos valeurs (une fiche mise à la corbeille "
        "en est retirée). « Annuler » laisse la fiche ouverte avec vos modifications."
    )
    recreate = box.addButton("Recréer", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Annuler", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(recreate)
    box.exec()
    return box.clickedButton() is recreate
