from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.flows.conftest import NoPrompt, fault
from tokendeck.core.clock import ManualClock
from tokendeck.core.models import Account, AccountStatus, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.services.events import RefreshFailed
from tokendeck.services.refresh_scheduler import due_at
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
        account = await services.accounts.sign_in(account)
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
        await services.accounts.sign_in(account)
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
        await services.accounts.sign_in(account)
        services.apply(services.policy.thresholds, auto_refresh=False)
        clock.advance(timedelta(minutes=55))
        assert await services.scheduler.tick() == []
        services.apply(services.policy.thresholds, auto_refresh=True)
        assert await services.scheduler.tick() == [account.id]
    finally:
        await services.aclose()
