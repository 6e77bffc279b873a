from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tokendeck.core.clock import ManualClock
from tokendeck.core.models import Credential, CredentialKind
from tokendeck.services.events import EventBus, ExpiryWarning
from tokendeck.services.expiry_watcher import ExpiryWatcher, worst_state
from tokendeck.storage.catalog import AsyncCatalog, Catalog

START = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
async def catalog(tmp_path: Path) -> AsyncIterator[AsyncCatalog]:
    opened = await AsyncCatalog.open(tmp_path / "c.sqlite3")
    yield opened
    await opened.aclose()


async def test_each_threshold_fires_once_and_is_remembered(catalog: AsyncCatalog) -> None:
    clock = ManualClock(START)
    bus = EventBus()
    seen: list[ExpiryWarning] = []
    bus.subscribe(ExpiryWarning, seen.append)
    await catalog.run(
        Catalog.upsert_credential,
        catalog.sync,
        Credential(
            id="k", kind=CredentialKind.API_KEY, label="key", expires_at=START + timedelta(days=8)
        ),
    )
    watcher = ExpiryWatcher(catalog, bus, clock)
    assert await watcher.check() == []
    clock.advance(timedelta(days=1, minutes=1))
    assert [w.threshold for w in await watcher.check()] == [timedelta(days=7)]
    assert await watcher.check() == []
    restarted = ExpiryWatcher(catalog, bus, clock)
    assert await restarted.check() == [], "fired thresholds are remembered across restarts"
    clock.advance(timedelta(days=6, hours=23, minutes=55))
    fired = await restarted.check()
    assert [w.threshold for w in fired] == [timedelta(minutes=10)], "only the tightest crossed"
    clock.advance(timedelta(minutes=10))
    fired = await restarted.check()
    assert [w.expired for w in fired] == [True]
    assert len(seen) == 3


async def test_worst_state(catalog: AsyncCatalog) -> None:
    clock = ManualClock(START)
    soon = Credential(
        id="a", kind=CredentialKind.API_KEY, label="a", expires_at=START + timedelta(hours=2)
    )
    later = Credential(
        id="b", kind=CredentialKind.API_KEY, label="b", expires_at=START + timedelta(days=30)
    )
    assert worst_state([later], clock, timedelta(days=1)) == ("ok", later)
    assert worst_state([soon, later], clock, timedelta(days=1)) == ("warning", soon)
    clock.advance(timedelta(hours=3))
    assert worst_state([soon, later], clock, timedelta(days=1))[0] == "expired"
    assert worst_state([], clock, timedelta(days=1)) == ("ok", None)


async def test_per_account_thresholds_override_the_global_ones(catalog: AsyncCatalog) -> None:
    from tokendeck.core.models import Account, Platform

    clock = ManualClock(START)
    account = await catalog.run(
        Catalog.add_account,
        catalog.sync,
        Account(
            id="",
            name="strict",
            platform=Platform.HAUT,
            host="h",
            settings={"warn_thresholds": [3 * 86400]},
        ),
    )
    await catalog.run(
        Catalog.upsert_credential,
        catalog.sync,
        Credential(
            id="k",
            kind=CredentialKind.API_KEY,
            label="key",
            account_id=account.id,
            expires_at=START + timedelta(days=5),
        ),
    )
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    assert await watcher.check() == [], "the global 7 days does not apply to this account"
    clock.advance(timedelta(days=2, minutes=1))
    assert [w.threshold for w in await watcher.check()] == [timedelta(days=3)]
