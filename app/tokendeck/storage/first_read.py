"""The accounts, read from the catalog file on a thread of their own while the window starts.

The engine (asyncio, the catalog's worker, the secret store) opens after the window's first paint;
its first read of the accounts would wait for all of it. This read runs meanwhile, on a
read-only connection of its own, so the Accounts table can show the rows as soon as it exists
(bootstrap). It is only a head start: the engine's own read follows and replaces it. It reads
nothing when the catalog does not exist yet or is not at this release's schema (a migration is
the engine's to make), and any error leaves it empty: the engine's read says what went wrong.
Never a secret: the accounts table holds none.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tokendeck.core.models import Account

log = logging.getLogger(__name__)


class FirstRead:
    def __init__(self, path: Path) -> None:
        self._path = path
        self._done = threading.Event()
        self._accounts: list[Account] | None = None
        self._thread = threading.Thread(target=self._read, name="tokendeck-first-read", daemon=True)

    @classmethod
    def start(cls, path: Path) -> FirstRead:
        read = cls(path)
        read._thread.start()
        return read

    def accounts(self, wait_at_most: float = 0.0) -> list[Account] | None:
        """The accounts in the catalog's order, if the read is over (within `wait_at_most`
        seconds) and found them.

        It looks every 2 ms rather than in a timed wait on the event: a timed wait that runs
        out never returns under libfaketime (CI's shifted-clock pass), and a sleep lets the
        read's thread run."""
        deadline = time.monotonic() + wait_at_most
        while not self._done.is_set() and time.monotonic() < deadline:
            time.sleep(0.002)
        return self._accounts if self._done.is_set() else None

    def wait(self, timeout: float) -> bool:
        """For tests: True once the read is over."""
        return self._done.wait(timeout)

    def _read(self) -> None:
        try:
            self._accounts = read_accounts(self._path)
        except Exception as exc:  # the engine's own read reports it
            log.info("first read of the accounts skipped: %s", type(exc).__name__)
        finally:
            self._done.set()


def read_accounts(path: Path) -> list[Account] | None:
    """The catalog's accounts, as `Catalog.list_accounts` gives them, or None when the file is
    missing or not at this release's schema."""
    if not path.is_file():
        return None
    import sqlite3
    from contextlib import closing

    from tokendeck.storage.catalog import ACCOUNTS_IN_ORDER, SCHEMA_VERSION
    from tokendeck.storage.catalog_rows import account_of

    with closing(sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)) as db:
        db.row_factory = sqlite3.Row
        if int(db.execute("PRAGMA user_version").fetchone()[0]) != SCHEMA_VERSION:
            return None
        with closing(db.execute(ACCOUNTS_IN_ORDER)) as rows:
            return [account_of(row) for row in rows]
