"""What accounts hold, read for many accounts in one catalog call: those asked for in the same
turn of the event loop share a call; a read never starts before it was asked for; a failure
reaches every reader of its batch; a reader that gives up leaves the others their answer."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest

from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.services.held_reads import HeldReads
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog


@pytest.fixture
async def catalog(tmp_path: Path) -> AsyncIterator[AsyncCatalog]:
    opened = await AsyncCatalog.open(tmp_path / "c.sqlite3")
    yield opened
    await opened.aclose()


def _calls(catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The arguments of each catalog call from now on."""
    calls: list[Any] = []
    run = catalog._call

    async def counted(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(catalog, "_call", counted)
    return calls


async def _accounts(catalog: AsyncCatalog, *names: str) -> list[Account]:
    made = []
    for name in names:
        account = catalog._sync.add_account(
            Account(id="", name=name, platform=Platform.HAUT, host="https://h.example")
        )
        for label in ("b", "a"):
            catalog._sync.upsert_credential(
                Credential(
                    id="",
                    kind=CredentialKind.API_KEY,
                    label=f"{name} {label}",
                    account_id=account.id,
                )
            )
        made.append(account)
    return made


async def test_accounts_asked_for_together_are_read_in_one_call(
    catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = await _accounts(catalog, "one", "two")
    calls = _calls(catalog, monkeypatch)
    reads = HeldReads(catalog)
    got = await asyncio.gather(reads.of(one.id), reads.of(two.id), reads.of(one.id))
    assert calls == [({one.id, two.id},)]
    assert got[0] == (one, catalog._sync.list_credentials(one.id))
    assert [c.label for c in got[0][1]] == ["one a", "one b"]
    assert got[1] == (two, catalog._sync.list_credentials(two.id))
    assert got[2] == got[0] and got[2][1] is not got[0][1], "each reader gets its own list"
    assert await reads.of("gone") == (None, [])
    assert len(calls) == 2


async def test_a_read_asked_for_while_one_is_under_way_waits_for_a_fresh_one(
    catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    (account,) = await _accounts(catalog, "one")
    run = catalog._call
    calls: list[Any] = []
    gate = asyncio.Event()

    async def gated(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        calls.append(args)
        if len(calls) == 1:
            await gate.wait()
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(catalog, "_call", gated)
    reads = HeldReads(catalog)
    first = asyncio.ensure_future(reads.of(account.id))
    while not calls:  # until the first batch's call has begun
        await asyncio.sleep(0)
    await run(
        Catalog.upsert_credential,
        Credential(id="", kind=CredentialKind.API_KEY, label="later", account_id=account.id),
    )
    second = asyncio.ensure_future(reads.of(account.id))
    try:
        for _ in range(100):  # (no timeout: a wrong batch would wait on the gate for ever)
            if len(calls) == 2:
                break
            await asyncio.sleep(0)
        assert calls == [({account.id},), ({account.id},)], "a batch under way takes no one"
    finally:
        gate.set()
    assert "later" in [c.label for c in (await second)[1]]
    assert (await first)[0] == account


async def test_a_failed_read_reaches_every_reader_and_the_next_read_works(
    catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, two = await _accounts(catalog, "one", "two")
    run = catalog._call
    failing = [True]

    async def flaky(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        if failing.pop() if failing else False:
            raise OSError("disk I/O error")
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(catalog, "_call", flaky)
    reads = HeldReads(catalog)
    got = await asyncio.gather(reads.of(one.id), reads.of(two.id), return_exceptions=True)
    assert [type(g) for g in got] == [OSError, OSError]
    assert (await reads.of(one.id))[0] == one


async def test_a_reader_that_gives_up_leaves_the_others_their_answer(
    catalog: AsyncCatalog,
) -> None:
    one, two = await _accounts(catalog, "one", "two")
    reads = HeldReads(catalog)
    quitter = asyncio.ensure_future(reads.of(one.id))
    stayer = asyncio.ensure_future(reads.of(two.id))
    await asyncio.sleep(0)
    quitter.cancel()
    assert (await stayer)[0] == two
    with pytest.raises(asyncio.CancelledError):
        await quitter


def test_the_catalog_reads_accounts_and_their_credentials_in_two_queries(tmp_path: Path) -> None:
    catalog = Catalog(tmp_path / "c.sqlite3")
    try:
        a = catalog.add_account(Account(id="", name="a", platform=Platform.HAUT, host="h"))
        b = catalog.add_account(Account(id="", name="b", platform=Platform.HAUT, host="h"))
        kept = catalog.upsert_credential(
            Credential(id="", kind=CredentialKind.API_KEY, label="k", account_id=a.id)
        )
        statements: list[str] = []
        catalog._db.set_trace_callback(statements.append)
        found = catalog.accounts_and_credentials([a.id, b.id, "gone", a.id])
        assert found == {a.id: (a, [kept]), b.id: (b, []), "gone": (None, [])}
        assert len(statements) == 2
        assert catalog.accounts_and_credentials([]) == {}
    finally:
        catalog.close()
