"""Run Python's cyclic garbage collector on the GUI thread only.

Left to itself, the collector runs in whichever thread happens to allocate, including the keyring
and catalog workers. If it then frees a Qt object there, Qt warns ("Timers cannot be stopped from
another thread") or crashes. So automatic collection is off while the app runs, and a timer on
the GUI thread collects, using the same generation thresholds.

A full (generation 2) collection walks every object the app holds (with 10,000 tokens, a
noticeable pause of the event loop). CPython's own collector runs one only when the objects
awaiting it are a quarter of those that survived the last one, which an explicit `gc.collect(2)`
bypasses; so here a full collection runs at most once every FULL_EVERY seconds, and generation 1
in between.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QTimer

FULL_EVERY = 60.0  # seconds between two full collections at most


class MainThreadGC(QObject):
    def __init__(
        self,
        interval_ms: int = 500,
        parent: QObject | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._clock = clock
        self._last_full = clock()
        self._thresholds = gc.get_threshold()
        self._was_enabled = gc.isenabled()
        gc.disable()
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self.check)
        self._timer.start()

    def check(self) -> None:
        counts = gc.get_count()
        if counts[0] > self._thresholds[0]:
            generation = 0
            if counts[1] > self._thresholds[1]:
                generation = 1
                if counts[2] > self._thresholds[2] and self._full_allowed():
                    generation = 2
            gc.collect(generation)

    def _full_allowed(self) -> bool:
        now = self._clock()
        if now - self._last_full < FULL_EVERY:
            return False
        self._last_full = now
        return True

    def stop(self) -> None:
        self._timer.stop()
        gc.collect()
        if self._was_enabled:
            gc.enable()
