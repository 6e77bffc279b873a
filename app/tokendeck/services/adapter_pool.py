"""One adapter (one HTTP client) per account, shared by the account services, and a lock per
account so that its refreshes never overlap. Closed on an edit, a removal and on quit."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping

from tokendeck.core.clock import Clock
from tokendeck.core.models import Account, Platform
from tokendeck.core.platform_types import Capabilities
from tokendeck.platforms.base import PlatformAdapter

AdapterFactory = Callable[[Account], PlatformAdapter]


def capabilities() -> Mapping[Platform, Capabilities]:
    """What each platform can do. The registry loads every adapter (httpx, PyJWT, cryptography):
    imported on first use, so the window's rows never wait for it."""
    from tokendeck.platforms.registry import CAPABILITIES

    return CAPABILITIES


def _make_adapter(account: Account, clock: Clock) -> PlatformAdapter:
    from tokendeck.platforms.registry import make_adapter

    return make_adapter(account.platform, account.host, account.settings, clock)


class AdapterPool:
    def __init__(
        self,
        clock: Clock,
        adapter_factory: AdapterFactory | None = None,
        id_key: bytes | None = None,
    ) -> None:
        self._factory = adapter_factory or (lambda account: _make_adapter(account, clock))
        self._id_key = id_key
        self._adapters: dict[str, PlatformAdapter] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def adapter(self, account: Account) -> PlatformAdapter:
        adapter = self._adapters.get(account.id)
        if adapter is None:
            adapter = self.make(account)
            self._adapters[account.id] = adapter
        return adapter

    async def drop(self, account_id: str) -> None:
        adapter = self._adapters.pop(account_id, None)
        if adapter is not None:
            await adapter.aclose()

    def make(self, account: Account) -> PlatformAdapter:
        """An adapter from the factory, given the profile's key-id key if it derives ids from
        key values (Encord)."""
        adapter = self._factory(account)
        use_id_key = getattr(adapter, "use_id_key", None)
        if callable(use_id_key):
            use_id_key(self._id_key)
        return adapter

    def use_id_key(self, id_key: bytes | None) -> None:
        """The profile's key-id key, loaded with the secret store (after this service starts)."""
        self._id_key = id_key
        for adapter in self._adapters.values():
            use = getattr(adapter, "use_id_key", None)
            if callable(use):
                use(id_key)

    def lock(self, account_id: str) -> asyncio.Lock:
        return self._locks.setdefault(account_id, asyncio.Lock())

    async def aclose(self) -> None:
        for account_id in list(self._adapters):
            await self.drop(account_id)
