"""The real Secret Service (gnome-keyring in the test session), plus failure modes of a backend."""

from __future__ import annotations

import asyncio
import fcntl
import hashlib
import json
import os
import re
import secrets
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import keyring
import keyring.backend
import keyring.errors
import pytest

from tests.conftest import need_secret_service
from tests.storage.reliability import keyring_users, tamper
from tokendeck.core.secret import Secret
from tokendeck.storage import secret_store
from tokendeck.storage.keyring_entries import Entries, open_entries
from tokendeck.storage.keyring_store import (
    CHUNK_CHARS,
    HEAD_UNITS,
    SERVICE,
    KeyringStore,
    _Head,
    _split,
    probe_keyring,
)
from tokendeck.storage.secret_store import SecretAbout, SecretStoreError, StoreBusyError


async def test_probe_writes_reads_and_deletes_on_the_real_keyring() -> None:
    need_secret_service()
    ok, message = await probe_keyring(f"probe-{secrets.token_hex(4)}")
    assert ok, message
    assert "SecretService" in message


def _namespace() -> str:
    need_secret_service()
    return f"t-{secrets.token_hex(4)}"


async def test_long_secret_is_split_into_parts_named_by_its_head(
    secret_factory: Callable[[int], Secret],
) -> None:
    namespace = _namespace()
    store = KeyringStore(namespace)
    value = secret_factory(2600)
    await store.set("big", value)
    head = keyring.get_password(SERVICE, f"{namespace}:big")
    assert head is not None
    assert head.startswith("td2:")
    meta = json.loads(head.removeprefix("td2:"))
    assert len(meta["d"]) == 3
    parts = [keyring.get_password(SERVICE, f"{namespace}:big#{meta['g']}.{i}") for i in (1, 2, 3)]
    assert "".join(p or "" for p in parts) == value.reveal()
    assert all(len(p or "") <= CHUNK_CHARS for p in parts)
    assert keyring_users(f"{namespace}:") == sorted(
        [f"{namespace}:big"] + [f"{namespace}:big#{meta['g']}.{i}" for i in (1, 2, 3)]
    )
    await store.delete("big")
    assert keyring_users(f"{namespace}:") == []
    await store.aclose()


async def test_no_piece_of_any_generation_remains_after_delete(
    secret_factory: Callable[[int], Secret],
) -> None:
    namespace = _namespace()
    store = KeyringStore(namespace)
    for length in (5000, 2600, 30, 3800, 1200, 40, 9000):
        value = secret_factory(length)
        await store.set("k", value)
        assert await store.get("k") == value
        head = keyring.get_password(SERVICE, f"{namespace}:k") or ""
        count = -(-len(value.reveal()) // CHUNK_CHARS) if head.startswith("td2:") else 0
        gen = json.loads(head[4:])["g"] if count else ""
        parts = [f"{namespace}:k#{gen}.{i}" for i in range(1, count + 1)]
        # Only the head and the parts it names: nothing of an older generation stays.
        assert keyring_users(f"{namespace}:") == sorted([f"{namespace}:k", *parts])
    await store.delete("k")
    assert keyring_users(f"{namespace}:") == []
    assert await store.get("k") is None
    await store.aclose()


async def test_a_secret_split_by_an_earlier_release_is_read_and_replaced_without_leftovers(
    secret_factory: Callable[[int], Secret],
) -> None:
    namespace = _namespace()
    value = secret_factory(2500).reveal()
    parts = [value[i : i + 1000] for i in range(0, len(value), 1000)]
    for index, part in enumerate(parts, start=1):
        keyring.set_password(SERVICE, f"{namespace}:old#{index}", part)
    whole = hashlib.sha256(value.encode()).hexdigest()[:16]
    keyring.set_password(SERVICE, f"{namespace}:old", f"td1-chunks:{len(parts)}:{whole}")
    store = KeyringStore(namespace)
    assert await store.get("old") == Secret(value)
    newer = secret_factory(3100)
    await store.set("old", newer)
    assert await store.get("old") == newer
    assert not [u for u in keyring_users(f"{namespace}:") if re.search(r"#\d+$", u)]
    await store.delete("old")
    assert keyring_users(f"{namespace}:") == []
    await store.aclose()


async def test_a_damaged_part_is_an_error_never_a_wrong_secret(
    secret_factory: Callable[[int], Secret],
) -> None:
    namespace = _namespace()
    store = KeyringStore(namespace)
    await store.set("big", secret_factory(2600))
    users = [u for u in keyring_users(f"{namespace}:") if u.endswith(".2")]
    tamper(users[0], "x" * 1000)
    with pytest.raises(SecretStoreError, match="damaged"):
        await store.get("big")
    tamper(users[0], None)
    with pytest.raises(SecretStoreError, match="missing"):
        await store.get("big")
    await store.delete("big")
    assert keyring_users(f"{namespace}:") == []
    await store.aclose()


def test_parts_and_heads_fit_the_windows_limit_whatever_the_characters() -> None:
    for value in ("a" * 5000, "é" * 2500, "😀" * 1700, '"' * 1000, "x😀" * 900):
        parts = _split(value)
        assert "".join(parts) == value
        assert all(len(p.encode("utf-16-le")) <= 2 * CHUNK_CHARS for p in parts)
    short = '"' * CHUNK_CHARS
    head = _Head(value=short, leftovers=(("0123abcd", 60),)).encode()
    assert len(head.encode("utf-16-le")) <= 2 * HEAD_UNITS


async def test_a_secret_too_long_for_any_head_is_refused_before_anything_is_written() -> None:
    namespace = _namespace()
    store = KeyringStore(namespace)
    with pytest.raises(SecretStoreError, match="too long"):
        await store.set("huge", Secret("y" * 200_000))
    assert keyring_users(f"{namespace}:") == []
    await store.aclose()


# -- a crash at every step of a change ----------------------------------------------------------


class _PowerCut:
    """The real keyring entries, until the `cut_at`-th change: that one and every later one
    fail, as if the process had died there (the store keeps nothing in memory between calls)."""

    def __init__(self, inner: Entries, cut_at: int) -> None:
        self.inner = inner
        self.name = inner.name
        self.cut_at = cut_at
        self.changes = 0

    def _change(self) -> None:
        self.changes += 1
        if self.changes >= self.cut_at:
            raise RuntimeError("power cut")

    def get(self, user: str) -> str | None:
        return self.inner.get(user)

    def set(self, user: str, value: str, about: SecretAbout, part: tuple[int, int] | None) -> None:
        self._change()
        self.inner.set(user, value, about, part)

    def delete(self, user: str) -> bool:
        self._change()
        return self.inner.delete(user)

    def users(self, prefix: str) -> frozenset[str] | None:
        return self.inner.users(prefix)

    def close(self) -> None:
        self.inner.close()


def _legacy(namespace: str, ref: str, value: str) -> None:
    parts = [value[i : i + 1000] for i in range(0, len(value), 1000)]
    for index, part in enumerate(parts, start=1):
        keyring.set_password(SERVICE, f"{namespace}:{ref}#{index}", part)
    whole = hashlib.sha256(value.encode()).hexdigest()[:16]
    keyring.set_password(SERVICE, f"{namespace}:{ref}", f"td1-chunks:{len(parts)}:{whole}")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (None, 2600),
        (40, 2600),
        (2600, 3700),
        (3700, 2600),
        (2600, 40),
        (2600, None),
        ("legacy", 2600),
        ("legacy", None),
    ],
)
async def test_a_crash_at_any_step_leaves_the_old_or_the_new_secret_and_no_stray_piece(
    before: int | str | None, after: int | None
) -> None:
    namespace = _namespace()
    steps = 1
    while True:
        ref = f"r{steps}"
        store = KeyringStore(namespace)
        old = (
            Secret(("tdtest-o" + secrets.token_urlsafe(4000))[: int(before)])
            if isinstance(before, int)
            else None
        )
        if before == "legacy":
            old = Secret(("tdtest-l" + secrets.token_urlsafe(3000))[:2500])
            _legacy(namespace, ref, old.reveal())
        elif old is not None:
            await store.set(ref, old)
        new = Secret(("tdtest-n" + secrets.token_urlsafe(4000))[:after]) if after else None
        await store.aclose()
        store = KeyringStore(
            namespace, entries=lambda steps=steps: _PowerCut(open_entries(), steps)
        )
        try:
            if new is None:
                await store.delete(ref)
            else:
                await store.set(ref, new)
            finished = True
        except SecretStoreError:
            finished = False
        after_crash = KeyringStore(namespace)
        seen = await after_crash.get(ref)
        assert seen in ((old, new) if not finished else (new,)), f"crash at change {steps}"
        await after_crash.delete(ref)
        assert keyring_users(f"{namespace}:") == [], f"leftovers after a crash at change {steps}"
        await store.aclose()
        await after_crash.aclose()
        if finished:
            break
        steps += 1
    assert steps > 1


# -- the lock ----------------------------------------------------------------------------------


async def test_a_change_the_caller_gave_up_on_never_lands_later(tmp_path: Path) -> None:
    """The caller was told it failed: a write that gets the lock afterwards must not happen."""
    namespace = _namespace()
    lock = tmp_path / "keyring.lock"
    store = KeyringStore(namespace, timeout=0.3, lock_timeout=0.3, lock_path=lock)
    assert await store.get("x") is None
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another process is changing the keyring
    try:
        store._executor.submit(time.sleep, 0.9)  # and this store's worker is stuck a while
        with pytest.raises(SecretStoreError, match="did not answer"):
            await store.set("x", Secret("tdtest-written-late"))
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)  # free before the queued write even starts
        os.close(fd)
    # The worker runs calls in order: once this one ran, the abandoned write has had its turn.
    await asyncio.wrap_future(store._executor.submit(lambda: None))
    assert await store.get("x") is None
    await store.aclose()


async def test_waiting_for_another_process_is_busy_not_a_keyring_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another TokenDeck process holding the keyring for longer than the keyring's own timeout
    is waited for (up to the lock's budget), then said to be busy."""
    namespace = _namespace()
    lock = tmp_path / "keyring.lock"
    store = KeyringStore(namespace, timeout=0.3, lock_timeout=5, lock_path=lock)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o600)
    fcntl.flock(fd, fcntl.LOCK_EX)
    tried = threading.Event()
    real_try_lock = secret_store._try_lock

    def try_lock(fd: int, shared: bool) -> bool:
        got = real_try_lock(fd, shared)
        if not got:
            tried.set()
        return got

    monkeypatch.setattr(secret_store, "_try_lock", try_lock)
    writing = asyncio.ensure_future(store.set("x", Secret("tdtest-waited")))
    await asyncio.to_thread(tried.wait, 10)  # the change found the lock taken
    assert tried.is_set()
    assert not writing.done(), "the change did not wait for the lock"
    assert keyring_users(f"{namespace}:") == []
    fcntl.flock(fd, fcntl.LOCK_UN)
    await writing
    assert await store.get("x") == Secret("tdtest-waited")
    await store.delete("x")
    fcntl.flock(fd, fcntl.LOCK_EX)
    impatient = KeyringStore(namespace, timeout=5, lock_timeout=0.3, lock_path=lock)
    with pytest.raises(StoreBusyError, match="another TokenDeck process"):
        await impatient.set("x", Secret("tdtest-never"))
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    assert await store.get("x") is None
    await store.aclose()
    await impatient.aclose()


class _Backend(keyring.backend.KeyringBackend):
    priority = 1  # type: ignore[assignment]

    def __init__(self, behaviour: str) -> None:
        super().__init__()
        self.behaviour = behaviour
        self.release = threading.Event()

    def _act(self) -> None:
        if self.behaviour == "locked":
            raise keyring.errors.KeyringLocked("collection is locked")
        if self.behaviour == "refuse":
            raise keyring.errors.PasswordSetError("Prompt dismissed: password=hunter2hunter2")
        if self.behaviour == "hang":
            self.release.wait(5)

    def get_password(self, service: str, username: str) -> str | None:
        self._act()
        return None

    def set_password(self, service: str, username: str, password: str) -> None:
        self._act()

    def delete_password(self, service: str, username: str) -> None:
        self._act()


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> Iterator[_Backend]:
    previous = keyring.get_keyring()
    fake = _Backend(request.param)
    keyring.set_keyring(fake)
    yield fake
    fake.release.set()
    keyring.set_keyring(previous)


@pytest.mark.parametrize("backend", ["locked"], indirect=True)
async def test_locked_keyring_says_so(backend: _Backend) -> None:
    store = KeyringStore("t")
    with pytest.raises(SecretStoreError, match="locked"):
        await store.set("x", Secret("value-that-must-not-leak"))
    await store.aclose()


@pytest.mark.parametrize("backend", ["refuse"], indirect=True)
async def test_refusal_is_explained_without_the_secret(backend: _Backend) -> None:
    store = KeyringStore("t")
    with pytest.raises(SecretStoreError) as info:
        await store.set("x", Secret("value-that-must-not-leak"))
    assert "refused" in str(info.value)
    assert "hunter2hunter2" not in str(info.value)
    assert "value-that-must-not-leak" not in str(info.value)
    await store.aclose()


@pytest.mark.parametrize("backend", ["hang"], indirect=True)
async def test_a_hanging_keyring_times_out_with_a_clear_message(backend: _Backend) -> None:
    store = KeyringStore("t", timeout=0.3)
    with pytest.raises(SecretStoreError, match="did not answer"):
        await store.get("x")
    backend.release.set()
    await store.aclose()


@pytest.mark.parametrize("backend", ["locked"], indirect=True)
async def test_probe_reports_an_unusable_keyring(backend: _Backend) -> None:
    ok, message = await probe_keyring("t", timeout=1)
    assert not ok
    assert "locked" in message
