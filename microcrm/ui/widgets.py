"""Small widget helpers shared by the record sheet and its dialogs."""

from __future__ import annotations

from typing import TypeVar

from PySide6.QtCore import QObject

W = TypeVar("W", bound=QObject)


def named(widget: W, name: str) -> W:
    """The widget with its object name set (tests and style sheets find it by name)."""
    widget.setObjectName(name)
    return widget
