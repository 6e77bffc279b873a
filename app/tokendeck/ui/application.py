"""The QApplication TokenDeck runs in: Qt's own quit becomes TokenDeck's orderly one."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QEvent
from PySide6.QtWidgets import QApplication


class TokenDeckApplication(QApplication):
    """`QApplication.quit()` (the desktop session ending, a platform's request to terminate)
    sends this object a Quit event, and Qt would stop its event loop there and then: the asyncio
    tasks on it would be resumed with no loop running, the services never closed (a new key's
    secret being kept abandoned, the clipboard left holding a secret). Once `on_quit` is set,
    the event asks it instead, and the loop stops when the quit it runs is over.

    An `event()` of the application, not an event filter on it: a filter on the application
    would see every event of every widget, each through Python."""

    def __init__(self, argv: list[str]) -> None:
        super().__init__(argv)
        self.on_quit: Callable[[], None] | None = None

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Quit and self.on_quit is not None:
            self.on_quit()
            return True
        return super().event(event)
