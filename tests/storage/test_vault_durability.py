"""What the vault promises about the file on disk: every change is written whole, synced and
renamed into place; a failed write says why and leaves the vault as it was; the OS lock is shared
to read and exclusive to change; damage is read around and named; nothing is rewritten for no
change and nothing is decrypted twice."""

from __future__ import annotations

import errno
import fcntl
import logging
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.storage.conftest import FAST_SCRYPT
from tokendeck.core.secret import Secret
from tokendeck.storage import vault as vault_module
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


async def _vault(profile: Profile, **values: str) -> Vault:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    for ref, value in values.items():
        await vault.set(ref, Secret(value))
    return vault


def _unsaved(reason: str) -> str:
    return (
        f"Could not save the vault ({reason}). The change was not saved; the vault on disk is "
        "intact."
    )


def _tmp_files(directory: Path) -> list[Path]:
    return [p for p in directory.iterdir() if p.name.endswith(".tmp")]


# -- names and description ---------------------------------------------------------------------


async def test_the_files_beside_the_vault_are_named_for_it(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-a")
    assert vault.path == profile.vault_path
    assert vault.previous_path == profile.data_dir / "vault.tdvault.prev"
    assert vault.damaged_path == profile.data_dir / "vault.tdvault.damaged"
    assert Vault.lock_path_for(vault.path) == profile.data_dir / "vault.tdvault.lock"
    assert vault.previous_path.exists()
    assert Vault.lock_path_for(vault.path).exists()
    assert vault.description == "Encrypted vault (vault.tdvault)"


async def test_a_new_vault_makes_its_folder_private(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "vault.tdvault"
    await Vault.create(path, PASSWORD, FAST_SCRYPT)
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


# -- whole, synced writes ----------------------------------------------------------------------


@pytest.fixture
def disk_events(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        events.append("sync dir" if stat.S_ISDIR(os.fstat(fd).st_mode) else "sync file")
        real_fsync(fd)

    def replace(src: Any, dst: Any) -> None:
        events.append(f"rename to {Path(dst).name}")
        real_replace(src, dst)

    monkeypatch.setattr(os, "fsync", fsync)
    monkeypatch.setattr(os, "replace", replace)
    return events


async def test_a_change_syncs_each_file_before_renaming_it_and_then_its_folder(
    profile: Profile, disk_events: list[str]
) -> None:
    vault = await _vault(profile)
    disk_events.clear()
    await vault.set("a", Secret("tdtest-a"))
    assert disk_events == [
        "sync file",
        "rename to vault.tdvault.prev",
        "sync dir",
        "sync file",
        "rename to vault.tdvault",
        "sync dir",
    ]


async def test_a_new_vault_is_synced_before_and_after_its_rename(
    profile: Profile, disk_events: list[str]
) -> None:
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    assert disk_events == ["sync file", "rename to vault.tdvault", "sync dir"]


def test_on_windows_no_folder_is_opened_to_sync_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened: list[Any] = []
    monkeypatch.setattr(os, "open", lambda *args: opened.append(args))
    monkeypatch.setattr(os, "name", "nt")
    vault_module._fsync_dir(tmp_path)
    monkeypatch.undo()
    assert opened == []


def test_a_binary_open_flag_is_used_where_the_platform_has_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    binary = 0x10000000  # no flag of this platform: only this test's fake O_BINARY
    flags: list[int] = []
    real_open = os.open

    def spy(path: Any, flag: int, *args: Any) -> int:
        flags.append(flag)
        return real_open(path, flag & ~binary, *args)

    monkeypatch.setattr(os, "O_BINARY", binary, raising=False)
    monkeypatch.setattr(os, "open", spy)
    vault_module.write_file_atomically(tmp_path / "f", b"data")
    assert flags[0] & binary
    assert (tmp_path / "f").read_bytes() == b"data"


async def test_one_byte_writes_are_continued_until_every_byte_is_written(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await _vault(profile)
    real_write = os.write
    monkeypatch.setattr(os, "write", lambda fd, data: real_write(fd, bytes(data[:1])))
    await vault.set("a", Secret("tdtest-a"))
    monkeypatch.undo()
    again = await Vault.unlock(profile.vault_path, PASSWORD)
    assert not again.recovered
    assert await again.get("a") == Secret("tdtest-a")


async def test_a_write_that_writes_nothing_is_a_full_disk(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await _vault(profile, kept="tdtest-kept")
    before = profile.vault_path.read_bytes()
    calls: list[int] = []

    def nothing(fd: int, data: bytes) -> int:
        calls.append(fd)
        assert len(calls) == 1, "written again after a write that wrote nothing"
        return 0

    monkeypatch.setattr(os, "write", nothing)
    with pytest.raises(VaultWriteError) as failed:
        await vault.set("new", Secret("tdtest-new"))
    monkeypatch.undo()
    assert str(failed.value) == _unsaved(
        "the disk is full or over its quota: No space left on device"
    )
    assert profile.vault_path.read_bytes() == before
    assert _tmp_files(profile.data_dir) == []


async def test_a_file_that_is_not_the_size_written_is_never_installed(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await _vault(profile, kept="tdtest-kept")
    before = profile.vault_path.read_bytes()
    real_write = os.write

    def lying(fd: int, data: bytes) -> int:
        real_write(fd, bytes(data[: len(data) // 2]))
        return len(data)

    monkeypatch.setattr(os, "write", lying)
    with pytest.raises(VaultWriteError) as failed:
        await vault.set("new", Secret("tdtest-new"))
    monkeypatch.undo()
    assert str(failed.value) == _unsaved("the file on disk is not the size written")
    assert profile.vault_path.read_bytes() == before
    assert _tmp_files(profile.data_dir) == []


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (
            OSError(errno.ENOSPC, "No space left"),
            "the disk is full or over its quota: No space left",
        ),
        (
            OSError(errno.EDQUOT, "Quota exceeded"),
            "the disk is full or over its quota: Quota exceeded",
        ),
        (
            OSError(errno.EFBIG, "File too large"),
            "the disk is full or over its quota: File too large",
        ),
        (OSError(errno.EIO, "Input/output error"), "Input/output error"),
        (PermissionError(), "PermissionError"),
    ],
)
async def test_a_failed_write_says_why(
    profile: Profile, monkeypatch: pytest.MonkeyPatch, error: OSError, reason: str
) -> None:
    vault = await _vault(profile, kept="tdtest-kept")
    before = profile.vault_path.read_bytes()

    def failing(fd: int, data: bytes) -> int:
        raise error

    monkeypatch.setattr(os, "write", failing)
    with pytest.raises(VaultWriteError) as failed:
        await vault.set("new", Secret("tdtest-new"))
    monkeypatch.undo()
    assert str(failed.value) == _unsaved(reason)
    assert profile.vault_path.read_bytes() == before
    assert await vault.get("kept") == Secret("tdtest-kept")
    assert await vault.get("new") is None


async def test_a_temporary_file_that_cannot_be_created_is_reported_as_such(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await _vault(profile, kept="tdtest-kept")
    before = profile.vault_path.read_bytes()
    real_open = os.open

    def no_room(path: Any, *args: Any) -> int:
        if str(path).endswith(".tmp"):
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_open(path, *args)

    monkeypatch.setattr(os, "open", no_room)
    with pytest.raises(VaultWriteError) as failed:
        await vault.set("new", Secret("tdtest-new"))
    monkeypatch.undo()
    assert str(failed.value) == _unsaved(
        "the disk is full or over its quota: No space left on device"
    )
    assert profile.vault_path.read_bytes() == before


async def test_a_new_vault_that_cannot_be_written_leaves_no_file(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: bytes) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    with pytest.raises(VaultWriteError) as failed:
        await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    monkeypatch.undo()
    assert str(failed.value) == _unsaved(
        "the disk is full or over its quota: No space left on device"
    )
    assert not profile.vault_path.exists()
    assert _tmp_files(profile.data_dir) == []


async def test_a_vault_made_elsewhere_while_the_key_is_derived_is_not_overwritten(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_derive = vault_module._derive

    def derive_while_another_process_creates(*args: Any) -> bytes:
        profile.vault_path.write_bytes(b"the other process's vault")
        return real_derive(*args)

    monkeypatch.setattr(vault_module, "_derive", derive_while_another_process_creates)
    with pytest.raises(SecretStoreError) as refused:
        await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    assert str(refused.value) == (
        f"A vault already exists at {profile.vault_path}; unlock it instead."
    )
    assert profile.vault_path.read_bytes() == b"the other process's vault"


async def test_a_new_vault_never_replaces_an_existing_file(profile: Profile) -> None:
    profile.vault_path.write_bytes(b"something")
    with pytest.raises(SecretStoreError) as refused:
        await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    assert str(refused.value) == (
        f"A vault already exists at {profile.vault_path}; unlock it instead."
    )
    assert profile.vault_path.read_bytes() == b"something"


# -- no needless writes, no needless decrypting ------------------------------------------------


async def test_setting_the_value_already_held_writes_nothing(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-a", b="tdtest-b")
    current, previous = profile.vault_path.read_bytes(), vault.previous_path.read_bytes()
    await vault.set("a", Secret("tdtest-a"))
    await vault.delete("no-such-ref")
    assert profile.vault_path.read_bytes() == current
    assert vault.previous_path.read_bytes() == previous


@pytest.fixture
def decrypts(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = vault_module._decrypt

    def counting(*args: Any) -> dict[str, str]:
        calls.append(1)
        return real(*args)

    monkeypatch.setattr(vault_module, "_decrypt", counting)
    return calls


async def test_an_unchanged_file_is_not_decrypted_again(
    profile: Profile, decrypts: list[int]
) -> None:
    vault = await _vault(profile, a="tdtest-a")
    assert await vault.get("a") == Secret("tdtest-a")
    assert vault.refs() == ["a"]
    assert decrypts == [], "the session's own writes are known"
    other = await Vault.unlock(profile.vault_path, PASSWORD)
    assert len(decrypts) == 1
    assert await other.get("a") == Secret("tdtest-a")
    assert len(decrypts) == 1, "the file read at unlock is known"
    await other.set("b", Secret("tdtest-b"))
    assert await vault.get("b") == Secret("tdtest-b")
    assert await vault.get("a") == Secret("tdtest-a")
    assert len(decrypts) == 2, "a file another process wrote is decrypted once"


async def test_a_fresh_vault_is_known_without_decrypting(
    profile: Profile, decrypts: list[int]
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    assert vault.refs() == []
    assert decrypts == []


async def test_values_read_are_a_copy_the_caller_cannot_change(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-a")
    vault._read_values()["a"] = "changed"
    assert await vault.get("a") == Secret("tdtest-a")


# -- locks -------------------------------------------------------------------------------------


@pytest.fixture
def other_process_lock(profile: Profile) -> Iterator[Callable[[int], None]]:
    """Lock the vault's lock file as another process would (another open file)."""
    path = Vault.lock_path_for(profile.vault_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    yield lambda mode: fcntl.flock(fd, mode)
    os.close(fd)


def _busy() -> str:
    return (
        "The vault is busy: another TokenDeck process kept it locked for more than 0 s. Nothing "
        "was changed; try again."
    )


async def test_reading_shares_the_lock_with_another_reader(
    profile: Profile, other_process_lock: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await _vault(profile, a="tdtest-a")
    monkeypatch.setattr(vault_module, "LOCK_TIMEOUT", 0.2)
    vault.lock_timeout = 0.2
    other_process_lock(fcntl.LOCK_SH)
    again = await Vault.unlock(profile.vault_path, PASSWORD)
    assert await again.get("a") == Secret("tdtest-a")
    assert await vault.get("a") == Secret("tdtest-a")
    with pytest.raises(StoreBusyError) as busy:
        await vault.set("b", Secret("tdtest-b"))
    assert str(busy.value) == _busy()
    with pytest.raises(StoreBusyError):
        await vault.delete("a")


async def test_creating_waits_for_a_reader(
    profile: Profile, other_process_lock: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(vault_module, "LOCK_TIMEOUT", 0.2)
    other_process_lock(fcntl.LOCK_SH)
    with pytest.raises(StoreBusyError) as busy:
        await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    assert str(busy.value) == _busy()
    assert not profile.vault_path.exists()


async def test_unlocking_waits_for_a_writer(
    profile: Profile, other_process_lock: Callable[[int], None], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await _vault(profile, a="tdtest-a")
    monkeypatch.setattr(vault_module, "LOCK_TIMEOUT", 0.2)
    vault.lock_timeout = 0.2
    other_process_lock(fcntl.LOCK_EX)
    with pytest.raises(StoreBusyError) as busy:
        await Vault.unlock(profile.vault_path, PASSWORD)
    assert str(busy.value) == _busy()
    with pytest.raises(StoreBusyError):
        await vault.get("a")


# -- errors that name what happened ------------------------------------------------------------


async def test_unlocking_where_there_is_no_vault(tmp_path: Path) -> None:
    for path in (tmp_path / "vault.tdvault", tmp_path / "no-such-dir" / "vault.tdvault"):
        with pytest.raises(SecretStoreError) as missing:
            await Vault.unlock(path, PASSWORD)
        assert str(missing.value) == f"There is no vault at {path}."
    assert not (tmp_path / "no-such-dir").exists()


async def test_a_vault_that_cannot_be_read_says_why(profile: Profile) -> None:
    profile.vault_path.mkdir(parents=True)
    with pytest.raises(VaultError) as unreadable:
        await Vault.unlock(profile.vault_path, PASSWORD)
    assert str(unreadable.value) == "Could not read the vault file vault.tdvault (Is a directory)."


async def test_a_vault_file_that_becomes_unreadable_says_why(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-a")
    profile.vault_path.unlink()
    profile.vault_path.mkdir()
    with pytest.raises(VaultError) as unreadable:
        await vault.get("a")
    assert str(unreadable.value) == "Could not read the vault file vault.tdvault (Is a directory)."


async def test_a_vault_file_that_is_gone_is_named(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-a")
    profile.vault_path.unlink()
    with pytest.raises(VaultError) as gone:
        await vault.set("b", Secret("tdtest-b"))
    assert str(gone.value) == (
        f"The vault file {profile.vault_path} is gone. Nothing was changed; restore it or create "
        "a new vault."
    )
    assert not profile.vault_path.exists()


async def test_a_closed_vault_says_so_and_forgets_its_secrets(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-closed-secret")
    await vault.aclose()
    with pytest.raises(VaultError) as closed:
        await vault.get("a")
    assert str(closed.value) == "The vault is closed: unlock it again."
    assert "tdtest-closed-secret" not in repr(vars(vault))


async def test_a_replaced_vault_is_named(profile: Profile) -> None:
    old = await _vault(profile, a="tdtest-a")
    profile.vault_path.unlink()
    await Vault.create(profile.vault_path, Secret("another master password"), FAST_SCRYPT)
    with pytest.raises(VaultReplacedError) as replaced:
        await old.get("a")
    assert str(replaced.value) == (
        f"The vault file {profile.vault_path} was replaced by another vault (a new master "
        "password?). Nothing was changed; unlock it again."
    )


async def test_a_replaced_vault_is_never_read_around(profile: Profile) -> None:
    """Even with a good previous generation: the file belongs to another vault now."""
    old = await _vault(profile, a="tdtest-a", b="tdtest-b")
    profile.vault_path.unlink()
    await Vault.create(profile.vault_path, Secret("another master password"), FAST_SCRYPT)
    with pytest.raises(VaultReplacedError):
        await old.get("a")


# -- damage --------------------------------------------------------------------------------------


def _alter_ciphertext(path: Path) -> None:
    raw = bytearray(path.read_bytes())
    at = raw.index(b'"ciphertext"') + len(b'"ciphertext": "') + 4
    raw[at] = ord("A") if raw[at] != ord("A") else ord("B")
    path.write_bytes(bytes(raw))


async def test_an_altered_file_found_in_a_session_is_named(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-a")
    vault.previous_path.unlink()
    _alter_ciphertext(profile.vault_path)
    altered = profile.vault_path.read_bytes()
    with pytest.raises(VaultCorruptError) as damaged:
        await vault.get("a")
    assert str(damaged.value) == (
        f"The vault file {profile.vault_path} was altered or damaged. It was left untouched."
    )
    with pytest.raises(VaultCorruptError):
        await vault.set("b", Secret("tdtest-b"))
    assert profile.vault_path.read_bytes() == altered


async def test_damage_is_reported_when_the_previous_generation_is_damaged_too(
    profile: Profile,
) -> None:
    vault = await _vault(profile, a="tdtest-a", b="tdtest-b")
    _alter_ciphertext(profile.vault_path)
    vault.previous_path.write_bytes(b"damaged too")
    with pytest.raises(VaultCorruptError, match="was altered or damaged"):
        await vault.get("a")
    with pytest.raises(VaultCorruptError, match=r"damaged or not a TokenDeck vault \(not JSON\)"):
        await Vault.unlock(vault.previous_path, PASSWORD)


async def test_damage_read_around_in_a_session_is_logged(
    profile: Profile, caplog: pytest.LogCaptureFixture
) -> None:
    vault = await _vault(profile, a="tdtest-a", b="tdtest-b")
    _alter_ciphertext(profile.vault_path)
    with caplog.at_level(logging.WARNING, logger="tokendeck.storage.vault"):
        assert await vault.get("a") == Secret("tdtest-a")
        assert await vault.get("b") is None
    assert caplog.messages == [
        "The vault file is damaged; read its previous generation instead.",
        "The vault file is damaged; read its previous generation instead.",
    ]


async def test_a_vault_opened_from_its_previous_generation_says_so_in_the_log(
    profile: Profile, caplog: pytest.LogCaptureFixture
) -> None:
    await _vault(profile, a="tdtest-a", b="tdtest-b")
    _alter_ciphertext(profile.vault_path)
    with caplog.at_level(logging.WARNING, logger="tokendeck.storage.vault"):
        recovered = await Vault.unlock(profile.vault_path, PASSWORD)
    assert recovered.recovered
    assert await recovered.get("a") == Secret("tdtest-a")
    assert (
        caplog.messages[0] == "The vault file is damaged; opened its previous generation instead."
    )


async def test_a_file_of_another_salt_is_never_read_around(profile: Profile) -> None:
    """A damaged salt cannot be told from another vault's file: unlocking refuses it, as a
    session does (bug: it opened the previous generation into a session that then refused every
    read and write as "replaced by another vault")."""
    vault = await _vault(profile, a="tdtest-a", b="tdtest-b")
    raw = bytearray(profile.vault_path.read_bytes())
    at = raw.index(b'"salt": "') + len(b'"salt": "')
    raw[at] = ord("A") if raw[at] != ord("A") else ord("B")
    profile.vault_path.write_bytes(bytes(raw))
    with pytest.raises(VaultPasswordError):
        await Vault.unlock(profile.vault_path, PASSWORD)
    with pytest.raises(VaultReplacedError):
        await vault.get("a")


async def test_the_old_password_never_opens_the_generation_a_new_vault_replaced(
    profile: Profile,
) -> None:
    await _vault(profile, a="tdtest-a", b="tdtest-b")
    previous = profile.vault_path.with_name("vault.tdvault.prev")
    kept = previous.read_bytes()
    profile.vault_path.unlink()
    new_password = Secret("another master password")
    await Vault.create(profile.vault_path, new_password, FAST_SCRYPT)
    previous.write_bytes(kept)
    with pytest.raises(VaultPasswordError):
        await Vault.unlock(profile.vault_path, PASSWORD)
    assert (await Vault.unlock(profile.vault_path, new_password)).refs() == []


async def test_a_file_damaged_past_its_header_reuses_the_key_for_the_previous_generation(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _vault(profile, a="tdtest-a", b="tdtest-b")
    _alter_ciphertext(profile.vault_path)
    derived: list[int] = []
    real_derive = vault_module._derive

    def counting(*args: Any) -> bytes:
        derived.append(1)
        return real_derive(*args)

    monkeypatch.setattr(vault_module, "_derive", counting)
    recovered = await Vault.unlock(profile.vault_path, PASSWORD)
    assert recovered.recovered
    assert len(derived) == 1
    assert await recovered.get("a") == Secret("tdtest-a")


async def test_an_unparseable_file_is_read_around_with_the_previous_generations_key(
    profile: Profile,
) -> None:
    await _vault(profile, a="tdtest-a", b="tdtest-b")
    profile.vault_path.write_bytes(b"{")
    recovered = await Vault.unlock(profile.vault_path, PASSWORD)
    assert recovered.recovered
    assert await recovered.get("a") == Secret("tdtest-a")
    await recovered.set("c", Secret("tdtest-c"))
    assert recovered.damaged_path.read_bytes() == b"{"
    assert sorted((await Vault.unlock(profile.vault_path, PASSWORD)).refs()) == ["a", "c"]


async def test_a_recovered_vault_keeps_the_good_generation_on_its_next_change(
    profile: Profile,
) -> None:
    vault = await _vault(profile, a="tdtest-a", b="tdtest-b")
    previous = vault.previous_path.read_bytes()
    _alter_ciphertext(profile.vault_path)
    altered = profile.vault_path.read_bytes()
    await vault.set("c", Secret("tdtest-c"))
    assert vault.damaged_path.read_bytes() == altered
    assert vault.previous_path.read_bytes() == previous
    fresh = await Vault.unlock(profile.vault_path, PASSWORD)
    assert not fresh.recovered
    assert fresh.refs() == ["a", "c"]


async def test_an_unparseable_file_found_in_a_session_is_named(profile: Profile) -> None:
    vault = await _vault(profile, a="tdtest-a")
    vault.previous_path.unlink()
    profile.vault_path.write_bytes(b"{")
    with pytest.raises(VaultCorruptError) as damaged:
        await vault.get("a")
    assert str(damaged.value).startswith(f"The vault file {profile.vault_path} is damaged")


async def test_another_vaults_previous_generation_is_never_opened_when_no_key_can_be_derived(
    profile: Profile, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The current file's header is sound but its key cannot be derived (scrypt out of memory):
    a previous generation of another salt is another vault's, and is not opened instead."""
    await _vault(profile, a="tdtest-a")
    other = await Vault.create(tmp_path / "other.tdvault", PASSWORD, FAST_SCRYPT)
    await other.set("b", Secret("tdtest-other-b"))
    profile.vault_path.with_name("vault.tdvault.prev").write_bytes(other.path.read_bytes())
    current_salt = vault_module._parse(profile.vault_path.read_bytes(), profile.vault_path).salt
    real_derive = vault_module._derive

    def out_of_memory_for_the_current(password: Secret, salt: bytes, params: Any) -> bytes:
        if salt == current_salt:
            raise VaultCorruptError("The vault's key derivation cannot run (MemoryError).")
        return real_derive(password, salt, params)

    monkeypatch.setattr(vault_module, "_derive", out_of_memory_for_the_current)
    with pytest.raises(VaultCorruptError, match="MemoryError"):
        await Vault.unlock(profile.vault_path, PASSWORD)


def test_reading_a_file_stops_one_byte_past_the_largest_vault(tmp_path: Path) -> None:
    huge = tmp_path / "huge.tdvault"
    with huge.open("wb") as file:  # sparse: no disk used
        file.truncate(vault_module.MAX_FILE_BYTES + 4096)
    read = vault_module._read(huge)
    assert read is not None and len(read) == vault_module.MAX_FILE_BYTES + 1


async def test_a_read_error_with_no_reason_names_its_kind(
    profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await _vault(profile, a="tdtest-a")
    real_open = Path.open

    def failing_open(self: Path, *args: Any, **kwargs: Any) -> Any:
        if self == profile.vault_path:
            raise PermissionError()  # no errno, no strerror
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", failing_open)
    with pytest.raises(VaultError) as unreadable:
        await vault.get("a")
    assert str(unreadable.value) == (
        "Could not read the vault file vault.tdvault (PermissionError)."
    )
