"""Logging set-up: a rotating file in the profile's log dir, every record redacted.

The window's start holds its records in memory until its first rows are on screen
(`hold_logging`): the file handler's module (logging.handlers brings pickle, queue, heapq) and
the redaction patterns' compilation cost a few ms that a bare window does not pay before its
first paint. A warning or worse opens the file at once, and so does the end of the run.
"""

from __future__ import annotations

import logging
import os
import sys
from pathlib import Path

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
MAX_BYTES, BACKUPS = 1_000_000, 3


class RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        from tokendeck.core.redaction import redact

        return redact(super().format(record))


def configure_logging(log_path: Path, *, level: int = logging.INFO) -> logging.Handler:
    """The profile's log file on the root logger, now."""
    _levels(level)
    handler = _file_handler(log_path)
    logging.getLogger().addHandler(handler)
    return handler


def hold_logging(log_path: Path, *, level: int = logging.INFO) -> HeldLog:
    """The root logger's records held in memory until `HeldLog.open()` (see the module text)."""
    _levels(level)
    held = HeldLog(log_path)
    logging.getLogger().addHandler(held)
    return held


class HeldLog(logging.Handler):
    """Keeps records until `open()`, then passes them, and every record after, to the log file.

    It stays on the root logger for good (one more lock per record): swapping it for the file
    handler while another thread walks the root's handler list would write that thread's
    record twice or skip a handler. Records, held or not, pass under this handler's lock, so
    they reach the file in the order they were made. A WARNING or worse opens the file at once;
    so does `close()` (logging.shutdown). What a hard exit before `open()` (SIGKILL, a crash in
    Qt's start) leaves is faulthandler's report on stderr, not the held records."""

    def __init__(self, log_path: Path) -> None:
        super().__init__()
        self.log_path = log_path
        self._records: list[logging.LogRecord] = []
        self._opened = False
        self._file: logging.Handler | None = None  # None once opened: the file could not be

    @property
    def is_open(self) -> bool:
        return self._opened

    def emit(self, record: logging.LogRecord) -> None:
        if not self._opened:
            self._records.append(record)
            if record.levelno >= logging.WARNING:
                self._open_locked()
        elif self._file is not None:
            self._file.handle(record)

    def open(self) -> None:
        """Make the file and write the held records to it (once; any thread; never raises: a
        log that cannot be written is said on stderr, and the app goes on without it)."""
        assert self.lock is not None  # (made by Handler.__init__)
        with self.lock:
            self._open_locked()

    def _open_locked(self) -> None:
        if self._opened:
            return
        self._opened = True
        records, self._records = self._records, []
        try:
            self._file = _file_handler(self.log_path)
        except OSError as exc:
            sys.stderr.write(
                f"TokenDeck: no log file at {self.log_path}: {exc.strerror or type(exc).__name__}\n"
            )
            return
        for record in records:
            self._file.handle(record)

    def close(self) -> None:
        self.open()
        if self._file is not None:
            self._file.close()
        super().close()


def _levels(level: int) -> None:
    logging.getLogger().setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)


def _file_handler(log_path: Path) -> logging.Handler:
    import logging.handlers

    log_path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handler = logging.handlers.RotatingFileHandler(
        log_path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8", delay=True
    )
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    # Private whatever the umask (the window's is 077; rotated files inherit that).
    os.close(os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    os.chmod(log_path, 0o600)
    return handler
