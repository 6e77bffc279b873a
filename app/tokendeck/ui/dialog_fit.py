"""Dialogs that can be made small without cutting their text.

Qt gives a window the minimum size of its layout, but (1) not when the window has an explicit
minimum width, and (2) never counting word-wrapped text, which needs more height the narrower
it gets. So a dialog with a wrapped label, or with `setMinimumWidth`, can be dragged so low that
its fields and labels are cut. `keep_text_whole(dialog)` keeps the dialog's minimum height at
what its layout needs at its current width."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget


class _MinimumHeightForWidth(QObject):
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(watched, QWidget) and event.type() in _EVENTS:
            fit_minimum_height(watched)
        return False


_EVENTS = (QEvent.Type.Resize, QEvent.Type.LayoutRequest, QEvent.Type.Show)


def fit_minimum_height(window: QWidget) -> None:
    layout = window.layout()
    if layout is None:
        return
    needed = (
        layout.totalMinimumHeightForWidth(window.width())
        if layout.hasHeightForWidth()
        else layout.totalMinimumSize().height()
    )
    if needed != window.minimumHeight():
        window.setMinimumHeight(needed)


def keep_text_whole(window: QWidget) -> None:
    window.installEventFilter(_MinimumHeightForWidth(window))
