"""Trifacta signs in by minting a 30-day token: TokenDeck reuses a valid one, deletes the one it
minted on sign-out and on remove, and never touches a token the user pasted."""

from __future__ import annotations

import secrets
from dataclasses import replace

import pytest

from tests.flows.conftest import NoPrompt, draft, fault
from tokendeck.core.clock import SystemClock
from tokendeck.core.errors import UncertainWriteError
from tokendeck.core.models import Account, Platform
from tokendeck.core.platform_types import Session
from tokendeck.core.secret import Secret
from tokendeck.platforms.base import PlatformAdapter
from tokendeck.platforms.registry import make_adapter
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile
from tokendeck.storage.secret_store import SecretStoreError


def _tokens(world: SandboxWorld, user: str) -> list[dict[str, object]]:
    return [t for t in world.trifacta.state.tokens.values() if t["_owner"] == user]


async def _account(services: AppServices, world: SandboxWorld) -> tuple[Account, str]:
    user = f"user-{secrets.token_hex(4)}"
    world.trifacta.state.users[user] = world.password
    account = await services.accounts.add(
        draft(world, Platform.TRIFACTA, f"Trifacta {user}"),
        {"username": user},
        {"password": Secret(world.password)},
    )
    return await services.sessions.sign_in(account), user


async def test_sign_in_again_reuses_the_valid_token(
    services: AppServices, world: SandboxWorld
) -> None:
    account, user = await _account(services, world)
    assert len(_tokens(world, user)) == 1
    first = _tokens(world, user)[0]["tokenId"]
    held = await services.sessions.current_token(account)
    await services.sessions.sign_in(account)
    await services.sessions.sign_in(account)
    assert [t["tokenId"] for t in _tokens(world, user)] == [first], "the same token, kept"
    assert await services.sessions.current_token(account) == held, "not minted again"


async def test_sign_out_and_remove_delete_the_minted_token(
    services: AppServices, world: SandboxWorld
) -> None:
    account, user = await _account(services, world)
    account = await services.sessions.sign_out(account)
    assert _tokens(world, user) == []
    account = await services.sessions.sign_in(account)
    assert len(_tokens(world, user)) == 1
    await services.sessions.remove(account)
    assert _tokens(world, user) == []


async def test_a_pasted_token_is_never_deleted(services: AppServices, world: SandboxWorld) -> None:
    account, user = await _account(services, world)
    _, value = await services.keys.create_key(account, "for CI", None)
    pasted = await services.accounts.add(
        draft(world, Platform.TRIFACTA, f"pasted {user}"), {}, {"access_token": value}
    )
    pasted = await services.sessions.sign_in(pasted)
    await services.sessions.sign_out(pasted)
    await services.sessions.remove(pasted)
    assert any(t["description"] == "for CI" for t in _tokens(world, user))


async def test_a_lost_sign_in_answer_leaves_no_token_behind_after_the_next_sign_in(
    services: AppServices, world: SandboxWorld
) -> None:
    account, user = await _account(services, world)
    await services.sessions.sign_out(account)
    fault(world, "trifacta", "drop_answer", count=1, method="POST")
    try:
        await services.sessions.sign_in(account)
        raise AssertionError("the sign-in answer was dropped")
    except UncertainWriteError as error:
        assert "next time this account signs in" in str(error)
    assert len(_tokens(world, user)) == 1, "the platform made a token whose value was lost"
    await services.sessions.sign_in(await services.accounts.get(account.id))
    held = _tokens(world, user)
    assert len(held) == 1, "the leftover was swept, the new session kept"


async def test_editing_the_host_ends_the_old_session_on_the_old_host(
    profile: Profile, world: SandboxWorld
) -> None:
    ended_on: list[str] = []

    def factory(account: Account) -> PlatformAdapter:
        adapter = make_adapter(account.platform, account.host, account.settings, SystemClock())
        end = adapter.end_session

        async def spied(session: Session) -> None:
            ended_on.append(account.host)
            await end(session)

        adapter.end_session = spied  # type: ignore[method-assign]
        return adapter

    services = await AppServices.start(
        profile.catalog_path,
        profile.vault_path,
        NoPrompt(),
        memory_store=True,
        adapter_factory=factory,
    )
    try:
        account, user = await _account(services, world)
        old_host = account.host
        new_host = old_host.replace("127.0.0.1", "localhost")
        moved = replace(account, host=new_host)
        await services.sessions.edit_signed_in(
            moved, {"username": user}, {"password": Secret(world.password)}
        )
        assert ended_on == [old_host], "the old token went to its own host only"
        assert len(_tokens(world, user)) == 1
    finally:
        await services.aclose()


async def test_an_unreadable_session_never_blocks_signing_out_or_removing(
    services: AppServices, world: SandboxWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    account, _ = await _account(services, world)
    session = next(c for c in await services.accounts.credentials(account) if c.role == "session")
    store = services.keeper.store
    real_get = store.get

    async def damaged(ref: str) -> Secret | None:
        if ref == session.secret_ref:
            raise SecretStoreError("entry damaged")
        return await real_get(ref)

    monkeypatch.setattr(store, "get", damaged)
    account = await services.sessions.sign_out(account)
    assert account.status.value == "needs_login"
    await services.sessions.remove(account)
    assert await services.accounts.all_accounts() == []
