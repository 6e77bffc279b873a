"""A quit that does not finish still ends the process, and says where it stuck.

Quitting saves the window's state, cancels what is running and closes the services (the keyring
connection, the catalog). None of that should take long, but a call blocked in another process (a
D-Bus peer that does not answer, an X selection owner that is busy) could hold the process open
for good, and a session logout or `kill` would then wait on it.

The watchdog is armed when quit is asked. If the process is still alive `QUIT_GRACE_SECONDS`
later, it writes every thread's stack to the log (function names and lines only: no values, so no
secret) and ends the process with `EXIT_QUIT_STUCK`. Ending it there loses nothing: every secret
write is done or journaled before it is shown (write-before-show), as after a SIGKILL.
"""

from __future__ import annotations

import faulthandler
import logging
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

from tokendeck.exit_codes import EXIT_QUIT_STUCK

log = logging.getLogger(__name__)

QUIT_GRACE_SECONDS = 10.0
TICK_SECONDS = 0.05
STUCK_HEADER = "quit: still closing after {:.0f} s; every thread's stack follows"


class QuitWatchdog:
    def __init__(
        self,
        log_path: Path,
        *,
        grace: float = QUIT_GRACE_SECONDS,
        end: Callable[[int], object] = os._exit,
    ) -> None:
        self._log_path = log_path
        self._grace = grace
        self._end = end
        self._thread: threading.Thread | None = None
        self._disarmed = threading.Event()

    def arm(self) -> None:
        """Start counting (once: asking to quit again does not give more time)."""
        if self._thread is not None:
            return
        # A daemon: never what keeps the process alive.
        self._thread = threading.Thread(target=self._count, name="quit-watchdog", daemon=True)
        self._thread.start()

    def disarm(self) -> None:
        self._disarmed.set()

    def _count(self) -> None:
        """Short sleeps against the monotonic clock, not a timed wait: a timed wait's deadline
        is absolute, and under a shifted clock (libfaketime, the test suite's clock passes) it
        would never come."""
        deadline = time.monotonic() + self._grace
        while time.monotonic() < deadline:
            if self._disarmed.is_set():
                return
            time.sleep(TICK_SECONDS)
        if not self._disarmed.is_set():
            self._fire()

    def _fire(self) -> None:
        log.error(STUCK_HEADER.format(self._grace))
        for handler in logging.getLogger().handlers:
            handler.flush()
        try:
            with open(self._log_path, "a", encoding="utf-8") as out:
                faulthandler.dump_traceback(out, all_threads=True)
        except OSError:  # a full disk: the stacks go to standard error instead
            faulthandler.dump_traceback(all_threads=True)
        self._end(EXIT_QUIT_STUCK)
