"""The door the window talks to: verbs wait for the engine, a failed engine says why, the
engine's events reach the door's subscribers, and settings given early are applied on connect."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from tests.prompts import NoPrompt
from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.settings import AppSettings
from tokendeck.core.store_status import StoreKind, StoreStatus
from tokendeck.services.app_services import AppServices
from tokendeck.services.door import Door, EngineUnavailableError
from tokendeck.services.events import AccountsChanged, StoreChanged
from tokendeck.storage.profile import Profile


async def test_a_verb_asked_before_the_engine_waits_for_it(profile: Profile) -> None:
    door = Door()
    assert door.store_status().kind is StoreKind.STARTING
    asked = asyncio.ensure_future(door.accounts())
    for _ in range(5):
        await asyncio.sleep(0)
    assert not asked.done(), "no engine yet: the verb waits"
    engine = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
    )
    try:
        door.connect(engine)
        assert await asyncio.wait_for(asked, 10) == []
        assert door.store_status() == StoreStatus(
            StoreKind.MEMORY, "Memory (secrets vanish on quit)"
        )
        assert door.store_status().usable and not door.store_status().movable
    finally:
        await engine.aclose()


async def test_an_engine_that_fails_fails_every_verb_with_its_reason() -> None:
    door = Door()
    stores: list[StoreChanged] = []
    door.subscribe(StoreChanged, stores.append)
    waiting = asyncio.ensure_future(door.accounts())
    await asyncio.sleep(0)
    door.fail("The catalog is damaged.")
    assert door.store_status().kind is StoreKind.NONE, "no longer 'starting…'"
    assert [s.status for s in stores] == [door.store_status()]
    with pytest.raises(EngineUnavailableError, match=r"^The catalog is damaged\.$"):
        await waiting
    with pytest.raises(EngineUnavailableError, match="damaged"):
        await door.held_credentials()
    with pytest.raises(EngineUnavailableError, match="still starting"):
        door.thresholds_for(None)  # a synchronous read needs the engine now


async def test_the_engines_events_reach_the_doors_subscribers(profile: Profile) -> None:
    """The window subscribes to its door before the engine exists (ui/wiring.py)."""
    door = Door()
    stores: list[StoreChanged] = []
    changed: list[AccountsChanged] = []
    door.subscribe(StoreChanged, stores.append)
    door.subscribe(AccountsChanged, changed.append)
    engine = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
    )
    try:
        door.connect(engine)
        assert [s.status.kind for s in stores] == [StoreKind.MEMORY], "the store in use, told"
        account = await door.add_account(
            Account(id="", name="Manual", platform=Platform.MANUAL, host="https://example.test"),
            {},
            {"access_token": Secret("tdtest-token-value-1")},
            sign_in=False,
        )
        assert account.id in [c.account_id for c in changed]
        assert [a.name for a in await door.accounts()] == ["Manual"]
    finally:
        await engine.aclose()


async def test_settings_applied_before_the_engine_are_followed_once_it_connects(
    profile: Profile,
) -> None:
    door = Door()
    door.apply(AppSettings(thresholds=(timedelta(hours=2),), auto_refresh=False))
    engine = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
    )
    try:
        door.connect(engine)
        assert door.thresholds_for(None) == (timedelta(hours=2),)
        assert engine.policy.auto_refresh is False
    finally:
        await engine.aclose()


def test_the_door_imports_no_engine_module_at_run_time() -> None:
    """It is on the path to the first paint: the engine loads after it."""
    import subprocess
    import sys

    probe = (
        "import sys, tokendeck.services.door; "
        "print(sorted(m for m in sys.modules if m.startswith('tokendeck.') and "
        "m.split('.')[1] in ('storage', 'platforms') or m.endswith(('app_services', "
        "'.accounts', '.tokens'))))"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
