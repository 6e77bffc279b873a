from __future__ import annotations

import asyncio
import base64
import errno
import fcntl
import json
import os
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.storage.conftest import FAST_SCRYPT
from tokendeck.core.secret import Secret
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_store import SecretStoreError, StoreBusyError
from tokendeck.storage.vault import (
    Vault,
    VaultCorruptError,
    VaultError,
    VaultPasswordError,
    VaultReplacedError,
    VaultWriteError,
)

PASSWORD = Secret("correct horse battery")


async def test_reopen_with_the_password(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    value = secret_factory(50)
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    await vault.set("a", value)
    again = await Vault.unlock(profile.vault_path, PASSWORD)
    assert await again.get("a") == value
    assert stat.S_IMODE(profile.vault_path.stat().st_mode) == 0o600
    assert stat.S_IMODE(vault.previous_path.stat().st_mode) == 0o600
    doc = json.loads(profile.vault_path.read_text())
    assert doc["kdf"]["name"] == "scrypt"
    assert not [p for p in profile.vault_path.parent.iterdir() if p.name.endswith(".tmp")]


async def test_wrong_password_is_clear_and_changes_nothing(profile: Profile) -> None:
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    before = profile.vault_path.read_bytes()
    with pytest.raises(VaultPasswordError, match="Wrong master password"):
        await Vault.unlock(profile.vault_path, Secret("not the password"))
    assert profile.vault_path.read_bytes() == before


async def test_wrong_password_is_refused_by_the_previous_generation_too(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    await vault.set("a", secret_factory(20))
    with pytest.raises(VaultPasswordError):
        await Vault.unlock(profile.vault_path, Secret("not the password"))


# -- two processes on one vault ------------------------------------------------------------------


async def test_a_change_never_wipes_a_secret_another_process_saved(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    """The window and `tokendeck token` each hold a Vault on the same file."""
    window = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    command = await Vault.unlock(profile.vault_path, PASSWORD)
    shown_once, rotated = secret_factory(40), secret_factory(40)
    await window.set("new-api-key", shown_once)
    await command.set("refresh-token", rotated)
    await window.set("another", secret_factory(20))
    fresh = await Vault.unlock(profile.vault_path, PASSWORD)
    assert await fresh.get("new-api-key") == shown_once
    assert await fresh.get("refresh-token") == rotated


async def test_a_secret_deleted_by_one_process_is_not_brought_back_by_another(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    window = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    await window.set("revoked", secret_factory(30))
    command = await Vault.unlock(profile.vault_path, PASSWORD)
    await command.delete("revoked")
    await window.set("other", secret_factory(30))
    assert await (await Vault.unlock(profile.vault_path, PASSWORD)).get("revoked") is None


async def test_a_value_another_process_wrote_is_read_at_once(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    """A refresh token rotated by `tokendeck token` is the one the window uses next."""
    window = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    await window.set("refresh-token", secret_factory(30))
    command = await Vault.unlock(profile.vault_path, PASSWORD)
    rotated = secret_factory(30)
    await command.set("refresh-token", rotated)
    assert await window.get("refresh-token") == rotated


async def test_a_change_waits_for_the_lock_another_process_holds(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    before = profile.vault_path.read_bytes()
    fd = os.open(Vault.lock_path_for(profile.vault_path), os.O_RDWR)
    fcntl.flock(fd, fcntl.LOCK_EX)  # another open file: conflicts as another process's would
    vault.lock_timeout = 0.3
    value = secret_factory(30)
    with pytest.raises(StoreBusyError, match="another TokenDeck process"):
        await vault.set("x", value)
    assert profile.vault_path.read_bytes() == before
    fcntl.flock(fd, fcntl.LOCK_UN)
    os.close(fd)
    await vault.set("x", value)
    assert await vault.get("x") == value


async def test_a_vault_replaced_by_a_new_one_is_never_written_over(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    old = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    profile.vault_path.unlink()
    other_password = Secret("another master password")
    await Vault.create(profile.vault_path, other_password, FAST_SCRYPT)
    replaced = profile.vault_path.read_bytes()
    with pytest.raises(VaultReplacedError, match="unlock it again"):
        await old.set("x", secret_factory(20))
    assert profile.vault_path.read_bytes() == replaced


async def test_a_closed_vault_never_says_a_secret_is_missing(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    await vault.set("a", secret_factory(20))
    await vault.aclose()
    with pytest.raises(VaultError, match="closed"):
        await vault.get("a")


# -- complete writes, a full disk ----------------------------------------------------------------


async def test_a_failed_save_keeps_the_previous_vault(
    profile: Profile, secret_factory: Callable[[int], Secret], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    kept = secret_factory(30)
    await vault.set("kept", kept)
    before = profile.vault_path.read_bytes()

    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(VaultWriteError, match="No space left on device"):
        await vault.set("new", secret_factory(30))
    monkeypatch.undo()
    assert profile.vault_path.read_bytes() == before
    assert await vault.get("new") is None
    assert await vault.get("kept") == kept
    assert not [p for p in Path(profile.vault_path.parent).iterdir() if p.name.endswith(".tmp")]


async def test_a_write_that_stops_short_raises_and_installs_nothing(
    profile: Profile,
    tmp_path: Path,
    secret_factory: Callable[[int], Secret],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The disk fills mid-file: a write() comes back short, the next one fails (ENOSPC)."""
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    kept = secret_factory(30)
    await vault.set("kept", kept)
    before = profile.vault_path.read_bytes()
    real_write = os.write
    budget = [len(before) + 200]  # room for the previous generation, not for the new vault

    def filling_disk(fd: int, data: bytes) -> int:
        if budget[0] <= 0:
            raise OSError(errno.ENOSPC, "No space left on device")
        count = real_write(fd, bytes(data[: budget[0]]))
        budget[0] -= count
        return count

    monkeypatch.setattr(os, "write", filling_disk)
    with pytest.raises(VaultWriteError, match="disk is full"):
        await vault.set("new", secret_factory(3000))
    monkeypatch.undo()
    assert profile.vault_path.read_bytes() == before
    fresh = await Vault.unlock(profile.vault_path, PASSWORD)
    assert not fresh.recovered
    assert await fresh.get("kept") == kept
    assert await fresh.get("new") is None
    previous = await _unlock_copy(vault.previous_path, tmp_path)
    assert await previous.get("kept") == kept


async def test_short_writes_are_continued_until_every_byte_is_written(
    profile: Profile, secret_factory: Callable[[int], Secret], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:100])))
    value = secret_factory(3000)
    await vault.set("long", value)
    monkeypatch.undo()
    fresh = await Vault.unlock(profile.vault_path, PASSWORD)
    assert not fresh.recovered
    assert await fresh.get("long") == value


async def test_temporary_files_of_a_killed_writer_are_removed_by_the_next_change(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    stale = [
        profile.data_dir / f".{profile.vault_path.name}.0123456789ab.tmp",
        profile.data_dir / f".{profile.vault_path.name}.prev.0123456789ab.tmp",
    ]
    for path in stale:
        path.write_bytes(b"half a vault")
    await vault.set("a", secret_factory(20))
    assert not [p for p in stale if p.exists()]


# -- the previous generation ---------------------------------------------------------------------


async def _unlock_copy(path: Path, tmp: Path) -> Vault:
    copy = tmp / "copy" / "vault.tdvault"
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes(path.read_bytes())
    return await Vault.unlock(copy, PASSWORD)


async def test_each_change_keeps_the_vault_as_it_was_as_the_previous_generation(
    profile: Profile, tmp_path: Path, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    first, second = secret_factory(20), secret_factory(20)
    await vault.set("a", first)
    await vault.set("b", second)
    previous = await _unlock_copy(vault.previous_path, tmp_path)
    assert await previous.get("a") == first
    assert await previous.get("b") is None


async def test_a_damaged_vault_opens_from_its_previous_generation(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    first = secret_factory(20)
    await vault.set("a", first)
    await vault.set("b", secret_factory(20))
    previous = vault.previous_path.read_bytes()
    damaged = profile.vault_path.read_bytes()[:100]
    profile.vault_path.write_bytes(damaged)
    recovered = await Vault.unlock(profile.vault_path, PASSWORD)
    assert recovered.recovered
    assert await recovered.get("a") == first
    assert profile.vault_path.read_bytes() == damaged, "opening never writes"
    later = secret_factory(20)
    await recovered.set("c", later)
    assert vault.damaged_path.read_bytes() == damaged
    assert vault.previous_path.read_bytes() == previous, (
        "a damaged file never pushes out a good one"
    )
    fresh = await Vault.unlock(profile.vault_path, PASSWORD)
    assert not fresh.recovered
    assert (await fresh.get("a"), await fresh.get("c")) == (first, later)


async def test_damage_found_during_a_session_is_read_around(
    profile: Profile, secret_factory: Callable[[int], Secret]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    first = secret_factory(20)
    await vault.set("a", first)
    await vault.set("b", secret_factory(20))
    doc = json.loads(profile.vault_path.read_text())
    doc["ciphertext"] = base64.b64encode(b"\0" * 64).decode()
    profile.vault_path.write_text(json.dumps(doc))
    assert await vault.get("a") == first


# -- damaged files -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"not json at all",
        lambda raw: b"\xff\xfe\x00garbage",
        lambda raw: b"[" * 100_000 + b"]" * 100_000,
        lambda raw: (
            b'{"format": "tokendeck-vault", "version": 1, "kdf": {"name": "scrypt", "n": 1e400}}'
        ),
        lambda raw: raw.replace(b'"tokendeck-vault"', b'"other"'),
        lambda raw: json.dumps({**json.loads(raw), "nonce": "!!"}).encode(),
    ],
)
async def test_damaged_file_is_reported_and_never_overwritten(
    profile: Profile, damage: Callable[[bytes], bytes]
) -> None:
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    damaged = damage(profile.vault_path.read_bytes())
    profile.vault_path.write_bytes(damaged)
    with pytest.raises(VaultCorruptError, match=r"left untouched|damaged"):
        await Vault.unlock(profile.vault_path, PASSWORD)
    assert profile.vault_path.read_bytes() == damaged


def _b64(size: int) -> str:
    return base64.b64encode(b"\1" * size).decode()


@pytest.mark.parametrize(
    ("where", "key", "value"),
    [
        ("kdf", "n", 2**64),
        ("kdf", "n", 2**40),
        ("kdf", "n", 2**31),
        ("kdf", "n", 1000),
        ("kdf", "n", 0),
        ("kdf", "n", -(2**10)),
        ("kdf", "n", True),
        ("kdf", "n", 1024.0),
        ("kdf", "n", "1024"),
        ("kdf", "n", None),
        ("kdf", "r", 10**9),
        ("kdf", "r", 0),
        ("kdf", "p", 10**9),
        ("kdf", "p", 2**70),
        ("kdf", "salt", ""),
        ("kdf", "salt", 7),
        ("kdf", "salt", _b64(10**4)),
        ("doc", "nonce", ""),
        ("doc", "nonce", _b64(8)),
        ("doc", "nonce", _b64(200)),
        ("doc", "nonce", None),
        ("doc", "ciphertext", ""),
        ("doc", "ciphertext", _b64(3)),
        ("doc", "ciphertext", ["a"]),
        ("doc", "version", "1"),
        ("doc", "version", True),
        ("doc", "version", 2),
        ("doc", "kdf", "scrypt"),
        ("doc", "kdf", None),
    ],
)
async def test_every_damaged_header_field_is_the_vaults_own_error(
    profile: Profile, where: str, key: str, value: Any
) -> None:
    """Never ValueError, OverflowError or MemoryError, and scrypt never runs on absurd costs."""
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    doc = json.loads(profile.vault_path.read_text())
    (doc["kdf"] if where == "kdf" else doc)[key] = value
    profile.vault_path.write_text(json.dumps(doc))
    with pytest.raises(VaultCorruptError):
        await asyncio.wait_for(Vault.unlock(profile.vault_path, PASSWORD), 10)


async def test_swapped_kdf_parameters_are_detected(profile: Profile) -> None:
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    doc = json.loads(profile.vault_path.read_text())
    doc["kdf"]["p"] = 2
    profile.vault_path.write_text(json.dumps(doc))
    with pytest.raises(VaultPasswordError):
        await Vault.unlock(profile.vault_path, PASSWORD)


@pytest.fixture(scope="module")
def sample_vault() -> Iterator[bytes]:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "vault.tdvault"

        async def make() -> None:
            vault = await Vault.create(path, PASSWORD, FAST_SCRYPT)
            await vault.set("a", Secret("tdtest-sample-secret"))

        asyncio.run(make())
        yield path.read_bytes()


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=6,
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_any_damage_to_a_vault_file_is_a_vault_error(
    sample_vault: bytes, tmp_path: Path, data: st.DataObject
) -> None:
    raw = bytearray(sample_vault)
    how = data.draw(st.sampled_from(["flip", "cut", "field"]))
    if how == "flip":
        for _ in range(data.draw(st.integers(1, 4))):
            raw[data.draw(st.integers(0, len(raw) - 1))] ^= data.draw(st.integers(1, 255))
    elif how == "cut":
        raw = raw[: data.draw(st.integers(0, len(raw) - 1))]
    else:
        doc = json.loads(bytes(raw))
        where = data.draw(st.sampled_from(["doc", "kdf"]))
        target = doc if where == "doc" else doc["kdf"]
        target[data.draw(st.sampled_from(sorted(target)))] = data.draw(_json_values)
        raw = bytearray(json.dumps(doc).encode())
    path = Path(tempfile.mkdtemp(dir=tmp_path)) / "vault.tdvault"
    path.write_bytes(bytes(raw))
    try:
        Vault._unlock_sync(path, PASSWORD)
    except VaultError:
        pass


async def test_create_refuses_short_password_and_existing_file(profile: Profile) -> None:
    with pytest.raises(SecretStoreError, match="at least 8"):
        await Vault.create(profile.vault_path, Secret("short"), FAST_SCRYPT)
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    with pytest.raises(SecretStoreError, match="already exists"):
        await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)


async def test_unlock_missing_vault(profile: Profile) -> None:
    with pytest.raises(SecretStoreError, match="no vault"):
        await Vault.unlock(profile.vault_path, PASSWORD)
