from __future__ import annotations

import itertools
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

import pytest

from tests.flows.conftest import NoPrompt, fault
from tokendeck.core.clock import ManualClock
from tokendeck.core.errors import TokenDeckError
from tokendeck.core.models import (
    Account,
    AccountStatus,
    Credential,
    CredentialKind,
    CredentialRole,
    Platform,
)
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.services.events import EventBus, RefreshFailed
from tokendeck.services.refresh_scheduler import RefreshScheduler, due_at
from tokendeck.storage.profile import Profile


def test_due_at_is_80_percent_or_a_minute_before() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    hour = Credential(
        id="s",
        kind=CredentialKind.SESSION_TOKEN,
        label="s",
        created_at=start,
        expires_at=start + timedelta(hours=1),
    )
    due = due_at(hour)
    assert due is not None
    assert start + timedelta(minutes=45) <= due <= start + timedelta(minutes=48)
    short = Credential(
        id="t",
        kind=CredentialKind.SESSION_TOKEN,
        label="t",
        created_at=start,
        expires_at=start + timedelta(minutes=2),
    )
    due_short = due_at(short)
    assert due_short is not None
    assert due_short <= start + timedelta(minutes=1)


async def test_scheduler_refreshes_when_due_and_backs_off_on_failure(
    profile: Profile, world: SandboxWorld
) -> None:
    clock = ManualClock(datetime.now(UTC))
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True, clock=clock
    )
    failures: list[RefreshFailed] = []
    services.bus.subscribe(RefreshFailed, failures.append)
    try:
        account = await services.accounts.add(
            Account(id="", name="Haut", platform=Platform.HAUT, host=world.urls["haut"]),
            {"username": DEMO_USER},
            {"password": Secret(world.password)},
        )
        account = await services.sessions.sign_in(account)
        assert await services.scheduler.tick() == []
        clock.advance(timedelta(minutes=50))
        assert await services.scheduler.tick() == [account.id]
        clock.advance(timedelta(minutes=50))
        fault(world, "haut", "500", count=20)
        assert await services.scheduler.tick() == []
        assert len(failures) == 1
        assert "internal error" in failures[0].message
        assert (await services.accounts.get(account.id)).status is AccountStatus.ERROR
        assert await services.scheduler.tick() == [], "backing off: no second try at once"
        assert len(failures) == 1
    finally:
        await services.aclose()


def test_due_without_created_at_assumes_an_hour() -> None:
    exp = datetime(2026, 1, 2, tzinfo=UTC)
    due = due_at(Credential(id="x", kind=CredentialKind.SESSION_TOKEN, label="x", expires_at=exp))
    assert due is not None
    assert exp - timedelta(minutes=15) <= due <= exp - timedelta(minutes=12)


async def test_scheduler_retries_after_the_backoff(profile: Profile, world: SandboxWorld) -> None:
    clock = ManualClock(datetime.now(UTC))
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True, clock=clock
    )
    try:
        account = await services.accounts.add(
            Account(id="", name="Haut 2", platform=Platform.HAUT, host=world.urls["haut"]),
            {"username": DEMO_USER},
            {"password": Secret(world.password)},
        )
        await services.sessions.sign_in(account)
        clock.advance(timedelta(minutes=50))
        fault(world, "haut", "500", count=1)
        assert await services.scheduler.tick() == [], "refresh is a POST: not retried within a tick"
        clock.advance(timedelta(seconds=31))
        assert await services.scheduler.tick() == [account.id]
        assert (await services.accounts.get(account.id)).status is AccountStatus.SIGNED_IN
    finally:
        await services.aclose()


async def test_auto_refresh_off_means_no_refresh(profile: Profile, world: SandboxWorld) -> None:
    clock = ManualClock(datetime.now(UTC))
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True, clock=clock
    )
    try:
        account = await services.accounts.add(
            Account(id="", name="Haut 3", platform=Platform.HAUT, host=world.urls["haut"]),
            {"username": DEMO_USER},
            {"password": Secret(world.password)},
        )
        await services.sessions.sign_in(account)
        services.apply(services.policy.thresholds, auto_refresh=False)
        clock.advance(timedelta(minutes=55))
        assert await services.scheduler.tick() == []
        services.apply(services.policy.thresholds, auto_refresh=True)
        assert await services.scheduler.tick() == [account.id]
    finally:
        await services.aclose()


# The scheduler's policy over a fake accounts service (no platform, no catalog): what is refreshed
# when, the backoff after failures, and what is published and logged.

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class FixedSpread:
    """An rng whose `random()` is always `value` (the share of the jitter used)."""

    def __init__(self, value: float) -> None:
        self.value = value

    def random(self) -> float:
        return self.value


def _session(
    account_id: str, expires_at: datetime | None, created_at: datetime | None = None
) -> Credential:
    return Credential(
        id=f"s-{account_id}",
        kind=CredentialKind.SESSION_TOKEN,
        label="session",
        account_id=account_id,
        created_at=created_at,
        expires_at=expires_at,
        role=CredentialRole.SESSION,
    )


class FakeAccounts:
    """What the scheduler uses of AccountsService. `fail[id]` is raised by that account's next
    refreshes; a successful refresh gives the account a new one-hour session."""

    def __init__(self, clock: ManualClock) -> None:
        self.clock = clock
        self.accounts: list[Account] = []
        self.held: dict[str, list[Credential]] = {}
        self.fail: dict[str, BaseException] = {}
        self.refreshed: list[str] = []
        self.tried: list[str] = []

    def add(
        self,
        name: str,
        status: AccountStatus = AccountStatus.SIGNED_IN,
        platform: Platform = Platform.HAUT,
        expires_at: datetime | None = NOW,
        created_at: datetime | None = None,
        others: tuple[Credential, ...] = (),
    ) -> Account:
        account = Account(id=name, name=name, platform=platform, host="h", status=status)
        self.accounts.append(account)
        self.held[name] = [*others, _session(name, expires_at, created_at)]
        return account

    async def all_accounts(self) -> list[Account]:
        return list(self.accounts)

    async def sessions_by_account(
        self, statuses: Collection[AccountStatus]
    ) -> list[tuple[Account, list[Credential]]]:
        held = [
            (a, [c for c in self.held.get(a.id, []) if c.role == "session"])
            for a in sorted(self.accounts, key=lambda a: a.name)
            if a.status in statuses
        ]
        return [(a, sessions) for a, sessions in held if sessions]

    async def refresh(self, account: Account) -> None:
        self.tried.append(account.id)
        if account.id in self.fail:
            raise self.fail[account.id]
        now = self.clock.now()
        self.held[account.id] = [_session(account.id, now + timedelta(hours=1), now)]
        self.refreshed.append(account.id)


def _scheduler(
    clock: ManualClock, **kwargs: object
) -> tuple[RefreshScheduler, FakeAccounts, list[RefreshFailed]]:
    accounts = FakeAccounts(clock)
    bus = EventBus()
    failures: list[RefreshFailed] = []
    bus.subscribe(RefreshFailed, failures.append)
    scheduler = RefreshScheduler(accounts, bus, clock, **kwargs)  # type: ignore[arg-type]
    return scheduler, accounts, failures


def test_due_at_is_exact_for_a_given_spread() -> None:
    start = NOW
    hour = _session("a", start + timedelta(hours=1), start)
    # 80 % of an hour is 48 min; minus up to 5 % of the lifetime (3 min) of jitter.
    assert due_at(hour, FixedSpread(0.0)) == start + timedelta(minutes=48)  # type: ignore[arg-type]
    assert due_at(hour, FixedSpread(0.5)) == start + timedelta(minutes=46, seconds=30)  # type: ignore[arg-type]
    assert due_at(hour, FixedSpread(1.0)) == start + timedelta(minutes=45)  # type: ignore[arg-type]
    # Two minutes long: a minute before expiry comes before 80 %; jitter 6 s at most.
    short = _session("b", start + timedelta(minutes=2), start)
    assert due_at(short, FixedSpread(1.0)) == start + timedelta(seconds=54)  # type: ignore[arg-type]
    # No creation time: the lifetime is taken as an hour before expiry.
    unknown = _session("c", start + timedelta(hours=1))
    assert due_at(unknown, FixedSpread(0.0)) == start + timedelta(minutes=48)  # type: ignore[arg-type]
    assert due_at(_session("d", None), FixedSpread(0.0)) is None  # type: ignore[arg-type]


def test_due_at_draws_its_spread_from_the_given_rng() -> None:
    import random

    session = _session("a", NOW + timedelta(hours=1), NOW)
    spread = random.Random(7).random()
    assert (
        due_at(session, random.Random(7))
        == NOW + timedelta(minutes=48) - timedelta(hours=1) * 0.05 * spread
    )
    assert due_at(session) is not None


async def test_a_session_is_refreshed_exactly_when_due() -> None:
    import random

    clock = ManualClock(NOW)
    early, accounts, _ = _scheduler(clock, seed=11)
    accounts.add("a", created_at=NOW, expires_at=NOW + timedelta(hours=1))
    due = due_at(accounts.held["a"][0], random.Random(11))
    assert due is not None
    clock.set(due - timedelta(microseconds=1))
    assert await early.tick() == []
    # Each tick draws a new spread: a scheduler of the same seed draws the same first one.
    on_time = RefreshScheduler(accounts, EventBus(), clock, seed=11)  # type: ignore[arg-type]
    clock.set(due)
    assert await on_time.tick() == ["a"]
    assert await on_time.tick() == [], "the new session is not due yet"


@pytest.mark.parametrize(
    "status", [AccountStatus.SIGNED_IN, AccountStatus.OFFLINE, AccountStatus.ERROR]
)
async def test_signed_in_offline_and_failing_accounts_are_refreshed(status: AccountStatus) -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, _ = _scheduler(clock)
    accounts.add("a", status=status)
    assert await scheduler.tick() == ["a"]


async def test_an_account_that_needs_a_sign_in_is_left_alone() -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, _ = _scheduler(clock)
    accounts.add("a", status=AccountStatus.NEEDS_LOGIN)
    accounts.add("b")
    assert await scheduler.tick() == ["b"]
    assert accounts.tried == ["b"]


async def test_only_a_session_on_a_platform_that_refreshes_is_refreshed() -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, _ = _scheduler(clock)
    key = Credential(
        id="k",
        kind=CredentialKind.API_KEY,
        label="key",
        account_id="a",
        expires_at=NOW + timedelta(days=300),
    )
    accounts.add("a", others=(key,))  # the key comes first and is not a session
    accounts.add("t", platform=Platform.TRIFACTA)
    accounts.add("n", expires_at=None)  # a session without an expiry is never due
    accounts.add("k")
    accounts.held["k"] = [key]
    assert await scheduler.tick() == ["a"]
    assert accounts.tried == ["a"]


async def test_auto_refresh_off_in_the_given_policy_means_no_refresh() -> None:
    from tokendeck.services.standing import ExpiryPolicy

    clock = ManualClock(NOW)
    scheduler, accounts, _ = _scheduler(clock, policy=ExpiryPolicy(auto_refresh=False))
    accounts.add("a")
    assert not scheduler.enabled
    assert await scheduler.tick() == []
    assert accounts.tried == []
    scheduler.policy.auto_refresh = True
    assert await scheduler.tick() == ["a"]


async def _attempt_times(
    scheduler: RefreshScheduler, accounts: FakeAccounts, clock: ManualClock, attempts: int
) -> list[datetime]:
    """Tick every second until `attempts` refreshes were tried; when each was tried."""
    times: list[datetime] = []
    while len(times) < attempts:
        tried = len(accounts.tried)
        await scheduler.tick()
        if len(accounts.tried) > tried:
            times.append(clock.now())
        clock.advance(timedelta(seconds=1))
    return times


async def test_failures_back_off_from_30_seconds_doubling_up_to_15_minutes() -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, failures = _scheduler(clock)
    accounts.add("a")
    accounts.fail["a"] = TokenDeckError("The platform had an internal error.")
    times = await _attempt_times(scheduler, accounts, clock, 9)
    waits = [(later - earlier).total_seconds() for earlier, later in itertools.pairwise(times)]
    assert waits == [30, 60, 120, 240, 480, 900, 900, 900]
    assert len(failures) == 1, "a run of failures is published once"


async def test_the_backoff_holds_however_long_the_failures_go_on() -> None:
    assert RefreshScheduler._backoff(1) == timedelta(seconds=30)
    assert RefreshScheduler._backoff(6) == timedelta(minutes=15)
    assert RefreshScheduler._backoff(43) == timedelta(minutes=15)
    assert RefreshScheduler._backoff(5000) == timedelta(minutes=15)
    clock = ManualClock(NOW)
    scheduler, accounts, _ = _scheduler(clock)
    accounts.add("a")
    accounts.add("b")
    accounts.fail["a"] = TokenDeckError("down")
    for _ in range(50):
        clock.advance(timedelta(minutes=15))
        accounts.held["b"] = [_session("b", clock.now())]
        assert await scheduler.tick() == ["b"], "a long run of failures never stops the others"
    assert accounts.tried.count("a") == 50


async def test_a_success_ends_the_run_of_failures() -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, failures = _scheduler(clock)
    accounts.add("a")
    accounts.fail["a"] = TokenDeckError("first run")
    assert await scheduler.tick() == []
    clock.advance(timedelta(seconds=30))
    assert await scheduler.tick() == []  # second failure: now 60 s
    del accounts.fail["a"]
    clock.advance(timedelta(seconds=60))
    assert await scheduler.tick() == ["a"]
    # Due again an hour later; it fails again: a new run, published again, backoff from 30 s.
    accounts.fail["a"] = TokenDeckError("second run")
    clock.advance(timedelta(hours=1))
    assert await scheduler.tick() == []
    assert [f.message for f in failures] == ["first run", "second run"]
    del accounts.fail["a"]
    clock.advance(timedelta(seconds=29))
    assert await scheduler.tick() == []
    clock.advance(timedelta(seconds=1))
    assert await scheduler.tick() == ["a"]


async def test_a_clock_set_back_after_a_recovery_does_not_revive_the_old_backoff() -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, _ = _scheduler(clock)
    accounts.add("a")
    accounts.fail["a"] = TokenDeckError("down")
    assert await scheduler.tick() == []  # waits until NOW + 30 s
    del accounts.fail["a"]
    clock.advance(timedelta(seconds=30))
    assert await scheduler.tick() == ["a"]
    clock.set(NOW + timedelta(seconds=10))  # the system clock is corrected backwards
    accounts.held["a"] = [_session("a", NOW)]  # and the session is due
    assert await scheduler.tick() == ["a"]


async def test_a_failure_is_published_once_with_the_platforms_words() -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, failures = _scheduler(clock)
    accounts.add("a")
    accounts.fail["a"] = TokenDeckError("Refused.", platform_message="Token revoked", status=401)
    assert await scheduler.tick() == []
    assert failures == [
        RefreshFailed("a", "a", "Refused. The platform said: Token revoked (HTTP 401)")
    ]


async def test_one_accounts_failure_never_stops_the_others(
    caplog: pytest.LogCaptureFixture,
) -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, failures = _scheduler(clock)
    accounts.add("broken")
    accounts.add("failing")
    accounts.add("fine")
    accounts.fail["broken"] = KeyError("bug")
    accounts.fail["failing"] = TokenDeckError("down")
    with caplog.at_level("WARNING", logger="tokendeck.services.refresh_scheduler"):
        assert await scheduler.tick() == ["fine"]
    assert failures == [
        RefreshFailed("broken", "broken", "Unexpected error (KeyError)."),
        RefreshFailed("failing", "failing", "down"),
    ]
    logged = [(r.levelname, r.getMessage(), r.exc_info is not None) for r in caplog.records]
    assert logged == [
        ("ERROR", "auto-refresh of account broken raised", True),
        (
            "WARNING",
            "auto-refresh of account broken failed (1): Unexpected error (KeyError).",
            False,
        ),
        ("WARNING", "auto-refresh of account failing failed (1): down", False),
    ]
    caplog.clear()
    clock.advance(timedelta(seconds=30))
    with caplog.at_level("WARNING", logger="tokendeck.services.refresh_scheduler"):
        assert await scheduler.tick() == []
    assert [r.getMessage() for r in caplog.records if r.levelname == "WARNING"] == [
        "auto-refresh of account broken failed (2): Unexpected error (KeyError).",
        "auto-refresh of account failing failed (2): down",
    ]
    assert len(failures) == 2, "the retries are quiet"


class _Stop(BaseException):
    pass


async def test_the_scheduler_loop_survives_a_failed_tick_and_waits_its_interval(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import types

    from tokendeck.services import refresh_scheduler

    ticks: list[int] = []
    waits: list[float] = []

    class Flaky(RefreshScheduler):
        async def tick(self) -> list[str]:
            ticks.append(len(ticks))
            if len(ticks) == 1:
                raise RuntimeError("catalog is busy")
            return []

    async def sleep(seconds: float) -> None:
        waits.append(seconds)
        if len(waits) == 3:
            raise _Stop

    monkeypatch.setattr(refresh_scheduler, "asyncio", types.SimpleNamespace(sleep=sleep))
    fake = FakeAccounts(ManualClock(NOW))
    scheduler = Flaky(fake, EventBus(), ManualClock(NOW))  # type: ignore[arg-type]
    with pytest.raises(_Stop):
        await scheduler.run(interval=0.5)
    assert ticks == [0, 1, 2]
    assert waits == [0.5, 0.5, 0.5]
    assert [r.getMessage() for r in caplog.records] == ["refresh scheduler tick failed"]
    assert caplog.records[0].exc_info is not None
    waits.clear()
    with pytest.raises(_Stop):
        await scheduler.run()
    assert waits == [5.0, 5.0, 5.0]


async def test_an_account_passed_over_never_stops_the_ones_after_it() -> None:
    clock = ManualClock(NOW)
    scheduler, accounts, _ = _scheduler(clock)
    accounts.add("a")
    accounts.fail["a"] = TokenDeckError("down")
    assert await scheduler.tick() == []  # "a" now backs off for 30 s
    accounts.add("b", platform=Platform.TRIFACTA)  # no session TokenDeck renews
    accounts.add("c", expires_at=NOW + timedelta(days=1))  # not due yet
    accounts.add("d")
    clock.advance(timedelta(seconds=1))
    assert await scheduler.tick() == ["d"]


async def test_a_tick_reads_the_same_few_rows_sets_whatever_the_number_of_accounts(
    profile: Profile,
) -> None:
    """Two queries a tick (the sessions, then their accounts), never one per account."""
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
    )
    try:
        catalog = services.catalog
        statements: list[str] = []

        async def selects_in_a_tick(accounts: int) -> int:
            for i in range(len(await services.accounts.all_accounts()), accounts):
                account = await catalog.add_account(
                    Account(id="", name=f"a{i}", platform=Platform.HAUT, host="https://h.test"),
                )
                await catalog.set_account_status(account.id, AccountStatus.SIGNED_IN)
                now = datetime.now(UTC)  # not due: the tick only looks
                await catalog.upsert_credential(
                    _session(account.id, now + timedelta(days=1), now),
                )
            statements.clear()
            catalog._sync._db.set_trace_callback(statements.append)
            try:
                await services.scheduler.tick()
            finally:
                catalog._sync._db.set_trace_callback(None)
            return sum(s.lstrip().upper().startswith("SELECT") for s in statements)

        few, many = await selects_in_a_tick(3), await selects_in_a_tick(30)
        assert few == many == 2
    finally:
        await services.aclose()
