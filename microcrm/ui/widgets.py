"""Small widget helpers shared across the UI: object names, a non-blocking question."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QAbstractButton, QMessageBox, QWidget

W = TypeVar("W", bound=QObject)


def named(widget: W, name: str) -> W:
    """The widget with its object name set (tests and style sheets find it by name)."""
    widget.setObjectName(name)
    return widget


class Question(QMessageBox):
    """A non-blocking Oui/Non question, « Non » by default; deleted once answered.

    Connect ``confirmed`` to a bound method, not to a lambda holding a widget:
    the box deletes itself and PySide may release such a lambda while Qt is
    deleting it.

    Signals:
        confirmed(): the user answered « Oui ».
    """

    confirmed = Signal()

    def __init__(self, parent: QWidget | None, title: str, text: str) -> None:
        super().__init__(
            QMessageBox.Icon.Question,
            title,
            text,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
            parent,
        )
        self.setObjectName("question")
        self.setDefaultButton(QMessageBox.StandardButton.No)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.buttonClicked.connect(self._clicked)

    def _clicked(self, button: QAbstractButton) -> None:
        if self.standardButton(button) == QMessageBox.StandardButton.Yes:
            self.confirmed.emit()
