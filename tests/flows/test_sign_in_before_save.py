"""Signing in before anything is kept (the service side of the Add / Edit / Sign in dialogs),
against the sandbox: a refusal keeps nothing, success keeps the account with its session, and
the adapter made for a draft is always closed."""

from __future__ import annotations

import secrets
import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, field

import pytest

from tests.flows.conftest import NoPrompt, draft
from tokendeck.core.clock import SystemClock
from tokendeck.core.errors import (
    AuthError,
    NetworkError,
    NotFoundError,
    PlatformError,
    ServerError,
    TokenDeckError,
)
from tokendeck.core.models import Account, AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.platforms.base import PlatformAdapter
from tokendeck.platforms.registry import make_adapter
from tokendeck.platforms.visual_layer import ON_PREM
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.services import account_forms
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile


@dataclass
class Made:
    """Every adapter the services made, and which were closed."""

    adapters: list[PlatformAdapter] = field(default_factory=list)
    closed: list[PlatformAdapter] = field(default_factory=list)


@pytest.fixture
async def made(profile: Profile) -> AsyncIterator[tuple[AppServices, Made]]:
    log = Made()
    clock = SystemClock()

    def factory(account: Account) -> PlatformAdapter:
        adapter = make_adapter(account.platform, account.host, account.settings, clock)
        close = adapter.aclose

        async def aclose() -> None:
            log.closed.append(adapter)
            await close()

        adapter.aclose = aclose  # type: ignore[method-assign]
        log.adapters.append(adapter)
        return adapter

    services = await AppServices.start(
        profile.catalog_path,
        profile.vault_path,
        NoPrompt(),
        memory_store=True,
        adapter_factory=factory,
    )
    yield services, log
    await services.aclose()


def user(world: SandboxWorld) -> tuple[str, str]:
    email = f"save.{secrets.token_hex(4)}@sandbox.test"
    password = "pw-" + secrets.token_urlsafe(8)
    world.dataloop.add_user(email, password)
    return email, password


async def stored(services: AppServices, account: Account) -> dict[str, str]:
    out: dict[str, str] = {}
    for credential in await services.accounts.credentials(account):
        if credential.role == "input" and credential.secret_ref:
            value = await services.store.get(credential.secret_ref)
            out[str(credential.meta["field"])] = value.reveal() if value else ""
    return out


async def test_add_signed_in_keeps_nothing_on_a_refusal_and_closes_its_adapter(
    made: tuple[AppServices, Made], world: SandboxWorld
) -> None:
    services, log = made
    email, password = user(world)
    base = draft(world, Platform.DATALOOP, "DL")
    with pytest.raises(AuthError) as refused:
        await services.sessions.add_signed_in(
            base, {"username": email}, {"password": Secret("wrong")}
        )
    assert refused.value.details().count("Wrong email or password") == 1
    assert await services.accounts.all_accounts() == []
    assert log.adapters and log.closed == log.adapters, "the draft's adapter is closed"

    account = await services.sessions.add_signed_in(
        base, {"username": email}, {"password": Secret(password)}
    )
    assert account.status is AccountStatus.SIGNED_IN
    assert account.username == email
    assert (await services.accounts.get(account.id)).status is AccountStatus.SIGNED_IN
    roles = sorted(str(c.role) for c in await services.accounts.credentials(account))
    assert roles == ["input", "refresh", "session"]
    assert await stored(services, account) == {"password": password}
    assert log.closed == log.adapters
    assert await services.accounts.stored_secret_fields(account) == {"password"}
    # The kept session works: a token for scripts, without signing in again.
    assert (await services.sessions.current_token(account)).reveal().startswith("eyJ")


async def test_add_signed_in_to_a_silent_host_keeps_nothing(
    made: tuple[AppServices, Made],
) -> None:
    services, log = made
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"
    base = Account(id="", name="Nowhere", platform=Platform.HAUT, host=dead)
    with pytest.raises(NetworkError) as error:
        await services.sessions.add_signed_in(
            base, {"username": "a@b.test"}, {"password": Secret("x")}
        )
    assert account_forms.field_for_error(Platform.HAUT, error.value, {"password"}) == "host"
    assert await services.accounts.all_accounts() == []
    assert log.closed == log.adapters


async def test_edit_signed_in_changes_nothing_until_the_sign_in_works(
    made: tuple[AppServices, Made], world: SandboxWorld
) -> None:
    services, _ = made
    email, password = user(world)
    account = await services.sessions.add_signed_in(
        draft(world, Platform.DATALOOP, "Before"),
        {"username": email},
        {"password": Secret(password)},
    )
    renamed = Account(
        id=account.id,
        name="After",
        platform=account.platform,
        host=account.host,
        settings=account.settings,
        status=account.status,
    )
    with pytest.raises(AuthError):
        await services.sessions.edit_signed_in(
            renamed, {"username": email}, {"password": Secret("wrong")}
        )
    assert (await services.accounts.get(account.id)).name == "Before"
    assert await stored(services, account) == {"password": password}
    # Empty secret: the stored one signs in.
    edited = await services.sessions.edit_signed_in(renamed, {"username": email}, {})
    assert edited.name == "After" and edited.status is AccountStatus.SIGNED_IN
    assert await stored(services, account) == {"password": password}


async def test_sign_in_with_stores_only_what_signs_in(
    made: tuple[AppServices, Made], world: SandboxWorld
) -> None:
    services, _ = made
    email, password = user(world)
    account = await services.accounts.add(
        draft(world, Platform.DATALOOP, "Typo"), {"username": email}, {"password": Secret("typo")}
    )
    with pytest.raises(AuthError):
        await services.sessions.sign_in(account)
    with pytest.raises(AuthError):
        await services.sessions.sign_in_with(account, {"password": Secret("still wrong")})
    assert await stored(services, account) == {"password": "typo"}
    assert (await services.accounts.get(account.id)).status is AccountStatus.NEEDS_LOGIN
    signed = await services.sessions.sign_in_with(account, {"password": Secret(password)})
    assert signed.status is AccountStatus.SIGNED_IN
    assert await stored(services, account) == {"password": password}


def test_which_field_a_failed_sign_in_is_about() -> None:
    refused = AuthError("Sign in: refused", status=401)
    where = account_forms.field_for_error
    assert where(Platform.DATALOOP, refused, {"password"}) == "password"
    assert where(Platform.DATALOOP, refused, {"password", "api_key"}) == "api_key"
    assert where(Platform.TRIFACTA, refused, {"access_token"}) == "access_token"
    assert where(Platform.ENCORD, refused, {"private_key"}) == "private_key"
    assert where(Platform.ENCORD, refused, {"api_key"}) == "api_key"
    assert where(Platform.OAUTH2, refused, set()) == "client_secret"
    key_refused = PlatformError("Signing in with the API key failed", status=401)
    assert where(Platform.DATALOOP, key_refused, {"api_key"}) == "api_key"
    assert where(Platform.HAUT, NetworkError("Could not reach"), {"password"}) == "host"
    assert where(Platform.HAUT, NotFoundError("Not found", status=404), {"password"}) == "host"
    assert where(Platform.HAUT, ServerError("5xx", status=503), {"password"}) is None
    assert where(Platform.MANUAL, NetworkError("x"), {"token"}) is None
    assert account_forms.credentials_refused(refused)
    assert not account_forms.credentials_refused(ServerError("5xx"))
    assert not account_forms.credentials_refused(NetworkError("down"))
    assert not account_forms.credentials_refused(TokenDeckError("other"))
    assert account_forms.needs_secret(Platform.HAUT, {})
    assert not account_forms.needs_secret(Platform.VISUAL_LAYER, {"mode": ON_PREM})
    assert account_forms.needs_secret(Platform.VISUAL_LAYER, {"mode": "cloud"})
