"""Choosing the secret store at start-up: the system keyring if a real write / read / delete
works, otherwise the encrypted vault (created or unlocked with a master password the user gives).
Never a plaintext fallback: if the user declines the vault, there is no store, and saving a
secret says so."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Protocol

from tokendeck.core.secret import Secret
from tokendeck.storage.keyring_store import KeyringStore, probe_keyring
from tokendeck.storage.secret_store import (
    ClosedStore,
    MemoryStore,
    SecretStore,
    SecretStoreError,
)
from tokendeck.storage.vault import ScryptParams, Vault, VaultPasswordError


class VaultAction(StrEnum):
    CREATE = "create"
    UNLOCK = "unlock"


class VaultPrompt(Protocol):
    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        """The master password, or None if the user declines."""
        ...


@dataclass(frozen=True, slots=True)
class StoreChoice:
    store: SecretStore | None
    message: str


PASSWORD_TRIES = 5  # wrong master passwords before choose_store gives up


class NoStore(ClosedStore):
    """Stands in when the user declined every store: every write fails with a clear message, and
    reconcile takes nothing it reads as absent (see `ClosedStore`)."""


async def choose_store(
    namespace: str,
    vault_path: Path,
    prompt: VaultPrompt,
    *,
    memory: bool = False,
    prefer_vault: bool = False,
    vault_params: ScryptParams | None = None,
) -> StoreChoice:
    if memory:
        return StoreChoice(MemoryStore(), "Demo profile: secrets are kept in memory only.")
    reason = "You chose the encrypted vault."
    if not prefer_vault and not vault_path.exists():
        usable, reason = await probe_keyring(namespace)
        if usable:
            return StoreChoice(KeyringStore(namespace), reason)
    opened = await open_vault(vault_path, prompt, reason, vault_params)
    if isinstance(opened, Vault):
        return StoreChoice(opened, f"{reason} Using the encrypted vault.")
    if opened is VaultNotOpened.DECLINED:
        return StoreChoice(None, f"{reason} No secret store is open: secrets cannot be saved.")
    if opened is VaultNotOpened.TOO_MANY_TRIES:
        return StoreChoice(None, "Too many wrong passwords: no secret store is open.")
    return StoreChoice(None, opened)


class VaultNotOpened(StrEnum):
    DECLINED = "declined"  # the person gave no password
    TOO_MANY_TRIES = "too many tries"


async def open_vault(
    vault_path: Path,
    prompt: VaultPrompt,
    reason: str,
    vault_params: ScryptParams | None = None,
) -> Vault | VaultNotOpened | str:
    """Create the vault, or unlock the one there, asking for its master password up to
    `PASSWORD_TRIES` times (each ask says why the last one failed). Returns the vault, why the
    person did not open it, or (a str) why a vault that exists cannot be opened at all."""
    action = VaultAction.UNLOCK if vault_path.exists() else VaultAction.CREATE
    error: str | None = None
    for _ in range(PASSWORD_TRIES):
        password = await prompt.ask_password(action, reason, error)
        if password is None:
            return VaultNotOpened.DECLINED
        try:
            if action is VaultAction.CREATE:
                return await Vault.create(vault_path, password, vault_params)
            return await Vault.unlock(vault_path, password)
        except VaultPasswordError as exc:  # a wrong password, or a new one too short
            error = str(exc)
        except SecretStoreError as exc:  # damaged, not a vault, a write that failed:
            return str(exc)  # another password would not help, so none is asked
    return VaultNotOpened.TOO_MANY_TRIES
