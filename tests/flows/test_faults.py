"""Every fault the sandbox injects: the error is clear, the state stays consistent, and no secret
reaches a log line or an error message."""

from __future__ import annotations

import logging
import time

import pytest

from tests.flows.conftest import dataloop_account, draft, fault
from tokendeck.core.errors import (
    NetworkError,
    ProtocolError,
    RedirectRefusedError,
    ServerError,
    TokenDeckError,
    UncertainWriteError,
)
from tokendeck.core.models import AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile


@pytest.mark.parametrize("kind", ["500", "503", "429", "reset", "truncated", "malformed"])
async def test_reads_retry_through_a_transient_fault(
    services: AppServices, world: SandboxWorld, kind: str
) -> None:
    account = await dataloop_account(services, world)
    fault(world, "dataloop", kind, count=1)
    started = time.monotonic()
    if kind == "malformed":
        with pytest.raises(ProtocolError, match="not valid JSON"):
            await services.keys.list_keys(account)
        assert await services.keys.list_keys(account) == []
    else:
        assert await services.keys.list_keys(account) == []
    if kind == "429":
        assert time.monotonic() - started >= 0.9, "Retry-After: 1 was honoured"


async def test_a_persistent_server_error_is_clear(
    services: AppServices, world: SandboxWorld
) -> None:
    account = await dataloop_account(services, world)
    fault(world, "dataloop", "500", count=10)
    with pytest.raises(ServerError) as info:
        await services.keys.list_keys(account)
    assert "internal error" in info.value.details()
    assert "injected server error" in info.value.details(), "the platform's own text is kept"


async def test_timeout(services: AppServices, world: SandboxWorld) -> None:
    account = await dataloop_account(services, world)
    world.dataloop.control.timeout_seconds = 3
    fault(world, "dataloop", "timeout", count=1)
    probe = await services.sessions.test(account)
    assert not probe.ok
    assert "no answer" in probe.explanation.lower()


async def test_sign_in_faults_leave_nothing_half_done(
    services: AppServices, world: SandboxWorld
) -> None:
    account = await services.accounts.add(
        draft(world, Platform.DATALOOP),
        {"username": DEMO_USER},
        {"password": Secret(world.password)},
    )
    fault(world, "dataloop", "malformed", count=1)
    with pytest.raises(ProtocolError):
        await services.sessions.sign_in(account)
    assert (await services.accounts.get(account.id)).status is AccountStatus.ERROR
    assert not [c for c in await services.accounts.credentials(account) if c.role == "session"]
    fault(world, "dataloop", "reset", count=1)
    with pytest.raises(NetworkError):
        await services.sessions.sign_in(account)
    assert (await services.accounts.get(account.id)).status is AccountStatus.OFFLINE
    assert (await services.sessions.sign_in(account)).status is AccountStatus.SIGNED_IN


async def test_a_redirect_to_another_origin_is_refused(
    services: AppServices, world: SandboxWorld
) -> None:
    account = await dataloop_account(services, world)
    fault(world, "dataloop", "redirect", count=1)
    with pytest.raises(RedirectRefusedError, match="another site"):
        await services.keys.list_keys(account)


async def test_an_ambiguous_create_is_never_retried_and_is_reconciled(
    services: AppServices, world: SandboxWorld
) -> None:
    account = await dataloop_account(services, world)
    fault(world, "dataloop", "drop_answer", count=1, method="POST")
    with pytest.raises(UncertainWriteError) as info:
        await services.keys.create_key(account, "ambiguous", None)
    made = [k for k in world.dataloop.state.keys.values() if k["description"] == "ambiguous"]
    assert len(made) == 1, "created exactly once: never retried blindly"
    assert made[0]["id"] in str(info.value)
    assert info.value.created_ids == (made[0]["id"],)
    assert made[0].get("revokedAt"), "the orphan, whose secret never arrived, was revoked"
    assert "TokenDeck revoked it" in str(info.value)
    assert not [c for c in await services.accounts.credentials(account) if c.role == "key"]


async def test_no_secret_in_logs_or_errors(
    services: AppServices, world: SandboxWorld, caplog: pytest.LogCaptureFixture, profile: Profile
) -> None:
    caplog.set_level(logging.DEBUG)
    errors: list[str] = []
    account = await dataloop_account(services, world)
    _, key = await services.keys.create_key(account, "leak check", None)
    session = await services.sessions.current_token(account)
    wrong = await services.accounts.add(
        draft(world, Platform.DATALOOP, "wrong pw"),
        {"username": DEMO_USER},
        {"password": Secret("tdtest-wrong-password")},
    )
    for attempt in (
        lambda: services.sessions.sign_in(wrong),
        lambda: services.keys.list_keys(account),
    ):
        fault(world, "dataloop", "500", count=10)
        try:
            await attempt()
        except TokenDeckError as error:
            errors += [str(error), error.details(), repr(error)]
        world.dataloop.control.reset()
    text = caplog.text + "\n".join(errors)
    on_disk = b"".join(path.read_bytes() for path in profile.data_dir.rglob("*") if path.is_file())
    for secret in (world.password, key.reveal(), session.reveal(), "tdtest-wrong-password"):
        assert secret not in text
        assert secret.encode() not in on_disk, (
            "a secret reached the catalog or another profile file"
        )
    assert errors, "the faults produced errors to check"


async def test_a_cancel_once_the_create_is_on_its_way_still_keeps_the_new_secret(
    services: AppServices, world: SandboxWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The platform shows a new key's secret once: a Cancel after the request went out cannot
    stop the platform making the key, so TokenDeck finishes keeping the secret."""
    import asyncio

    account = await dataloop_account(services, world)
    adapter = services.adapters.adapter(account)
    sent = asyncio.Event()
    create = adapter.create_key

    async def create_on_its_way(*args: object, **kwargs: object) -> object:
        sent.set()
        await asyncio.sleep(0.2)  # the person presses Cancel meanwhile
        return await create(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(adapter, "create_key", create_on_its_way)
    task = asyncio.ensure_future(services.keys.create_key(account, "made anyway", None))
    await asyncio.wait_for(sent.wait(), 10)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    async def kept() -> list[object]:
        while True:
            found = [
                c
                for c in await services.accounts.credentials(account)
                if c.role == "key" and c.meta.get("name") == "made anyway"
            ]
            if found:
                return found
            await asyncio.sleep(0.05)

    (credential,) = await asyncio.wait_for(kept(), 10)
    made = [k for k in world.dataloop.state.keys.values() if k["description"] == "made anyway"]
    assert len(made) == 1
    secret = await services.store.get(credential.secret_ref or "")  # type: ignore[attr-defined]
    assert secret is not None and secret.reveal()
