"""One read of the whole catalog, shared by every table until the catalog changes.

The Accounts and Tokens tables both show every credential with its verdict; each used to read
the catalog for itself, so a start-up, or any change both follow, read 10,000 rows twice and
kept two copies of them. A `SnapshotLoader` reads once for all: a caller gets the last snapshot
while the catalog's version (`Catalog.version`) and the expiry policy are the ones it was read
at, joins the read under way when that one started at the same version, and starts a new one
otherwise. A version read before the rows can only make a snapshot look older than it is: the
next caller reads again, never a stale one."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

from tokendeck.core.models import Account
from tokendeck.services.standing import ExpiryPolicy, HeldCredential
from tokendeck.storage.async_catalog import AsyncCatalog


@dataclass(frozen=True, slots=True)
class CatalogSnapshot:
    accounts: list[Account]  # by name
    held: list[HeldCredential]  # every credential, in label order, with its account


_Key = tuple[tuple[int, int], tuple[timedelta, ...], bool]


class SnapshotLoader:
    def __init__(self, catalog: AsyncCatalog, policy: ExpiryPolicy) -> None:
        self._catalog = catalog
        self._policy = policy
        self._last: tuple[_Key, CatalogSnapshot] | None = None
        self._reading: tuple[_Key, asyncio.Task[CatalogSnapshot]] | None = None

    async def snapshot(self) -> CatalogSnapshot:
        key = (await self._catalog.version(), self._policy.thresholds, self._policy.auto_refresh)
        if self._last is not None and self._last[0] == key:
            return self._last[1]
        if self._reading is None or self._reading[0] != key:
            task = asyncio.ensure_future(self._read(key))
            task.add_done_callback(_retrieved)  # a failure no caller waited for is not "lost"
            self._reading = (key, task)
        # Shielded: a caller that gives up (a newer reload of its table) does not cancel the
        # read the others wait for.
        return await asyncio.shield(self._reading[1])

    async def _read(self, key: _Key) -> CatalogSnapshot:
        try:
            credentials = await self._catalog.list_credentials()
            accounts = await self._catalog.list_accounts()
        finally:
            if self._reading is not None and self._reading[0] == key:
                self._reading = None
        snapshot = CatalogSnapshot(
            accounts, self._policy.hold_all(credentials, {a.id: a for a in accounts})
        )
        self._last = (key, snapshot)
        return snapshot


def _retrieved(task: asyncio.Task[CatalogSnapshot]) -> None:
    if not task.cancelled():
        task.exception()
