"""One read of the catalog shared by the tables: never stale, never read twice for nothing."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import pytest

from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.services.catalog_snapshot import SnapshotLoader
from tokendeck.services.standing import ExpiryPolicy
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog


@pytest.fixture
async def catalog(tmp_path: Path) -> AsyncIterator[AsyncCatalog]:
    opened = await AsyncCatalog.open(tmp_path / "catalog.sqlite3")
    account = await opened.add_account(
        Account(id="", name="Prod", platform=Platform.HAUT, host="https://h.example")
    )
    for i in range(3):
        await opened.upsert_credential(
            Credential(
                id=f"k{i}", kind=CredentialKind.API_KEY, label=f"key {i}", account_id=account.id
            )
        )
    yield opened
    await opened.aclose()


class CountingCatalog:
    """The catalog, with a count of the whole-catalog reads and a gate that holds their answer."""

    def __init__(self, catalog: AsyncCatalog) -> None:
        self._catalog = catalog
        self.reads = 0
        self.gate = asyncio.Event()
        self.gate.set()
        self.fail: Exception | None = None

    async def version(self) -> tuple[int, int]:
        return await self._catalog.version()

    async def list_credentials(self) -> list[Credential]:
        self.reads += 1
        rows = await self._catalog.list_credentials()  # read now, answered when the gate opens
        await self.gate.wait()
        if self.fail is not None:
            raise self.fail
        return rows

    async def list_accounts(self) -> list[Account]:
        return await self._catalog.list_accounts()


def _loader(
    catalog: AsyncCatalog, policy: ExpiryPolicy | None = None
) -> tuple[SnapshotLoader, CountingCatalog]:
    counting = CountingCatalog(catalog)
    return SnapshotLoader(counting, policy or ExpiryPolicy()), counting  # type: ignore[arg-type]


async def test_the_tables_share_one_read_while_nothing_changes(catalog: AsyncCatalog) -> None:
    loader, counting = _loader(catalog)
    counting.gate.clear()
    first = asyncio.ensure_future(loader.snapshot())
    second = asyncio.ensure_future(loader.snapshot())
    await asyncio.sleep(0.05)
    counting.gate.set()
    a, b = await first, await second
    assert a is b, "two tables loading at once: one read"
    assert [h.credential.label for h in a.held] == ["key 0", "key 1", "key 2"]
    assert [x.name for x in a.accounts] == ["Prod"]
    assert a.held[0].account is a.accounts[0], "the credentials hold the snapshot's accounts"
    assert await loader.snapshot() is a
    assert counting.reads == 1


async def test_a_write_in_this_process_or_another_is_read_at_the_next_call(
    catalog: AsyncCatalog, tmp_path: Path
) -> None:
    loader, counting = _loader(catalog)
    before = await loader.snapshot()
    await catalog.upsert_credential(Credential(id="new", kind=CredentialKind.API_KEY, label="new"))
    mine = await loader.snapshot()
    assert mine is not before and "new" in [h.credential.id for h in mine.held]
    other = Catalog(tmp_path / "catalog.sqlite3")  # another TokenDeck process
    try:
        other.delete_credential("k0")
    finally:
        other.close()
    theirs = await loader.snapshot()
    assert "k0" not in [h.credential.id for h in theirs.held]
    assert counting.reads == 3


async def test_a_write_during_a_read_is_seen_by_the_next_call(catalog: AsyncCatalog) -> None:
    loader, counting = _loader(catalog)
    counting.gate.clear()
    reading = asyncio.ensure_future(loader.snapshot())
    await asyncio.sleep(0.05)
    await catalog.delete_credential("k1")
    joined = asyncio.ensure_future(loader.snapshot())  # after the write: not that read's
    await asyncio.sleep(0.05)
    counting.gate.set()
    await reading
    assert "k1" not in [h.credential.id for h in (await joined).held]
    assert "k1" not in [h.credential.id for h in (await loader.snapshot()).held]


async def test_a_changed_policy_is_a_new_snapshot(catalog: AsyncCatalog) -> None:
    policy = ExpiryPolicy()
    loader, counting = _loader(catalog, policy)
    before = await loader.snapshot()
    policy.thresholds = (timedelta(days=30),)
    after = await loader.snapshot()
    assert after is not before
    assert after.held[0].thresholds == (timedelta(days=30),)
    policy.auto_refresh = False
    assert await loader.snapshot() is not after
    assert counting.reads == 3


async def test_a_caller_that_gives_up_does_not_cancel_the_read_of_the_others(
    catalog: AsyncCatalog,
) -> None:
    loader, counting = _loader(catalog)
    counting.gate.clear()
    abandoned = asyncio.ensure_future(loader.snapshot())
    waiting = asyncio.ensure_future(loader.snapshot())
    await asyncio.sleep(0.05)
    abandoned.cancel()
    await asyncio.sleep(0)
    counting.gate.set()
    assert len((await waiting).held) == 3
    assert counting.reads == 1


async def test_a_failed_read_reaches_every_caller_and_the_next_call_reads_again(
    catalog: AsyncCatalog,
) -> None:
    loader, counting = _loader(catalog)
    counting.gate.clear()
    counting.fail = RuntimeError("database is locked")
    calls = [asyncio.ensure_future(loader.snapshot()) for _ in range(2)]
    await asyncio.sleep(0.05)
    counting.gate.set()
    for call in calls:
        with pytest.raises(RuntimeError, match="locked"):
            await call
    counting.fail = None
    assert len((await loader.snapshot()).held) == 3
    assert counting.reads == 2
