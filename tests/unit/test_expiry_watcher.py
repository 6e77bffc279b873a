from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tokendeck.core.clock import ManualClock
from tokendeck.core.models import Credential, CredentialKind, CredentialState
from tokendeck.services.events import EventBus, ExpiryWarning
from tokendeck.services.expiry_watcher import ExpiryWatcher, worst_state
from tokendeck.services.standing import HeldCredential
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


async def test_worst_state_counts_only_what_needs_a_person() -> None:
    from tokendeck.core.models import Account, AccountStatus, Platform
    from tokendeck.services.standing import ExpiryPolicy

    policy = ExpiryPolicy(thresholds=(timedelta(days=1),))
    soon = Credential(
        id="a", kind=CredentialKind.API_KEY, label="a", expires_at=START + timedelta(hours=2)
    )
    later = Credential(
        id="b", kind=CredentialKind.API_KEY, label="b", expires_at=START + timedelta(days=30)
    )
    account = Account(
        id="x", name="x", platform=Platform.HAUT, host="h", status=AccountStatus.SIGNED_IN
    )
    session = Credential(
        id="s",
        kind=CredentialKind.SESSION_TOKEN,
        label="s",
        account_id="x",
        expires_at=START + timedelta(minutes=5),
        meta={"role": "session"},
    )
    revoked = Credential(
        id="r",
        kind=CredentialKind.API_KEY,
        label="r",
        expires_at=START - timedelta(days=1),
        state=CredentialState.REVOKED,
    )

    def held(*credentials: Credential) -> list[HeldCredential]:
        return policy.hold_all(credentials, {"x": account})

    assert worst_state(held(later, session, revoked), START) == ("ok", None)
    state, worst = worst_state(held(soon, later, session), START)
    assert (state, worst.credential if worst else None) == ("warning", soon)
    state, worst = worst_state(held(soon, later), START + timedelta(hours=3))
    assert (state, worst.credential if worst else None) == ("expired", soon)
    assert worst_state([], START) == ("ok", None)


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
