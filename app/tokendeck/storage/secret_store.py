"""The secret store port, its in-memory and closed implementations, and the cross-process lock.

Three implementations share one async interface and one contract test suite
(tests/storage/test_secret_store_contract.py): the OS keyring (`keyring_store`), an encrypted
vault file (`vault`), and memory (tests, `--demo`). Errors are `SecretStoreError` with a message
for people; no error text ever contains a secret.

`get` returning None is a claim that the secret is not there: a store that cannot know (no store
open) is a `ClosedStore`, which `SecretKeeper.reconcile` never takes at its word.

`store_lock` is the one lock both persistent stores take around every read-modify-write, so that
the window and `tokendeck token` (two processes) never work on a stale copy: `fcntl.flock` on a
lock file, or `msvcrt.locking` on Windows (exclusive only there).
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from tokendeck.core.errors import LocalStorageError
from tokendeck.core.secret import Secret
from tokendeck.core.store_status import StoreKind, StoreStatus

if sys.platform == "win32":  # pragma: no cover - exercised on Windows only
    import msvcrt

    def _try_lock(fd: int, shared: bool) -> bool:
        os.lseek(fd, 0, os.SEEK_SET)
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # no shared mode: readers lock exclusively
        except OSError:
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fd: int, shared: bool) -> bool:
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)


class SecretStoreError(LocalStorageError):
    """The store refused or failed (locked, timed out, damaged). Never carries the secret."""


class StoreBusyError(SecretStoreError):
    """Another process held the store's lock for longer than the timeout."""


@contextmanager
def store_lock(path: Path, *, shared: bool, timeout: float, what: str) -> Iterator[None]:
    """Hold the OS lock on `path` (created 0600 beside the data it guards) for the block.

    Shared for reads, exclusive for writes. Waits up to `timeout` seconds, polling, then raises
    `StoreBusyError`; a process that dies releases its lock with its file descriptors."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o600)
    except OSError as exc:
        raise SecretStoreError(
            f"Could not open the lock file of {what} ({exc.strerror or type(exc).__name__})."
        ) from None
    try:
        deadline = time.monotonic() + timeout
        delay = 0.0005
        while not _try_lock(fd, shared):
            if time.monotonic() >= deadline:
                raise StoreBusyError(
                    f"{what[:1].upper()}{what[1:]} is busy: another TokenDeck process kept it "
                    f"locked for more than {timeout:.0f} s. Nothing was changed; try again."
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.01)
        try:
            yield
        finally:
            _unlock(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True, slots=True)
class SecretAbout:
    """What a secret is, for a person browsing the OS keyring (Seahorse, KWallet): the keyring
    labels its entry with `title` and tags it with the account and kind. Never a secret."""

    title: str  # "Dataloop prod: Session token"
    account_id: str = ""
    kind: str = ""


class SecretStore(Protocol):
    @property
    def kind(self) -> StoreKind:
        """Which kind of store this is: what the window decides by, never `description`."""
        ...

    @property
    def description(self) -> str:
        """What the status bar shows, e.g. "System keyring (SecretService)"."""
        ...

    async def get(self, ref: str) -> Secret | None:
        """The secret, or None when the store knows it does not hold `ref`."""
        ...

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        """Keep `secret` under `ref`; `about` names it where a person may see the store."""
        ...

    async def present(self, refs: Sequence[str]) -> frozenset[str]:
        """Which of `refs` the store holds, checked in bulk where it can (no secret is read
        where the store can tell otherwise). Raises SecretStoreError if it cannot tell."""
        ...

    async def delete(self, ref: str) -> None:
        """Remove `ref`; removing a missing entry is not an error."""
        ...

    async def aclose(self) -> None: ...


class MemoryStore:
    def __init__(self) -> None:
        self._values: dict[str, Secret] = {}

    @property
    def kind(self) -> StoreKind:
        return StoreKind.MEMORY

    @property
    def description(self) -> str:
        return "Memory (secrets vanish on quit)"

    async def get(self, ref: str) -> Secret | None:
        return self._values.get(ref)

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        self._values[ref] = secret

    async def present(self, refs: Sequence[str]) -> frozenset[str]:
        return frozenset(ref for ref in refs if ref in self._values)

    async def delete(self, ref: str) -> None:
        self._values.pop(ref, None)

    async def aclose(self) -> None:
        self._values.clear()

    def refs(self) -> list[str]:
        return sorted(self._values)


class ClosedStore:
    """Stands in when no store is open: reads find nothing (without claiming the secret is
    absent: reconcile checks nothing against it), every write fails with a clear message."""

    @property
    def kind(self) -> StoreKind:
        return StoreKind.NONE

    @property
    def description(self) -> str:
        return "No secret store"

    async def get(self, ref: str) -> Secret | None:
        return None

    async def present(self, refs: Sequence[str]) -> frozenset[str]:
        raise SecretStoreError("No secret store is open to check the secrets against.")

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        raise SecretStoreError(
            "No secret store is open: TokenDeck will not keep secrets in plain text. Unlock or "
            "create the encrypted vault in Settings, or fix the system keyring."
        )

    async def delete(self, ref: str) -> None:
        return None

    async def aclose(self) -> None:
        return None


def status_of(store: SecretStore) -> StoreStatus:
    return StoreStatus(store.kind, store.description)
