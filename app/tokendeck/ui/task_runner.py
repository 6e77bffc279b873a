"""Every piece of async work the window starts goes through a `TaskRunner`: long operations in
place (busy indicator, buttons disabled, Cancel) and quiet ones (a reload, a copy), and every
failure shows the one way, in the tab's non-modal banner that keeps the platform's own words."""

from __future__ import annotations

import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, TypeVar

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QWidget,
)

from tokendeck.core.errors import LocalStorageError, TokenDeckError
from tokendeck.ui.enum_properties import set_by_name
from tokendeck.ui.icons import Act, tone_icon

if TYPE_CHECKING:
    import asyncio

log = logging.getLogger(__name__)
T = TypeVar("T")
NOTE_SHOWN_MS = 10_000  # how long a note ("Saved …", "Tracking …") stays in a tab's banner


class MessageBanner(QFrame):
    """An inline message with a close button: never blocks the window."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("message-banner")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.icon = QLabel()
        self.text = QLabel()
        self.text.setObjectName("message-text")
        set_by_name(self.text, "textFormat", "PlainText")  # messages carry platforms' words
        set_by_name(
            self.text, "textInteractionFlags", "LinksAccessibleByMouse|TextSelectableByMouse"
        )
        self.text.setWordWrap(True)
        close = QPushButton("✕")
        close.setFlat(True)
        close.setAccessibleName("Dismiss message")
        close.setFixedWidth(28)
        close.clicked.connect(self.hide)
        # A note (not an error) goes by itself after a while; an error stays until dismissed.
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.setInterval(NOTE_SHOWN_MS)
        self._fade.timeout.connect(self.hide)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.icon)
        layout.addWidget(self.text, 1)
        layout.addWidget(close)
        self.hide()

    def show_message(self, text: str, *, error: bool) -> None:
        shown = tone_icon(Act.ERROR, "bad") if error else tone_icon(Act.INFO, "ok")
        self.icon.setPixmap(shown.pixmap(20, 20))
        self.setStyleSheet(
            "#message-banner { background: rgba(217, 48, 37, 0.10); border: 1px solid rgba(217, 48, 37, 0.5); }"
            if error
            else "#message-banner { background: rgba(30, 142, 62, 0.10); border: 1px solid rgba(30, 142, 62, 0.5); }"
        )
        self.text.setText(text)
        self.show()
        if error:
            self._fade.stop()
        else:
            self._fade.start()


class BusyBar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel()
        set_by_name(self.label, "textFormat", "PlainText")  # labels carry tokens' own words
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

    def __init__(
        self,
        banner: MessageBanner | None = None,
        bar: BusyBar | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`banner` shows messages and failures (without one they are logged: the tray's
        runner); `bar` shows the busy indicator and Cancel of `run()`."""
        super().__init__(parent)
        self._banner = banner
        self._bar = bar
        self._task: asyncio.Task[Any] | None = None
        self._replaceable = False
        self._running = False
        self._quiet: dict[str, asyncio.Task[None]] = {}
        self._unreplaced: set[asyncio.Task[None]] = set()  # held: asyncio keeps weak references
        if bar is not None:
            bar.cancel.clicked.connect(self.cancel)

    @property
    def busy(self) -> bool:
        return self._running

    def run(
        self,
        label: str,
        coro: Coroutine[Any, Any, T],
        on_done: Callable[[T], None] | None = None,
        *,
        replaceable: bool = False,
        cancelled: str = "",
    ) -> asyncio.Task[None] | None:
        """Run `coro` in place. A `replaceable` task (a read) is cancelled by the next run; any
        other running task makes the new one wait its turn with a message instead. `cancelled`
        is what a Cancel says (default: "<label>: cancelled.")."""
        import asyncio

        if self.busy:
            if self._replaceable and self._task is not None:
                self._task.cancel()
            else:
                coro.close()
                self.error("Another operation is still running: try again when it ends.")
                return None
        self._replaceable = replaceable
        self._running = True
        if self._bar is not None:
            self._bar.label.setText(f"{label}…")
            self._bar.show()
        self.busy_changed.emit(True)

        this: list[asyncio.Task[None]] = []

        async def wrapped() -> None:
            finished = False
            try:
                result = await coro
                finished = True
            except asyncio.CancelledError:
                if not replaceable:
                    self.info(cancelled or f"{label}: cancelled.")
                raise
            except Exception as error:  # shown, logged, never raised into Qt
                self._failed(label, error)
            finally:
                if not this or self._task is this[0]:
                    self._running = False
                    if self._bar is not None:
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

    def quietly(
        self,
        label: str,
        coro: Coroutine[Any, Any, T],
        on_done: Callable[[T], None] | None = None,
        *,
        replace: bool = True,
    ) -> asyncio.Task[None]:
        """Run `coro` without the busy bar (a reload, a copy): it does not block other work,
        and (with `replace`) a newer quiet task of the same `label` replaces it. A failure
        shows in the banner."""
        import asyncio

        previous = self._quiet.pop(label, None) if replace else None
        if previous is not None:
            previous.cancel()

        async def wrapped() -> None:
            try:
                result = await coro
            except asyncio.CancelledError:
                raise
            except Exception as error:  # shown, logged, never raised into Qt
                self._failed(label, error)
                return
            if on_done is not None:
                on_done(result)

        task = asyncio.ensure_future(wrapped())
        if replace:
            self._quiet[label] = task
            task.add_done_callback(lambda done: self._forget_quiet(label, done))
        else:
            self._unreplaced.add(task)
            task.add_done_callback(self._unreplaced.discard)
        task.add_done_callback(lambda _: coro.close())
        return task

    def _forget_quiet(self, label: str, task: asyncio.Task[None]) -> None:
        if self._quiet.get(label) is task:
            del self._quiet[label]

    def _failed(self, label: str, error: Exception) -> None:
        if isinstance(error, TokenDeckError):
            self.error(f"{label} failed. {error.details()}")
            return
        if isinstance(error, LocalStorageError):  # explained, expected: no traceback
            log.warning("%s failed: %s", label, error)
            self.error(f"{label} failed: {error}")
            return
        log.exception("%s failed", label, exc_info=error)
        self.error(f"{label} failed: {type(error).__name__}: {error}")

    def cancel(self) -> None:
        if self._task is not None and not self._task.done():
            self._task.cancel()

    def notify_then(
        self, text: str | Callable[[T], str], after: Callable[[], None]
    ) -> Callable[[T], None]:
        """An `on_done` that shows a message (from the result, if `text` is callable), then runs `after`."""

        def done(result: T) -> None:
            self.info(text(result) if callable(text) else text)
            after()

        return done

    def info(self, text: str) -> None:
        if self._banner is None:
            log.info("%s", text)
        else:
            self._banner.show_message(text, error=False)

    def error(self, text: str) -> None:
        if self._banner is None:
            log.warning("%s", text)
        else:
            self._banner.show_message(text, error=True)
