"""Binds a form's widgets to named values: read, load, modified state, undo, field errors.

The sheet's tabs register their widgets here under the names of the record
fields (``phone``, ``address.city``…). A field may show a value differently
from how it is stored (a phone in E.164 shown ``01 42 68 53 00``): as long as
the user leaves the text as shown, the stored value is read back unchanged.

Undo is sheet-wide: each run of edits to one field is one step, and undoing
it puts back the field's value from before the run (the widgets' own Ctrl+Z
still works inside a text field).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QPlainTextEdit, QWidget

Value = object
ERROR_STYLE = "border: 1px solid #c62828; background: #fff3f3;"


@dataclass
class _Field:
    name: str
    label: str
    widget: QWidget
    read: Callable[[], Value]
    write: Callable[[Value], None]
    error: QLabel


def error_label() -> QLabel:
    """The red message shown under a field refused on save (hidden until then)."""
    label = QLabel()
    label.setObjectName("field-error")
    label.setWordWrap(True)
    label.setStyleSheet("color: #c62828;")
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    label.hide()
    return label


class FormBinder(QObject):
    """Named fields of a form, with their loaded values and a sheet-wide undo stack.

    Signals:
        edited(str): a field changed because of the user (not because of :meth:`load`).
    """

    edited = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._fields: dict[str, _Field] = {}
        self._loaded: dict[str, Value] = {}
        self._current: dict[str, Value] = {}
        self._undo: list[tuple[str, Value]] = []
        self._open_run: str | None = None
        self._loading = False

    # -- registration ------------------------------------------------------------------
    def _add(self, field: _Field) -> QLabel:
        self._fields[field.name] = field
        self._loaded[field.name] = field.read()
        self._current[field.name] = self._loaded[field.name]
        return field.error

    def add_line(
        self,
        name: str,
        label: str,
        edit: QLineEdit,
        display: Callable[[str], str] | None = None,
    ) -> QLabel:
        """A text field; ``display`` turns the stored value into the text shown."""
        shown = display or (lambda value: value)

        def read() -> Value:
            text = edit.text()
            stored = self._loaded.get(name, "")
            if isinstance(stored, str) and text == shown(stored):
                return stored
            return text

        def write(value: Value) -> None:
            text = str(value or "")
            edit.setText(shown(text) if value == self._loaded.get(name) else text)

        edit.textChanged.connect(lambda _text: self._changed(name))
        return self._add(_Field(name, label, edit, read, write, error_label()))

    def add_text(self, name: str, label: str, edit: QPlainTextEdit) -> QLabel:
        """A multi-line text field."""

        def write(value: Value) -> None:
            edit.setPlainText(str(value or ""))

        edit.textChanged.connect(lambda: self._changed(name))
        return self._add(_Field(name, label, edit, edit.toPlainText, write, error_label()))

    def add_check(self, name: str, label: str, box: QCheckBox) -> QLabel:
        """A yes/no field."""

        def write(value: Value) -> None:
            box.setChecked(bool(value))

        box.toggled.connect(lambda _on: self._changed(name))
        return self._add(_Field(name, label, box, box.isChecked, write, error_label()))

    def add_combo(self, name: str, label: str, combo: QComboBox) -> QLabel:
        """A choice stored as the item's user data (``None`` for the empty item).

        A value that is not among the items is added as its own item, so that
        a code this version does not know is kept, not silently dropped.
        """

        def write(value: Value) -> None:
            # findData() cannot look for None (the empty item): compare in Python.
            index = next((i for i in range(combo.count()) if combo.itemData(i) == value), -1)
            if index < 0:
                combo.addItem(str(value), value)
                index = combo.count() - 1
            combo.setCurrentIndex(index)

        combo.currentIndexChanged.connect(lambda _i: self._changed(name))
        return self._add(_Field(name, label, combo, combo.currentData, write, error_label()))

    # -- values ---------------------------------------------------------------------------
    def names(self) -> list[str]:
        """The registered field names, in registration order."""
        return list(self._fields)

    def label(self, name: str) -> str:
        """French label of a field (for messages and the conflict dialog)."""
        return self._fields[name].label

    def widget(self, name: str) -> QWidget:
        """The widget of a field."""
        return self._fields[name].widget

    def value(self, name: str) -> Value:
        """The value of a field as it would be stored."""
        return self._fields[name].read()

    def values(self) -> dict[str, Value]:
        """Every field's value as it would be stored."""
        return {name: field.read() for name, field in self._fields.items()}

    def loaded(self, name: str) -> Value:
        """The value the field was loaded with."""
        return self._loaded[name]

    def load(self, values: dict[str, Value]) -> None:
        """Show saved values: they become the reference for :meth:`modified` (not undoable)."""
        self._loading = True
        try:
            for name, value in values.items():
                if name not in self._fields:
                    continue
                self._loaded[name] = value
                self._fields[name].write(value)
                self._current[name] = self._fields[name].read()
        finally:
            self._loading = False
        self._open_run = None

    def set_value(self, name: str, value: Value) -> None:
        """Change a field as the user would (modified, undoable)."""
        self._fields[name].write(value)

    def modified(self) -> list[str]:
        """Names of the fields whose value differs from the loaded one."""
        return [name for name, field in self._fields.items() if field.read() != self._loaded[name]]

    def _changed(self, name: str) -> None:
        if self._loading:
            return
        previous = self._current.get(name)
        now = self._fields[name].read()
        if now == previous:
            return
        if self._open_run != name:
            self._undo.append((name, previous))
            self._open_run = name
        self._current[name] = now
        self.edited.emit(name)

    # -- undo -------------------------------------------------------------------------------
    def can_undo(self) -> bool:
        """Whether there is an edit to undo."""
        return bool(self._undo)

    def undo(self) -> str | None:
        """Put back the value a field had before its last run of edits.

        Returns:
            The name of the field restored, or ``None`` when there was nothing to undo.
        """
        if not self._undo:
            return None
        name, value = self._undo.pop()
        field = self._fields[name]
        self._loading = True
        try:
            field.write(value)
            self._current[name] = field.read()
        finally:
            self._loading = False
        self._open_run = None
        self.edited.emit(name)
        field.widget.setFocus()
        return name

    # -- errors ------------------------------------------------------------------------------
    def show_error(self, name: str, message: str) -> bool:
        """Show ``message`` under a field and highlight it; False when no such field."""
        field = self._fields.get(name)
        if field is None:
            return False
        field.error.setText(message)
        field.error.show()
        field.widget.setStyleSheet(ERROR_STYLE)
        field.widget.setToolTip(message)
        return True

    def clear_errors(self) -> None:
        """Hide every field message and highlight."""
        for field in self._fields.values():
            if field.error.text():
                field.error.hide()
                field.error.setText("")
                field.widget.setStyleSheet("")
                field.widget.setToolTip("")

    def error_text(self, name: str) -> str:
        """The message shown under a field ("" when none)."""
        return self._fields[name].error.text()
