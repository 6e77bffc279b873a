from __future__ import annotations

import secrets
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.prompts import NoPrompt
from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.platforms.registry import make_adapter
from tokendeck.sandbox.world import SandboxWorld, build_world
from tokendeck.services.accounts import AccountsService
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile


@pytest.fixture
def world() -> Iterator[SandboxWorld]:
    """A sandbox of its own per test: platform state (users, keys, sessions, limits) is never
    shared, so no test depends on what another made before it (the suite runs in random order).
    test_fault_matrix.py keeps one world per module; its harness makes fresh users per cell and
    resets the faults after each (see _reset_faults there)."""
    sandbox = build_world().start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
async def services(profile: Profile) -> AsyncIterator[AppServices]:
    def factory(account: Account):  # type: ignore[no-untyped-def]
        adapter = make_adapter(account.platform, account.host, account.settings, services_clock)
        client = getattr(adapter, "_http", None)
        if client is not None:
            client.timeout = httpx.Timeout(2.0)
        return adapter

    from tokendeck.core.clock import SystemClock

    services_clock = SystemClock()
    started = await AppServices.start(
        profile.catalog_path,
        profile.vault_path,
        NoPrompt(),
        memory_store=True,
        adapter_factory=factory,
    )
    yield started
    await started.aclose()


def draft(world: SandboxWorld, platform: Platform, name: str | None = None) -> Account:
    key = {Platform.VISUAL_LAYER: "visual_layer"}.get(platform, platform.value)
    return Account(
        id="",
        name=name or f"{platform.value} test",
        platform=platform,
        host=world.urls.get(key, ""),
    )


async def dataloop_account(services: AppServices, world: SandboxWorld) -> Account:
    """A fresh Dataloop user for each test (keys count against a per-user limit)."""
    accounts: AccountsService = services.accounts
    email = f"user.{secrets.token_hex(4)}@sandbox.test"
    password = "tdtest-" + secrets.token_urlsafe(12)
    world.dataloop.add_user(email, password)
    account = await accounts.add(
        draft(world, Platform.DATALOOP, f"Dataloop {email}"),
        {"username": email},
        {"password": Secret(password)},
    )
    return await services.sessions.sign_in(account)


def fault(
    world: SandboxWorld, platform: str, kind: str, count: int = 1, method: str | None = None
) -> None:
    body: dict[str, object] = {"kind": kind, "count": count}
    if method:
        body["method"] = method
    httpx.post(f"{world.urls[platform]}/__sandbox/faults", json=body, timeout=5)
