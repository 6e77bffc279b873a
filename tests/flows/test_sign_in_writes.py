"""What signing in and refreshing write to the catalog: the session and its refresh token
together (one journal transaction and one row transaction for new ones, one row transaction for
renewed ones), each account's credentials read once per step, the status with the account.
Fifty accounts signing in at once queue all of this on the catalog's one worker thread
(bench/sign_in.py), so each call here is one that every account waits for; the reads of
accounts signing in or refreshing together share calls."""

from __future__ import annotations

import asyncio
import secrets

import pytest

from tests.flows.conftest import draft
from tokendeck.core.models import AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.services.app_services import AppServices


def _counting(services: AppServices, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    calls: list[str] = []
    run = services.catalog._call

    async def counted(fn, *args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(fn.__name__)
        return await run(fn, *args, **kwargs)

    monkeypatch.setattr(services.catalog, "_call", counted)
    return calls


async def test_signing_in_and_refreshing_write_the_session_and_refresh_token_together(
    services: AppServices, world: SandboxWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    email, password = f"w.{secrets.token_hex(4)}@sandbox.test", "tdtest-" + secrets.token_hex(8)
    world.haut.add_user(email, password)
    accounts = services.accounts
    account = await accounts.add(
        draft(world, Platform.HAUT), {"username": email}, {"password": Secret(password)}
    )
    calls = _counting(services, monkeypatch)

    account = await services.sessions.sign_in(account)
    assert calls == [
        "accounts_and_credentials",  # the password (see HeldReads)
        "accounts_and_credentials",  # what is held, to save over; the name, for store labels
        "begin_pending_all",  # the session's and the refresh token's intents
        "complete_pending_all",  # both rows
        "update_account",  # who signed in, with the status
        "audit",  # "signed in", for the Activity
    ]
    assert (account.username, account.status) == (email, AccountStatus.SIGNED_IN)
    stored = await accounts.get(account.id)
    assert (stored.username, stored.status) == (email, AccountStatus.SIGNED_IN)
    actions = [e.action for e in services.catalog._sync.audit_log()[:4]]
    assert actions == ["account.sign_in", "account.edit", "session.refresh_token", "session.new"]

    held = {c.role: c for c in await accounts.credentials(account)}
    catalog = services.catalog._sync
    catalog.mark_fired_many([(held["session"].id, 3600), (held["refresh"].id, 3600)])
    calls.clear()
    before = await services.sessions.session(account)
    calls.clear()
    renewed = await services.sessions.refresh(account)
    assert calls == [
        "accounts_and_credentials",  # the session, its refresh token and the password
        "accounts_and_credentials",  # what is held, to save over; the name; the status
        "upsert_credentials",  # both rows, and the session's warnings reset
    ], "signed in already: no status to write"
    assert renewed.access != before.access and renewed.refresh != before.refresh
    assert (await services.sessions.session(account)).access == renewed.access
    assert catalog.fired_thresholds(held["session"].id) == set(), "the new expiry warns afresh"
    assert catalog.fired_thresholds(held["refresh"].id) == {3600}
    assert catalog.list_pending() == []
    assert sorted(c.id for c in catalog.list_credentials(account.id)) == sorted(
        c.id for c in held.values()
    ), "the same credentials, renewed"

    catalog.set_account_status(account.id, AccountStatus.OFFLINE, "No answer from the platform.")
    calls.clear()
    await services.sessions.refresh(account)
    assert calls[-1] == "set_account_status"
    stored = await accounts.get(account.id)
    assert (stored.status, stored.status_detail) == (AccountStatus.SIGNED_IN, "")


async def test_accounts_signing_in_and_refreshing_together_share_their_reads(
    services: AppServices, world: SandboxWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts = services.accounts
    added = []
    for _ in range(5):
        email, password = f"w.{secrets.token_hex(4)}@sandbox.test", "tdtest-" + secrets.token_hex(8)
        world.haut.add_user(email, password)
        added.append(
            await accounts.add(
                draft(world, Platform.HAUT, f"Haut {email}"),
                {"username": email},
                {"password": Secret(password)},
            )
        )
    calls = _counting(services, monkeypatch)
    signed = await asyncio.gather(*(services.sessions.sign_in(a) for a in added))
    assert all(a.status is AccountStatus.SIGNED_IN for a in signed)
    # One call for every account's read before its request, and at most one each after.
    assert calls[0] == "accounts_and_credentials"
    assert calls.count("accounts_and_credentials") <= 1 + len(added)
    assert calls.count("update_account") == len(added)
    calls.clear()
    sessions = await asyncio.gather(*(services.sessions.refresh(a) for a in signed))
    assert len({s.access.reveal() for s in sessions}) == len(added)
    assert calls[0] == "accounts_and_credentials"
    assert calls.count("accounts_and_credentials") <= 1 + len(added)
    assert calls.count("upsert_credentials") == len(added)
