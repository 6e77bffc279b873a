"""What an account holds (the account row and its credentials), read for many accounts at once.

Every catalog call is a trip to the catalog's one worker thread, and fifty accounts signing in or
refreshing at once each start with such a read: one after another, the last account's request
would leave only after the other forty-nine reads. `HeldReads.of` gathers the accounts asked for
in the same turn of the event loop into one catalog call. A read always starts after it was
asked for (a batch takes no one once its call has begun), so it is as fresh as one of its own.
"""

from __future__ import annotations

import asyncio

from tokendeck.core.models import Account, Credential
from tokendeck.storage.async_catalog import AsyncCatalog

Held = tuple[Account | None, list[Credential]]


class HeldReads:
    def __init__(self, catalog: AsyncCatalog) -> None:
        self._catalog = catalog
        self._ids: set[str] = set()
        self._batch: asyncio.Future[dict[str, Held]] | None = None
        self._reading: set[asyncio.Task[None]] = set()

    async def of(self, account_id: str) -> Held:
        """The account (None if it is gone) and its credentials, in label order."""
        batch = self._batch
        if batch is None:
            batch = self._batch = asyncio.get_running_loop().create_future()
            task = asyncio.ensure_future(self._read(batch))
            self._reading.add(task)
            task.add_done_callback(self._reading.discard)
        self._ids.add(account_id)
        account, credentials = (await asyncio.shield(batch))[account_id]
        return account, list(credentials)

    async def _read(self, batch: asyncio.Future[dict[str, Held]]) -> None:
        ids, self._ids, self._batch = self._ids, set(), None
        try:
            found = await self._catalog.accounts_and_credentials(ids)
        except asyncio.CancelledError:
            batch.cancel()
            raise
        except Exception as exc:  # every reader of the batch gets the failure
            batch.set_exception(exc)
        else:
            batch.set_result(found)
