"""Helpers of the screen tests: drops as the file manager makes them, what a widget drew."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from PySide6.QtCore import QMimeData, QPoint, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent, QImage
from PySide6.QtWidgets import QApplication, QWidget


def file_mime(paths: Sequence[Path]) -> QMimeData:
    """What a file manager puts in a drag: ``file://`` URLs."""
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    return mime


def drop(widget: QWidget, mime: QMimeData, pos: QPoint | None = None) -> bool:
    """Drag-enter, move and drop ``mime`` at ``pos`` of ``widget``; whether the drop was taken.

    Qt delivers a drop only to the widget that accepted the drag-enter, as a
    real drag does: the three events are sent in order.
    """
    at = pos if pos is not None else widget.rect().center()
    action = Qt.DropAction.CopyAction
    buttons, modifiers = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier
    enter = QDragEnterEvent(at, action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, enter)
    if not enter.isAccepted():
        return False
    move = QDragMoveEvent(at, action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, move)
    if not move.isAccepted():
        return False
    event = QDropEvent(QPointF(at), action, mime, buttons, modifiers)
    QApplication.sendEvent(widget, event)
    return event.isAccepted()


def non_white_share(image: QImage) -> float:
    """Share of pixels that are not (almost) white, sampled on a grid."""
    if image.isNull():
        return 0.0
    step = max(1, min(image.width(), image.height()) // 150)
    dark = total = 0
    for y in range(0, image.height(), step):
        for x in range(0, image.width(), step):
            color = image.pixelColor(x, y)
            total += 1
            if min(color.red(), color.green(), color.blue()) < 200:
                dark += 1
    return dark / total if total else 0.0
