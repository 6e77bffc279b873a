"""One timer for the whole window: every countdown listens to it instead of owning a timer."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QObject, QTimer, Signal

from tokendeck.core.clock import Clock, SystemClock


class Ticker(QObject):
    tick = Signal(object)  # datetime (UTC)

    def __init__(self, clock: Clock | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._clock = clock or SystemClock()
        self._timer = QTimer(self)
        self._timer.setInterval(1000)
        self._timer.timeout.connect(self._emit)
        self._timer.start()

    @property
    def clock(self) -> Clock:
        return self._clock

    def now(self) -> datetime:
        return self._clock.now()

    def _emit(self) -> None:
        self.tick.emit(self._clock.now())

    def stop(self) -> None:
        self._timer.stop()
