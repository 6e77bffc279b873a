from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.storage.conftest import FAST_SCRYPT
from tokendeck.core.secret import Secret
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_store import SecretStoreError
from tokendeck.storage.vault import Vault, VaultCorruptError, VaultPasswordError

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
    doc = json.loads(profile.vault_path.read_text())
    assert doc["kdf"]["name"] == "scrypt"
    assert not [p for p in profile.vault_path.parent.iterdir() if p.name.endswith(".tmp")]


async def test_wrong_password_is_clear_and_changes_nothing(profile: Profile) -> None:
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    before = profile.vault_path.read_bytes()
    with pytest.raises(VaultPasswordError, match="Wrong master password"):
        await Vault.unlock(profile.vault_path, Secret("not the password"))
    assert profile.vault_path.read_bytes() == before


@pytest.mark.parametrize(
    "damage",
    [
        lambda raw: raw[: len(raw) // 2],
        lambda raw: b"not json at all",
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


async def test_swapped_kdf_parameters_are_detected(profile: Profile) -> None:
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    doc = json.loads(profile.vault_path.read_text())
    doc["kdf"]["p"] = 2
    profile.vault_path.write_text(json.dumps(doc))
    with pytest.raises(VaultPasswordError):
        await Vault.unlock(profile.vault_path, PASSWORD)


async def test_create_refuses_short_password_and_existing_file(profile: Profile) -> None:
    with pytest.raises(SecretStoreError, match="at least 8"):
        await Vault.create(profile.vault_path, Secret("short"), FAST_SCRYPT)
    await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    with pytest.raises(SecretStoreError, match="already exists"):
        await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)


async def test_a_failed_save_keeps_the_previous_vault(
    profile: Profile, secret_factory: Callable[[int], Secret], monkeypatch: pytest.MonkeyPatch
) -> None:
    vault = await Vault.create(profile.vault_path, PASSWORD, FAST_SCRYPT)
    kept = secret_factory(30)
    await vault.set("kept", kept)
    before = profile.vault_path.read_bytes()

    def full_disk(fd: int, data: bytes) -> int:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "write", full_disk)
    with pytest.raises(SecretStoreError, match="No space left on device"):
        await vault.set("new", secret_factory(30))
    monkeypatch.undo()
    assert profile.vault_path.read_bytes() == before
    assert await vault.get("new") is None
    assert await vault.get("kept") == kept
    assert not [p for p in Path(profile.vault_path.parent).iterdir() if p.name.endswith(".tmp")]


async def test_unlock_missing_vault(profile: Profile) -> None:
    with pytest.raises(SecretStoreError, match="no vault"):
        await Vault.unlock(profile.vault_path, PASSWORD)
