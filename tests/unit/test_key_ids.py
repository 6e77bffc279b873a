"""The key-id key: made once per profile, agreed on by processes that start together."""

from __future__ import annotations

import asyncio
from pathlib import Path

from tokendeck.core.secret import Secret
from tokendeck.services.key_ids import load_id_key
from tokendeck.storage.secret_store import MemoryStore, SecretAbout


class SlowStore(MemoryStore):
    """A store whose calls take a while, as a keyring's do: room for a race. The delays are the
    behaviour under test (a slow store), not synchronisation: the test waits for both starts
    (gather), and passes or fails the same whatever the timing when the lock is right."""

    async def get(self, ref: str) -> Secret | None:
        await asyncio.sleep(0.02)
        return await super().get(ref)

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        await asyncio.sleep(0.02)
        await super().set(ref, secret)


async def test_two_starts_on_a_fresh_profile_agree_on_one_key(tmp_path: Path) -> None:
    store = SlowStore()
    lock = tmp_path / "key-ids.lock"
    first, second = await asyncio.gather(load_id_key(store, lock), load_id_key(store, lock))
    assert first is not None and first == second
    assert await load_id_key(store, lock) == first, "kept, not made again"
    assert len(first) == 32
