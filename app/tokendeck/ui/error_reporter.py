"""Unhandled exceptions: logged with their traceback, shown in a non-modal dialog, app keeps going.

Covers the three places an exception can escape: Qt slots (`sys.excepthook`), worker threads
(`threading.excepthook`) and asyncio tasks (the loop's exception handler). The dialog text goes
through `redact()` so a library that put a credential into its message does not show it.
"""

from __future__ import annotations

import logging
import sys
import threading
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QMessageBox, QWidget

from tokendeck.core.redaction import redact

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)


class ErrorReporter(QObject):
    _report = Signal(str, str)

    def __init__(self, parent_window: QWidget | None, log_path: Path) -> None:
        super().__init__(parent_window)
        self._window = parent_window
        self._log_path = log_path
        self._open: list[QMessageBox] = []
        self.reported: list[str] = []
        self._report.connect(self._show, Qt.ConnectionType.QueuedConnection)
        self._previous_hook = sys.excepthook
        self._previous_thread_hook = threading.excepthook

    def install(self) -> None:
        sys.excepthook = self._excepthook
        threading.excepthook = self._thread_hook

    def uninstall(self) -> None:
        sys.excepthook = self._previous_hook
        threading.excepthook = self._previous_thread_hook

    def _excepthook(
        self, kind: type[BaseException], exc: BaseException, tb: TracebackType | None
    ) -> None:
        if issubclass(kind, KeyboardInterrupt):
            self._previous_hook(kind, exc, tb)
            return
        self.report(exc, tb)

    def _thread_hook(self, args: threading.ExceptHookArgs) -> None:
        if args.exc_value is not None:
            self.report(args.exc_value, args.exc_traceback)

    def loop_exception(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        if isinstance(exc, BaseException):
            self.report(exc, exc.__traceback__)
        else:
            log.error("asyncio: %s", context.get("message", "unknown error"))

    def report(self, exc: BaseException, tb: TracebackType | None) -> None:
        details = "".join(traceback.format_exception(type(exc), exc, tb))
        log.error("Unhandled exception\n%s", details)
        summary = redact(f"{type(exc).__name__}: {exc}")
        self._report.emit(summary, redact(details))

    @Slot(str, str)
    def _show(self, summary: str, details: str) -> None:
        self.reported.append(summary)
        box = QMessageBox(self._window)
        box.setIcon(QMessageBox.Icon.Critical)
        box.setWindowTitle("TokenDeck: unexpected error")
        box.setText("Something went wrong, but TokenDeck is still running and nothing was lost.")
        box.setInformativeText(f"{summary}\n\nThe details are in the log file:\n{self._log_path}")
        box.setDetailedText(details)
        box.setModal(False)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.finished.connect(lambda _=0, b=box: self._open.remove(b) if b in self._open else None)
        self._open.append(box)
        box.show()
