"""Warnings mean "a person must act": a session TokenDeck renews never warns while renewal works;
a failing renewal warns once; what became due while TokenDeck was closed arrives as one summary.

Run over real HTTP against the sandbox, whose clock is kept in step with the test's clock."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from tests.flows.conftest import NoPrompt, fault
from tokendeck.core.clock import ManualClock
from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.verdict import State
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.services.events import ExpirySummary, ExpiryWarning, RefreshFailed
from tokendeck.services.standing import worst_state
from tokendeck.storage.profile import Profile

LIFETIME = 300  # a 5-minute session: inside every default warning threshold from its start


def sync_sandbox_clock(world: SandboxWorld, clock: ManualClock) -> None:
    offset = (clock.now() - datetime.now(UTC)).total_seconds()
    httpx.post(
        f"{world.urls['haut']}/__sandbox/config",
        json={"clock_offset": offset, "token_lifetime": LIFETIME},
        timeout=5,
    ).raise_for_status()


class Notices:
    """Every event that becomes a notification."""

    def __init__(self, services: AppServices) -> None:
        self.seen: list[object] = []
        for kind in (ExpiryWarning, ExpirySummary, RefreshFailed):
            services.bus.subscribe(kind, self.seen.append)


@pytest.fixture
async def clocked(
    profile: Profile, world: SandboxWorld
) -> AsyncIterator[tuple[AppServices, ManualClock]]:
    clock = ManualClock(datetime.now(UTC))
    sync_sandbox_clock(world, clock)
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True, clock=clock
    )
    yield services, clock
    await services.aclose()


async def signed_in_haut(services: AppServices, world: SandboxWorld) -> Account:
    account = await services.accounts.add(
        Account(id="", name="Haut renewing", platform=Platform.HAUT, host=world.urls["haut"]),
        {"username": DEMO_USER},
        {"password": Secret(world.password)},
    )
    return await services.sessions.sign_in(account)


async def session_verdict(services: AppServices, clock: ManualClock) -> State:
    held = [h for h in await services.tokens.held() if h.credential.role == "session"]
    assert len(held) == 1
    return held[0].verdict(clock.now()).state


async def test_twenty_renewals_raise_no_notification(
    clocked: tuple[AppServices, ManualClock], world: SandboxWorld
) -> None:
    services, clock = clocked
    notices = Notices(services)
    await signed_in_haut(services, world)
    renewals = 0
    for _ in range(200):
        if renewals >= 20:
            break
        clock.advance(timedelta(seconds=30))
        sync_sandbox_clock(world, clock)
        renewals += len(await services.scheduler.tick())
        await services.watcher.check()
        assert await session_verdict(services, clock) is State.RENEWS
        state, worst = worst_state(await services.tokens.held(), clock.now())
        assert (state, worst) == ("ok", None), "the tray is calm while renewal works"
    assert renewals == 20
    assert notices.seen == []


async def test_a_failing_renewal_warns_once_per_run_of_failures(
    clocked: tuple[AppServices, ManualClock], world: SandboxWorld
) -> None:
    services, clock = clocked
    notices = Notices(services)
    account = await signed_in_haut(services, world)
    fault(world, "haut", "500", count=100)
    for _ in range(12):  # six minutes of retries with backoff
        clock.advance(timedelta(seconds=30))
        sync_sandbox_clock(world, clock)
        await services.scheduler.tick()
        await services.watcher.check()
    assert [type(n) for n in notices.seen] == [RefreshFailed]
    assert await session_verdict(services, clock) is State.EXPIRED
    assert worst_state(await services.tokens.held(), clock.now())[0] == "expired"

    httpx.post(f"{world.urls['haut']}/__sandbox/reset", timeout=5)
    sync_sandbox_clock(world, clock)
    for _ in range(40):  # the backoff has grown: wait it out
        clock.advance(timedelta(seconds=30))
        if await services.scheduler.tick():
            break
    assert (await services.accounts.get(account.id)).status.value == "signed_in"
    assert await session_verdict(services, clock) is State.RENEWS

    fault(world, "haut", "500", count=100)
    for _ in range(12):
        clock.advance(timedelta(seconds=30))
        sync_sandbox_clock(world, clock)
        await services.scheduler.tick()
    assert [type(n) for n in notices.seen] == [RefreshFailed, RefreshFailed], (
        "a new run of failures after a success warns again, once"
    )


async def test_with_auto_refresh_off_a_session_warns_like_anything_a_person_replaces(
    clocked: tuple[AppServices, ManualClock], world: SandboxWorld
) -> None:
    services, clock = clocked
    services.apply(services.policy.thresholds, auto_refresh=False)
    notices = Notices(services)
    await signed_in_haut(services, world)
    assert await session_verdict(services, clock) is State.ACT_SOON
    fired = await services.watcher.check()
    assert [w.threshold for w in fired] == [timedelta(minutes=10)]
    assert await services.watcher.check() == [], "once per threshold"
    assert len(notices.seen) == 1


async def test_ten_warnings_due_while_closed_arrive_as_one_summary(
    clocked: tuple[AppServices, ManualClock],
) -> None:
    services, clock = clocked
    notices = Notices(services)
    for i in range(10):
        await services.catalog.upsert_credential(
            Credential(
                id=f"k{i}",
                kind=CredentialKind.API_KEY,
                label=f"key {i}",
                expires_at=clock.now() + timedelta(hours=i - 2),
            ),
        )
    fired = await services.watcher.check()
    assert len(fired) == 10
    assert len(notices.seen) == 1
    summary = notices.seen[0]
    assert isinstance(summary, ExpirySummary)
    assert sum(w.expired for w in summary.warnings) == 3  # hours -2, -1 and 0
    assert await services.watcher.check() == []
    assert len(notices.seen) == 1
