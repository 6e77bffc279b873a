"""An in-memory keyring backend for tests at the python-keyring boundary: it behaves like a real
one where KeyringStore can tell (a missing entry's delete raises PasswordDeleteError), records
which users were written, and can fail every change from the `cut_at`-th on (a power cut)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from tokendeck.storage import keyring_store
from tokendeck.storage.keyring_store import SERVICE


class MemoryKeyring(keyring.backend.KeyringBackend):
    """A keyring in a dict. From the `cut_at`-th change on, every change fails (a power cut)."""

    # Never chosen by keyring's own discovery (which instantiates every subclass it can): only
    # by keyring.set_keyring in these tests. A priority above 0 would put it in the ChainerBackend
    # that keyring then prefers to the Secret Service, for every later test of the process.
    priority = 0  # type: ignore[assignment]

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[str, str] = {}
        self.changes = 0
        self.cut_at: int | None = None
        self.written: list[str] = []
        self.passwords: list[str] = []

    def _change(self) -> None:
        self.changes += 1
        if self.cut_at is not None and self.changes >= self.cut_at:
            raise RuntimeError("power cut")

    def get_password(self, service: str, username: str) -> str | None:
        assert service == SERVICE
        return self.entries.get(username)

    def set_password(self, service: str, username: str, password: str) -> None:
        assert service == SERVICE
        self._change()
        self.written.append(username)
        self.passwords.append(password)
        self.entries[username] = password

    def delete_password(self, service: str, username: str) -> None:
        assert service == SERVICE
        self._change()
        if username not in self.entries:
            raise keyring.errors.PasswordDeleteError("not found")
        del self.entries[username]

    def users(self) -> list[str]:
        return sorted(self.entries)


@contextmanager
def using_keyring(backend: keyring.backend.KeyringBackend) -> Iterator[None]:
    """python-keyring uses `backend` inside the block, and the one it had before after it."""
    previous = keyring.get_keyring()
    keyring.set_keyring(backend)
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def mem() -> Iterator[MemoryKeyring]:
    fake = MemoryKeyring()
    with using_keyring(fake):
        yield fake


@pytest.fixture(autouse=True)
def private_keyring_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The keyring lock file of this test alone (autouse where imported): the user's own one in
    the cache dir is shared with every TokenDeck process on the machine, whose changes would
    make these tests wait."""
    path = tmp_path / "user-cache" / "keyring.lock"
    monkeypatch.setattr(keyring_store, "default_lock_path", lambda: path)
    return path
