"""The secret store while the real one opens, so that nothing the window shows first waits on it.

Choosing the store probes the OS keyring (D-Bus, maybe an unlock prompt) or asks for the vault's
password: that can take a while, and the catalog's rows do not depend on it. `StartingStore`
stands in meanwhile: every call waits until `resolve()` hands over the real store (after the
write-before-show journal is reconciled against it), then goes to that store.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from tokendeck.core.secret import Secret
from tokendeck.core.store_status import STARTING_STATUS, StoreKind
from tokendeck.storage.secret_store import SecretAbout, SecretStore, SecretStoreError


class StartingStore:
    def __init__(self) -> None:
        self._ready: asyncio.Future[SecretStore] = asyncio.get_running_loop().create_future()

    @property
    def kind(self) -> StoreKind:
        return StoreKind.STARTING

    @property
    def description(self) -> str:
        return STARTING_STATUS.description

    def resolve(self, store: SecretStore) -> None:
        if not self._ready.done():
            self._ready.set_result(store)

    async def _store(self) -> SecretStore:
        try:
            return await asyncio.shield(self._ready)
        except asyncio.CancelledError:
            if self._ready.cancelled():  # closed before a store opened
                raise SecretStoreError("The secret store closed before it opened.") from None
            raise

    async def get(self, ref: str) -> Secret | None:
        return await (await self._store()).get(ref)

    async def set(self, ref: str, secret: Secret, about: SecretAbout | None = None) -> None:
        await (await self._store()).set(ref, secret, about)

    async def present(self, refs: Sequence[str]) -> frozenset[str]:
        return await (await self._store()).present(refs)

    async def delete(self, ref: str) -> None:
        await (await self._store()).delete(ref)

    async def aclose(self) -> None:
        """The real store is closed by whoever resolved it; waiters are told it never opened."""
        self._ready.cancel()
