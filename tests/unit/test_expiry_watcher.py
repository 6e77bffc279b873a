from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tokendeck.core.clock import ManualClock
from tokendeck.core.models import (
    AccountSettings,
    Credential,
    CredentialKind,
    CredentialRole,
    CredentialState,
)
from tokendeck.services.events import EventBus, ExpirySummary, ExpiryWarning
from tokendeck.services.expiry_watcher import ExpiryWatcher
from tokendeck.services.standing import HeldCredential, worst_state
from tokendeck.storage.async_catalog import AsyncCatalog
from tokendeck.storage.catalog import Catalog

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
    await catalog.upsert_credential(
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
        role=CredentialRole.SESSION,
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
    account = await catalog.add_account(
        Account(
            id="",
            name="strict",
            platform=Platform.HAUT,
            host="h",
            settings=AccountSettings(warn_thresholds=(3 * 86400,)),
        ),
    )
    await catalog.upsert_credential(
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


def _key(
    id: str,
    expires_at: datetime | None,
    state: CredentialState = CredentialState.ACTIVE,
    **fields: object,
) -> Credential:
    return Credential(
        id=id,
        kind=CredentialKind.API_KEY,
        label=f"key {id}",
        expires_at=expires_at,
        state=state,
        **fields,  # type: ignore[arg-type]
    )


async def _store(catalog: AsyncCatalog, *credentials: Credential) -> None:
    for credential in credentials:
        await catalog.upsert_credential(credential)


class Published:
    def __init__(self, bus: EventBus) -> None:
        self.events: list[object] = []
        bus.subscribe(ExpiryWarning, self.events.append)
        bus.subscribe(ExpirySummary, self.events.append)


async def test_a_threshold_fires_when_exactly_that_much_time_is_left(
    catalog: AsyncCatalog,
) -> None:
    clock = ManualClock(START)
    await _store(catalog, _key("k", START + timedelta(days=7)))
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    assert [(w.threshold, w.expired) for w in await watcher.check()] == [(timedelta(days=7), False)]
    clock.set(START + timedelta(days=6))
    assert [(w.threshold, w.expired) for w in await watcher.check()] == [(timedelta(days=1), False)]
    clock.set(START + timedelta(days=7) - timedelta(minutes=10))
    fired = await watcher.check()
    assert [(w.threshold, w.expired) for w in fired] == [(timedelta(minutes=10), False)]
    assert fired[0].expires_at == START + timedelta(days=7)
    assert fired[0].credential.id == "k"


async def test_a_key_expires_at_its_expiry_instant(catalog: AsyncCatalog) -> None:
    clock = ManualClock(START)
    await _store(catalog, _key("k", START + timedelta(minutes=5)))
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    assert [(w.threshold, w.expired) for w in await watcher.check()] == [
        (timedelta(minutes=10), False)
    ]
    clock.set(START + timedelta(minutes=5) - timedelta(microseconds=1))
    assert await watcher.check() == [], "not expired a microsecond before"
    clock.set(START + timedelta(minutes=5))
    assert [(w.threshold, w.expired) for w in await watcher.check()] == [(timedelta(0), True)]
    clock.advance(timedelta(days=30))
    assert await watcher.check() == [], "the expiry is reported once"


async def test_a_key_an_hour_from_expiry_is_not_reported_expired(catalog: AsyncCatalog) -> None:
    clock = ManualClock(START)
    await _store(catalog, _key("k", START + timedelta(minutes=30)))
    fired = await ExpiryWatcher(catalog, EventBus(), clock).check()
    assert [(w.threshold, w.expired) for w in fired] == [(timedelta(hours=1), False)]


async def test_a_key_found_already_expired_gets_one_expired_warning(
    catalog: AsyncCatalog,
) -> None:
    clock = ManualClock(START)
    await _store(catalog, _key("k", START - timedelta(days=2)))
    bus = EventBus()
    published = Published(bus)
    watcher = ExpiryWatcher(catalog, bus, clock)
    fired = await watcher.check()
    assert [(w.threshold, w.expired) for w in fired] == [(timedelta(0), True)]
    assert published.events == fired
    assert await watcher.check() == [], "every threshold it passed was marked at once"
    assert await ExpiryWatcher(catalog, bus, clock).check() == []


@pytest.mark.parametrize("expires_in", [timedelta(hours=2), timedelta(0), -timedelta(days=1)])
async def test_a_revoked_key_never_warns(catalog: AsyncCatalog, expires_in: timedelta) -> None:
    await _store(catalog, _key("r", START + expires_in, CredentialState.REVOKED))
    bus = EventBus()
    published = Published(bus)
    assert await ExpiryWatcher(catalog, bus, ManualClock(START)).check() == []
    assert published.events == []


async def test_a_key_without_an_expiry_never_warns(catalog: AsyncCatalog) -> None:
    await _store(catalog, _key("n", None), _key("k", START + timedelta(hours=2)))
    fired = await ExpiryWatcher(catalog, EventBus(), ManualClock(START)).check()
    assert [w.credential.id for w in fired] == ["k"]


async def _signed_in_session(catalog: AsyncCatalog, expires_at: datetime) -> None:
    from tokendeck.core.models import Account, AccountStatus, Platform

    account = await catalog.add_account(
        Account(
            id="", name="haut", platform=Platform.HAUT, host="h", status=AccountStatus.SIGNED_IN
        ),
    )
    await _store(
        catalog,
        Credential(
            id="s",
            kind=CredentialKind.SESSION_TOKEN,
            label="session",
            account_id=account.id,
            expires_at=expires_at,
            role=CredentialRole.SESSION,
        ),
    )


async def test_a_session_tokendeck_renews_never_warns_unless_renewal_is_off(
    catalog: AsyncCatalog,
) -> None:
    from tokendeck.services.standing import ExpiryPolicy

    await _signed_in_session(catalog, START + timedelta(minutes=5))
    clock = ManualClock(START)
    assert await ExpiryWatcher(catalog, EventBus(), clock).check() == []
    off = ExpiryWatcher(catalog, EventBus(), clock, ExpiryPolicy(auto_refresh=False))
    assert [w.credential.id for w in await off.check()] == ["s"]


async def test_the_watchers_policy_decides_the_thresholds(catalog: AsyncCatalog) -> None:
    from tokendeck.services.standing import ExpiryPolicy

    await _store(catalog, _key("k", START + timedelta(days=3)))
    clock = ManualClock(START)
    strict = ExpiryWatcher(
        catalog, EventBus(), clock, ExpiryPolicy(thresholds=(timedelta(days=2),))
    )
    assert await strict.check() == [], "3 days left is outside 2 days"
    clock.advance(timedelta(days=1))
    assert [w.threshold for w in await strict.check()] == [timedelta(days=2)]


async def test_several_warnings_at_once_are_one_summary_and_each_is_remembered(
    catalog: AsyncCatalog,
) -> None:
    await _store(
        catalog,
        _key("a", START + timedelta(hours=2)),
        _key("b", START + timedelta(days=3)),
        _key("c", START + timedelta(days=30)),
    )
    bus = EventBus()
    published = Published(bus)
    clock = ManualClock(START)
    fired = await ExpiryWatcher(catalog, bus, clock).check()
    assert sorted((w.credential.id, w.threshold) for w in fired) == [
        ("a", timedelta(days=1)),
        ("b", timedelta(days=7)),
    ]
    assert published.events == [ExpirySummary(tuple(fired))]
    assert await ExpiryWatcher(catalog, bus, clock).check() == [], "both were marked"
    assert await catalog.fired_all() == {
        "a": {7 * 86400, 86400},
        "b": {7 * 86400},
    }


async def test_one_warning_is_published_as_it_is(catalog: AsyncCatalog) -> None:
    await _store(catalog, _key("a", START + timedelta(hours=2)))
    bus = EventBus()
    published = Published(bus)
    fired = await ExpiryWatcher(catalog, bus, ManualClock(START)).check()
    assert len(fired) == 1
    assert published.events == [fired[0]]


async def test_nothing_due_publishes_nothing(catalog: AsyncCatalog) -> None:
    await _store(catalog, _key("a", START + timedelta(days=30)))
    bus = EventBus()
    published = Published(bus)
    assert await ExpiryWatcher(catalog, bus, ManualClock(START)).check() == []
    assert published.events == []


class _Stop(BaseException):
    pass


async def test_the_watcher_loop_survives_a_failed_check_and_waits_its_interval(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import types

    from tokendeck.services import expiry_watcher

    checks: list[int] = []
    waits: list[float] = []

    class Flaky(ExpiryWatcher):
        async def check(self) -> list[ExpiryWarning]:
            checks.append(len(checks))
            if len(checks) == 1:
                raise RuntimeError("database is locked")
            return []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise _Stop

    monkeypatch.setattr(expiry_watcher, "asyncio", types.SimpleNamespace(sleep=sleep))
    watcher = Flaky(None, EventBus(), ManualClock(START))  # type: ignore[arg-type]
    with pytest.raises(_Stop):
        await watcher.run(interval=2.5)
    assert checks == [0, 1, 2]
    assert waits == [2.5, 2.5, 2.5]
    assert [r.getMessage() for r in caplog.records] == ["expiry check failed"]
    assert caplog.records[0].exc_info is not None
    waits.clear()
    with pytest.raises(_Stop):
        await watcher.run()
    assert waits == [15.0, 15.0, 15.0]


def _held(*credentials: Credential) -> list[HeldCredential]:
    from tokendeck.services.standing import ExpiryPolicy

    return ExpiryPolicy(thresholds=(timedelta(days=1),)).hold_all(credentials, {})


def test_worst_state_never_counts_a_revoked_key() -> None:
    revoked_expired = _key("r", START - timedelta(days=1), CredentialState.REVOKED)
    revoked_soon = _key("q", START + timedelta(hours=1), CredentialState.REVOKED)
    soon = _key("a", START + timedelta(hours=2))
    assert worst_state(_held(revoked_expired), START) == ("ok", None)
    assert worst_state(_held(revoked_soon, revoked_expired), START) == ("ok", None)
    state, worst = worst_state(_held(revoked_expired, soon, revoked_soon), START)
    assert (state, worst.credential.id if worst else None) == ("warning", "a")


def test_worst_state_is_the_credential_that_most_needs_a_person() -> None:
    soon = _key("soon", START + timedelta(hours=20))
    sooner = _key("sooner", START + timedelta(hours=2))
    expired = _key("expired", START - timedelta(hours=1))
    expired_earlier = _key("expired_earlier", START - timedelta(days=3))
    fine = _key("fine", START + timedelta(days=3))
    never = _key("never", None)

    def worst(*credentials: Credential) -> tuple[str, str | None]:
        state, held = worst_state(_held(*credentials), START)
        return state, held.credential.id if held else None

    assert worst(fine, never) == ("ok", None)
    assert worst(soon, fine) == ("warning", "soon")
    assert worst(soon, sooner, fine) == ("warning", "sooner")
    assert worst(sooner, soon) == ("warning", "sooner")
    assert worst(soon, expired, sooner) == ("expired", "expired")
    assert worst(expired, expired_earlier) == ("expired", "expired_earlier")
    assert worst(_key("edge", START + timedelta(days=1))) == ("warning", "edge")
    assert worst(_key("now", START)) == ("expired", "now")


async def test_a_credential_passed_over_never_stops_the_ones_after_it(
    catalog: AsyncCatalog,
) -> None:
    clock = ManualClock(START)
    # Listed by label: every kind of credential the watcher passes over comes first.
    await _store(
        catalog,
        _key("a", None),
        _key("b", START + timedelta(hours=2), CredentialState.REVOKED),
        _key("c", START + timedelta(days=30)),
        _key("d", START + timedelta(hours=2)),
    )
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    assert [w.credential.id for w in await watcher.check()] == ["d"]
    await _store(catalog, _key("z", START + timedelta(hours=2)))
    assert [w.credential.id for w in await watcher.check()] == ["z"], "d already fired"


# -- what a check reads: only what may be due ----------------------------------------------------


async def _account_warning_within(catalog: AsyncCatalog, name: str, *seconds: int) -> str:
    from tokendeck.core.models import Account, Platform

    account = await catalog.add_account(
        Account(
            id="",
            name=name,
            platform=Platform.HAUT,
            host="h",
            settings=AccountSettings.from_json({"warn_thresholds": list(seconds)}),
        ),
    )
    return account.id


class Reads:
    """What a check asked of the catalog: the SQL it ran, the due rows, the fired ids asked."""

    def __init__(self, catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch) -> None:
        self.statements: list[str] = []
        self.due: list[str] = []
        self.fired_asked: list[list[str]] = []
        catalog._sync._db.set_trace_callback(self.statements.append)
        due_credentials, fired_for = Catalog.due_credentials, Catalog.fired_for

        def due_spy(sync: Catalog, horizon: datetime) -> tuple[list[Credential], dict[str, Any]]:
            credentials, accounts = due_credentials(sync, horizon)
            self.due += [c.id for c in credentials]
            return credentials, accounts

        def fired_spy(sync: Catalog, ids: list[str]) -> dict[str, set[int]]:
            self.fired_asked.append(sorted(ids))
            return fired_for(sync, ids)

        monkeypatch.setattr(Catalog, "due_credentials", due_spy)
        monkeypatch.setattr(Catalog, "fired_for", fired_spy)

    def selects(self) -> list[str]:
        return [s for s in self.statements if s.lstrip().upper().startswith("SELECT")]


async def test_a_key_due_only_under_its_accounts_own_wider_threshold_warns(
    catalog: AsyncCatalog,
) -> None:
    wide = await _account_warning_within(catalog, "wide", 30 * 86400, 86400)
    await _store(
        catalog,
        _key("own", START + timedelta(days=30), account_id=wide),
        _key("plain", START + timedelta(days=20)),
    )
    clock = ManualClock(START)
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    fired = await watcher.check()
    assert [(w.credential.id, w.threshold) for w in fired] == [("own", timedelta(days=30))]
    clock.advance(timedelta(days=13))
    assert [(w.credential.id, w.threshold) for w in await watcher.check()] == [
        ("plain", timedelta(days=7))
    ]


async def test_a_key_beyond_every_threshold_is_not_even_read(
    catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    wide = await _account_warning_within(catalog, "wide", 30 * 86400)
    far = [_key(f"far{i:02}", START + timedelta(days=31 + i)) for i in range(40)]
    await _store(
        catalog,
        _key("near", START + timedelta(hours=2)),
        _key("own", START + timedelta(days=25), account_id=wide),
        _key("within", START + timedelta(days=10)),  # inside the horizon, not its thresholds
        _key("gone", START - timedelta(days=400)),
        _key("revoked", START + timedelta(hours=1), CredentialState.REVOKED),
        _key("never", None),
        *far,
    )
    await catalog.mark_fired("far00", 7 * 86400)
    reads = Reads(catalog, monkeypatch)
    fired = await ExpiryWatcher(catalog, EventBus(), ManualClock(START)).check()
    assert sorted(w.credential.id for w in fired) == ["gone", "near", "own"]
    assert sorted(reads.due) == ["gone", "near", "own", "within"], "the far keys are not read"
    assert reads.fired_asked == [["gone", "near", "own", "within"]]
    selects = reads.selects()
    assert len(selects) == 4, selects  # widest threshold, due keys, their accounts, fired
    assert all(" WHERE " in s for s in selects if "FROM credentials" in s)
    assert all(" WHERE " in s for s in selects if "FROM notifications" in s)


async def test_a_check_with_nothing_due_reads_no_notification_and_writes_nothing(
    catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    await _store(catalog, *(_key(f"far{i}", START + timedelta(days=8 + i)) for i in range(20)))
    await _signed_in_session(catalog, START + timedelta(minutes=5))
    reads = Reads(catalog, monkeypatch)
    assert await ExpiryWatcher(catalog, EventBus(), ManualClock(START)).check() == []
    assert reads.due == ["s"], "only the session is due, and TokenDeck renews it"
    assert reads.fired_asked == []
    assert len(reads.selects()) == 3
    assert len(reads.statements) == 4, reads.statements  # and the catalog's version


async def test_a_key_passed_over_inside_the_horizon_never_stops_the_ones_after_it(
    catalog: AsyncCatalog,
) -> None:
    narrow = await _account_warning_within(catalog, "narrow", 3600)
    # Listed by label: each kind of due credential the check passes over comes first.
    await _store(
        catalog,
        _key("a", START + timedelta(hours=2), account_id=narrow),  # outside its own 1 hour
        _key("b", START + timedelta(hours=2)),  # fired already
        _key("d", START + timedelta(hours=2)),
    )
    await catalog.mark_fired_many([("b", 7 * 86400), ("b", 86400)])
    fired = await ExpiryWatcher(catalog, EventBus(), ManualClock(START)).check()
    assert [w.credential.id for w in fired] == ["d"]


def test_the_horizon_is_now_plus_the_widest_threshold_that_can_apply() -> None:
    from tokendeck.services.standing import ExpiryPolicy

    def horizon(account_widest: float | None, *policy: timedelta) -> timedelta | datetime:
        watcher = ExpiryWatcher(
            None,  # type: ignore[arg-type]
            EventBus(),
            ManualClock(START),
            ExpiryPolicy(thresholds=policy),
        )
        found = watcher.horizon(START, account_widest)
        return found - START if found.year < 9999 else found

    week, day = timedelta(days=7), timedelta(days=1)
    assert horizon(None, day, week) == week
    assert horizon(3600, week, day) == week, "the policy's is wider"
    assert horizon(30 * 86400, week) == timedelta(days=30), "an account's own is wider"
    assert horizon(30 * 86400 + 0.25, week) == timedelta(days=30, seconds=1), "never narrower"
    assert horizon(None) == timedelta(0), "no threshold: only what has expired"
    assert horizon(-60.0) == timedelta(0)
    assert horizon(None, -day) == timedelta(0)
    assert horizon(1e15, week) == datetime.max.replace(tzinfo=UTC), "millennia: every expiry"


# -- a read reused while nothing changes ------------------------------------------------------


async def test_an_unchanged_catalog_is_checked_from_the_last_read_and_time_still_fires(
    catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Idle checks read the catalog's version only; a threshold crossed by time alone, for a key
    read ahead by the first check, still fires."""
    await _store(
        catalog,
        _key("soon", START + timedelta(days=7, minutes=30)),  # the 7-day threshold in 30 min
        *(_key(f"far{i}", START + timedelta(days=40 + i)) for i in range(5)),
    )
    clock = ManualClock(START)
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    reads = Reads(catalog, monkeypatch)
    assert await watcher.check() == []
    assert reads.due == ["soon"], "read ahead: due in 30 minutes"
    reads.statements.clear()
    clock.advance(timedelta(minutes=15))
    assert await watcher.check() == []
    assert reads.statements == ["PRAGMA data_version"], "nothing changed: nothing read"
    clock.advance(timedelta(minutes=15))
    assert [w.credential.id for w in await watcher.check()] == ["soon"]
    assert reads.due == ["soon"], "fired from the same read"
    reads.statements.clear()
    assert await watcher.check() == [], "its mark was a write: read again, and remembered"
    assert reads.due == ["soon", "soon"]


async def test_a_write_here_or_in_another_process_is_read_at_the_next_check(
    catalog: AsyncCatalog, tmp_path: Path
) -> None:
    clock = ManualClock(START)
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    assert await watcher.check() == []
    await _store(catalog, _key("mine", START + timedelta(hours=2)))
    assert [w.credential.id for w in await watcher.check()] == ["mine"]
    other = Catalog(tmp_path / "c.sqlite3")  # another TokenDeck process on the same profile
    try:
        other.upsert_credential(_key("theirs", START + timedelta(hours=3)))
    finally:
        other.close()
    assert [w.credential.id for w in await watcher.check()] == ["theirs"]


async def test_time_beyond_the_read_or_a_new_policy_reads_again(
    catalog: AsyncCatalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tokendeck.services.expiry_watcher import READ_AHEAD

    await _store(catalog, _key("later", START + timedelta(days=7) + READ_AHEAD * 3))
    clock = ManualClock(START)
    watcher = ExpiryWatcher(catalog, EventBus(), clock)
    reads = Reads(catalog, monkeypatch)
    assert await watcher.check() == []
    assert reads.due == [], "beyond the read"
    clock.advance(READ_AHEAD * 3)
    assert [w.credential.id for w in await watcher.check()] == ["later"]
    await _store(catalog, _key("month", START + timedelta(days=20)))
    assert await watcher.check() == []
    reads.statements.clear()
    watcher.policy.thresholds = (timedelta(days=30),)
    fired = sorted(w.credential.id for w in await watcher.check())
    assert fired == ["later", "month"], "the new 30-day threshold, for each"
    assert any("FROM credentials" in s for s in reads.statements), "the policy changed: read"
