"""Form rows that show a validation error under their field (settings dialog and others).

A :class:`FieldRow` wraps an editor with a red label under it; a
:class:`FormErrors` maps domain field names (``ValidationError.field``) to
rows, so a service's error lands next to the field it names. Editing the
field clears its error; the typed value is never touched.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

ERROR_COLOR = "#b71c1c"
ERROR_BORDER = f"border: 1px solid {ERROR_COLOR}; border-radius: 2px; background: #fff5f5;"
HINT_STYLE = "color: #5f6368;"


class FieldRow(QWidget):
    """An editor with its error label underneath (hidden while there is no error)."""

    def __init__(self, editor: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self.error = QLabel()
        self.error.setObjectName("field-error")
        self.error.setWordWrap(True)
        self.error.setStyleSheet(f"color: {ERROR_COLOR};")
        self.error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self.error)
        self._connect_edits(editor)

    def _connect_edits(self, editor: QWidget) -> None:
        if isinstance(editor, QLineEdit):
            editor.textEdited.connect(self.clear_error)
        elif isinstance(editor, QComboBox):
            editor.currentTextChanged.connect(self.clear_error)
        elif isinstance(editor, QPlainTextEdit):
            editor.textChanged.connect(self.clear_error)
        elif isinstance(editor, QSpinBox):
            editor.valueChanged.connect(self.clear_error)

    def show_error(self, message: str) -> None:
        """Show ``message`` under the field and outline the field in red."""
        self.error.setText(message)
        self.error.show()
        if isinstance(self.editor, QLineEdit | QComboBox | QPlainTextEdit | QSpinBox):
            self.editor.setStyleSheet(f"{type(self.editor).__name__} {{ {ERROR_BORDER} }}")

    def clear_error(self) -> None:
        """Back to normal (called when the user edits the field)."""
        if self.error.isHidden():
            return
        self.error.clear()
        self.error.hide()
        self.editor.setStyleSheet("")

    def has_error(self) -> bool:
        """Whether an error is shown."""
        return not self.error.isHidden()


class FormErrors:
    """Domain field name → row, to place :class:`~microcrm.errors.ValidationError` messages."""

    def __init__(self) -> None:
        self.rows: dict[str, FieldRow] = {}

    def row(self, field: str, editor: QWidget) -> FieldRow:
        """Wrap ``editor`` in a row known as ``field``."""
        row = FieldRow(editor)
        self.rows[field] = row
        return row

    def show(self, field: str, message: str) -> bool:
        """Show the error under its field and focus it; False when the field is unknown."""
        row = self.rows.get(field)
        if row is None:
            return False
        row.show_error(message)
        row.editor.setFocus()
        return True

    def clear(self) -> None:
        """Hide every error."""
        for row in self.rows.values():
            row.clear_error()

    def shown(self) -> dict[str, str]:
        """Field → message of the errors on screen (for tests and accessibility)."""
        return {f: r.error.text() for f, r in self.rows.items() if r.has_error()}


def hint(text: str = "") -> QLabel:
    """A grey explanatory label that wraps."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setStyleSheet(HINT_STYLE)
    return label
