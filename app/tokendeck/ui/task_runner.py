"""Long operations in place: busy indicator, buttons disabled, Cancel, and errors in a non-modal
banner that keeps the platform's own words."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QStyle,
    QWidget,
)

from tokendeck.core.errors import TokenDeckError

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)


class MessageBanner(QFrame):
    """An inline message with a close button: never blocks the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setObjectName("message-text")
        self.text.setTextFormat(Qt.TextFormat.PlainText)  # messages carry platforms' words
        self.text.setWordWrap(True)
        self.text.setTextInteractionFlags(
            self.text.textInteractionFlags()
            | self.text.textInteractionFlags().TextSelectableByMouse
        )
        close = QPushButton("✕")
        close.setFlat(True)
        close.setAccessibleName("Dismiss message")
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, *, error: bool) -> None:
        pixmap = (
            QStyle.StandardPixmap.SP_MessageBoxCritical
            if error
            else QStyle.StandardPixmap.SP_MessageBoxInformation
        )
        self.icon.setPixmap(self.style().standardIcon(pixmap).pixmap(20, 20))
        self.setStyleSheet(
            "#message-banner { background: rgba(217, 48, 37, 0.10); border: 1px solid rgba(217, 48, 37, 0.5); }"
            if error
            else "#message-banner { background: rgba(30, 142, 62, 0.10); border: 1px solid rgba(30, 142, 62, 0.5); }"
        )
        self.text.setText(text)
        self.show()


class BusyBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        self.progress = QProgressBar()
        self.progress.setRange(0, 0)
        self.progress.setMaximumWidth(160)
        self.progress.setMaximumHeight(14)
        self.cancel = QPushButton("Cancel")
        self.cancel.setAccessibleName("Cancel the running operation")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.progress)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.cancel)
        self.hide()


class TaskRunner(QObject):
    busy_changed = Signal(bool)

    def __init__(self, banner: MessageBanner, bar: BusyBar, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._banner = banner
        self._bar = bar
        self._task: asyncio.Task[Any] | None = None
        self._replaceable = False
        self._running = False
        bar.cancel.clicked.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return self._running

    def run(
        self,
        label: str,
        coro: Coroutine[Any, Any, Any],
        on_done: Callable[[Any], None] | None = None,
        *,
        replaceable: bool = False,
    ) -> asyncio.Task[Any] | None:
        """Run `coro` in place. A `replaceable` task (a read) is cancelled by the next run; any
        other running task makes the new one wait its turn with a message instead."""
        import asyncio

        if self.busy:
            if self._replaceable and self._task is not None:
                self._task.cancel()
            else:
                coro.close()
                self._banner.show_message(
                    "Another operation is still running: try again when it ends.", error=True
                )
                return None
        self._replaceable = replaceable
        self._running = True
        self._bar.label.setText(f"{label}…")
        self._bar.show()
        self.busy_changed.emit(True)

        this: list[asyncio.Task[Any]] = []

        async def wrapped() -> None:
            finished = False
            result: Any = None
            try:
                result = await coro
                finished = True
            except asyncio.CancelledError:
                if not replaceable:
                    self._banner.show_message(f"{label}: cancelled.", error=False)
                raise
            except TokenDeckError as error:
                self._banner.show_message(f"{label} failed. {error.details()}", error=True)
            except Exception as error:  # shown, logged, never raised into Qt
                log.exception("%s failed", label)
                self._banner.show_message(
                    f"{label} failed: {type(error).__name__}: {error}", error=True
                )
            finally:
                if not this or self._task is this[0]:
                    self._running = False
                    self._bar.hide()
                    self.busy_changed.emit(False)
            # After the runner is free, so what follows (a dialog, another step) may run tasks.
            if finished and on_done is not None:
                on_done(result)

        self._task = asyncio.ensure_future(wrapped())
        this.append(self._task)
        # A task cancelled before its first step never awaits `coro`: close it then (a no-op
        # for a coroutine that already ran).
        self._task.add_done_callback(lambda _: coro.close())
        return self._task

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def notify_then(
        self, text: str | Callable[[Any], str], after: Callable[[], None]
    ) -> Callable[[Any], None]:
        """An `on_done` that shows a message (from the result, if `text` is callable), then runs `after`."""

        def done(result: Any) -> None:
            self.info(text(result) if callable(text) else text)
            after()

        return done

    def info(self, text: str) -> None:
        self._banner.show_message(text, error=False)

    def error(self, text: str) -> None:
        self._banner.show_message(text, error=True)
