"""The profile's key for the ids TokenDeck derives from key values (Encord's legacy keys have no
id of their own: the platform lists the key values). Ids are HMACs under this key, which lives in
the secret store like any secret, so the catalog never holds a plain hash of a key."""

from __future__ import annotations

import asyncio
import base64
import logging
import secrets
from contextlib import nullcontext
from pathlib import Path

from tokendeck.core.secret import Secret
from tokendeck.storage.secret_store import SecretStore, SecretStoreError, store_lock

log = logging.getLogger(__name__)

ID_KEY_REF = "key-ids"  # the store entry (not a credential: it belongs to no account)


async def load_id_key(store: SecretStore, lock_path: Path | None = None) -> bytes | None:
    """The profile's id key, made on first use; None if the store cannot keep one.

    Read-or-create runs under the profile's lock file, so two TokenDeck processes starting on a
    fresh profile agree on one key (else each would derive other ids for the same keys)."""
    lock = (
        store_lock(lock_path, shared=False, timeout=30, what="the key-id key")
        if lock_path is not None
        else nullcontext()
    )
    try:
        await asyncio.to_thread(lock.__enter__)
        try:
            held = await store.get(ID_KEY_REF)
            if held is None:
                held = Secret(base64.b64encode(secrets.token_bytes(32)).decode())
                await store.set(ID_KEY_REF, held)
        finally:
            await asyncio.to_thread(lock.__exit__, None, None, None)
        return base64.b64decode(held.reveal())
    except Exception:  # a store that cannot keep it must not stop the start
        log.warning("no key-id key: Encord key ids fall back to plain digests", exc_info=True)
        return None


async def move_id_key(source: SecretStore, target: SecretStore) -> None:
    """Carry the id key along when every secret moves to another store."""
    held = await source.get(ID_KEY_REF)
    if held is not None:
        await target.set(ID_KEY_REF, held)
        if await target.get(ID_KEY_REF) != held:
            raise SecretStoreError("The new store did not keep the key-id key.")
