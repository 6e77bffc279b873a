"""Run something once a widget has painted: what a person sees is on screen, the rest may start."""

from __future__ import annotations

import sys
from collections.abc import Callable

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QWidget


class OnPaint(QObject):
    """Runs `then` at the first paint of the widget it filters (installed by the caller)."""

    def __init__(self, parent: QObject, then: Callable[[], None]) -> None:
        super().__init__(parent)
        self._then = then

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            try:
                self._then()
            except Exception:  # reported here: see below
                # Never out of a Qt override: an exception leaving this filter during a paint
                # left PySide 6.11 with a freed object still referenced, and the next garbage
                # collection crashed the app (SIGSEGV in dict_traverse). The error reporter
                # (sys.excepthook) shows and logs it as it does any slot's.
                sys.excepthook(*sys.exc_info())
        return False


def after_paint(widget: QWidget, then: Callable[[], None], *, within_ms: int = 1000) -> None:
    """`then()`, once: just after `widget` next paints, or after `within_ms` if it does not (a window
    minimized to the tray, a tab not shown, a compositor that skips the frame). A widget not
    visible will not paint: `then` runs at the next turn of the event loop."""
    done = False

    def once() -> None:
        nonlocal done
        if not done:
            done = True
            widget.removeEventFilter(watcher)
            watcher.deleteLater()
            then()

    # After the paint, not in it: a filter runs before the widget draws, and what comes next
    # (building a tab, loading adapters) would hold the very paint it waits for.
    watcher = OnPaint(widget, lambda: QTimer.singleShot(0, watcher, once))
    if not widget.isVisible():
        QTimer.singleShot(0, watcher, once)
        return
    widget.installEventFilter(watcher)
    QTimer.singleShot(within_ms, watcher, once)
    widget.update()
