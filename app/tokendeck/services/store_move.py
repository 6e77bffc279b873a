"""Moving every held secret from the store in use to the other kind (keyring <-> vault)."""

from __future__ import annotations

from pathlib import Path

from tokendeck.services.app_services import AppServices
from tokendeck.services.events import StoreChanged
from tokendeck.services.key_ids import ID_KEY_REF, move_id_key
from tokendeck.services.store_choice import VaultNotOpened, VaultPrompt, open_vault
from tokendeck.storage.keyring_store import KeyringStore, probe_keyring
from tokendeck.storage.secret_store import SecretStore, SecretStoreError, status_of
from tokendeck.storage.vault import ScryptParams, Vault


async def open_target(
    services: AppServices,
    target: str,
    vault_path: Path,
    prompt: VaultPrompt,
    vault_params: ScryptParams | None = None,
) -> SecretStore | None:
    """The store to move to: 'keyring' (after a real probe) or 'vault' (created or unlocked)."""
    namespace = await services.catalog.namespace()
    if target == "keyring":
        usable, reason = await probe_keyring(namespace)
        if not usable:
            raise SecretStoreError(reason)
        return KeyringStore(namespace)
    opened = await open_vault(
        vault_path, prompt, "Move your secrets into the encrypted vault.", vault_params
    )
    if isinstance(opened, Vault):
        return opened
    if isinstance(opened, VaultNotOpened):
        return None  # nothing moved: the dialog says so
    raise SecretStoreError(opened)


async def move_secrets(services: AppServices, target_store: SecretStore) -> int:
    old = services.keeper.store
    await move_id_key(old, target_store)
    moved = await services.keeper.move_all(target_store)
    await old.delete(ID_KEY_REF)
    await old.aclose()
    services.bus.publish(StoreChanged(status_of(target_store)))
    return moved
