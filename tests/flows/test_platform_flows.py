"""Every adapter's flows against the sandbox over real HTTP on loopback."""

from __future__ import annotations

from datetime import timedelta

import httpx
import jwt
import pytest

from tests.flows.conftest import dataloop_account, draft
from tokendeck.core.errors import AuthError, LimitReachedError, NotFoundError, PlatformError
from tokendeck.core.models import AccountStatus, CredentialState, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.server import SandboxServer
from tokendeck.sandbox.visual_layer import VisualLayer
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices


async def test_dataloop_sign_in_test_keys_limit_revoke_rotate(
    services: AppServices, world: SandboxWorld
) -> None:
    accounts = services.accounts
    account = await dataloop_account(services, world)
    assert account.status is AccountStatus.SIGNED_IN
    assert account.username.endswith("@sandbox.test")
    probe = await services.sessions.test(account)
    assert probe.ok
    assert probe.status == 200
    assert await services.keys.list_keys(account) == []

    credential, secret = await services.keys.create_key(account, "ci key", None)
    assert credential.remote_id
    assert credential.expires_at is not None
    jwks = jwt.PyJWKClient(f"{world.urls['dataloop']}/.well-known/jwks.json")
    claims = jwt.decode(
        secret.reveal(),
        jwks.get_signing_key_from_jwt(secret.reveal()).key,
        algorithms=["RS256"],
        options={"verify_aud": False},
    )
    assert claims["jti"] == credential.remote_id
    assert (credential.expires_at - credential.created_at).days in (364, 365)
    views = await services.keys.list_keys(account)
    assert [v.secret_held for v in views] == [True]
    assert await services.keys.reveal_key(credential) == secret

    for i in range(9):
        await services.keys.create_key(account, f"k{i}", None)
    with pytest.raises(LimitReachedError, match="10"):
        await services.keys.create_key(account, "one too many", None)
    assert len(world.dataloop.state.keys) == 10, "the limit is checked before the call"

    await services.keys.revoke_key(account, credential.remote_id or "")
    assert world.dataloop.state.keys[credential.remote_id or ""].get("revokedAt")
    held = [c for c in await accounts.credentials(account) if c.remote_id == credential.remote_id]
    assert held[0].state is CredentialState.REVOKED
    assert held[0].secret_ref is None
    views = await services.keys.list_keys(account)
    old = next(v.remote for v in views if not v.remote.revoked)
    new_cred, _ = await services.keys.rotate_key(account, old)
    assert new_cred.remote_id != old.id


async def test_dataloop_refresh_and_current_token(
    services: AppServices, world: SandboxWorld
) -> None:
    world.dataloop.control.token_lifetime = 30
    account = await dataloop_account(services, world)
    first = await services.sessions.current_token(account, margin=timedelta(seconds=1))
    refreshed = await services.sessions.current_token(account, margin=timedelta(seconds=45))
    assert refreshed != first, "a token with less than the margin left is refreshed"
    assert (await services.sessions.test(account)).ok


async def test_dataloop_wrong_password_and_api_key_login(
    services: AppServices, world: SandboxWorld
) -> None:
    accounts = services.accounts
    bad = await accounts.add(
        draft(world, Platform.DATALOOP, "wrong"),
        {"username": DEMO_USER},
        {"password": Secret("nope-nope")},
    )
    with pytest.raises(AuthError) as info:
        await services.sessions.sign_in(bad)
    assert "Wrong email or password" in info.value.details()
    assert (await accounts.get(bad.id)).status is AccountStatus.NEEDS_LOGIN
    account = await dataloop_account(services, world)
    _, key = await services.keys.create_key(account, "for login", None)
    by_key = await accounts.add(draft(world, Platform.DATALOOP, "by key"), {}, {"api_key": key})
    by_key = await services.sessions.sign_in(by_key)
    assert by_key.status is AccountStatus.SIGNED_IN
    assert (await services.sessions.test(by_key)).ok


async def test_haut_private_tokens_and_refresh(services: AppServices, world: SandboxWorld) -> None:
    accounts = services.accounts
    account = await accounts.add(
        draft(world, Platform.HAUT), {"username": DEMO_USER}, {"password": Secret(world.password)}
    )
    account = await services.sessions.sign_in(account)
    probe = await services.sessions.test(account)
    assert probe.ok, probe.explanation
    for i in range(3):
        await services.keys.create_key(account, f"pt{i}", timedelta(days=7))
    world.haut.control.token_lifetime = None
    views = await services.keys.list_keys(account)
    assert sorted(v.remote.name for v in views) == ["pt0", "pt1", "pt2"]
    assert all(v.remote.expires_at is not None for v in views)
    await services.keys.revoke_key(account, views[0].remote.id)
    assert len(await services.keys.list_keys(account)) == 2
    await services.sessions.refresh(account)
    assert (await services.sessions.test(account)).ok
    with pytest.raises(PlatformError, match="expiry"):
        await services.keys.create_key(account, "forever", None)


async def test_visual_layer_minting_and_on_prem(services: AppServices, world: SandboxWorld) -> None:
    accounts = services.accounts
    key, secret = world.vl_pair
    account = await accounts.add(
        draft(world, Platform.VISUAL_LAYER),
        {"mode": "cloud", "api_key": key},
        {"api_secret": Secret(secret)},
    )
    account = await services.sessions.sign_in(account)
    token = await services.sessions.current_token(account)
    header = jwt.get_unverified_header(token.reveal())
    assert header["kid"] == key
    claims = jwt.decode(token.reveal(), secret.encode(), algorithms=["HS256"], issuer="sdk")
    assert claims["exp"] - claims["iat"] == 600
    again = await services.sessions.refresh(account)
    assert again.access != token or again.expires_at is not None
    wrong = await accounts.add(
        draft(world, Platform.VISUAL_LAYER, "wrong vl"),
        {"mode": "cloud", "api_key": key},
        {"api_secret": Secret("x" * 40)},
    )
    with pytest.raises(AuthError, match="credentials were refused") as refused:
        await services.sessions.sign_in(wrong)
    assert refused.value.status == 401
    assert (await accounts.get(wrong.id)).status is AccountStatus.NEEDS_LOGIN
    on_prem = VisualLayer(on_prem=True)
    with SandboxServer({"vl": on_prem.app}) as server:
        local = await accounts.add(
            draft(world, Platform.VISUAL_LAYER, "on-prem").__class__(
                id="", name="on-prem", platform=Platform.VISUAL_LAYER, host=server.urls["vl"]
            ),
            {"mode": "on-prem (no authentication)"},
            {},
        )
        local = await services.sessions.sign_in(local)
        assert (await services.sessions.test(local)).ok


async def test_trifacta_tokens_never_and_workspace_rules(
    services: AppServices, world: SandboxWorld
) -> None:
    accounts = services.accounts
    account = await accounts.add(
        draft(world, Platform.TRIFACTA), {"username": "demo"}, {"password": Secret(world.password)}
    )
    account = await services.sessions.sign_in(account)
    assert (await services.sessions.test(account)).ok
    cred, value = await services.keys.create_key(account, "forever", None)
    assert cred.expires_at is None
    views = await services.keys.list_keys(account)
    assert {v.remote.name for v in views} == {f"TokenDeck session {account.id[:8]}", "forever"}
    pasted = await accounts.add(
        draft(world, Platform.TRIFACTA, "pasted"), {}, {"access_token": value}
    )
    pasted = await services.sessions.sign_in(pasted)
    assert pasted.status is AccountStatus.SIGNED_IN
    httpx.post(f"{world.urls['trifacta']}/__sandbox/workspace", json={"max_lifetime_days": 30})
    with pytest.raises(PlatformError, match="30 days"):
        await services.keys.create_key(account, "forever again", None)
    await services.keys.revoke_key(account, cred.remote_id or "")
    httpx.post(f"{world.urls['trifacta']}/__sandbox/workspace", json={"tokens_enabled": False})
    try:
        with pytest.raises(NotFoundError) as info:
            await services.keys.list_keys(account)
        assert "Route doesn't exist" in info.value.details()
    finally:
        httpx.post(
            f"{world.urls['trifacta']}/__sandbox/workspace",
            json={"tokens_enabled": True, "max_lifetime_days": -1},
        )


async def test_oauth2_client_credentials_and_rotating_refresh(
    services: AppServices, world: SandboxWorld
) -> None:
    accounts = services.accounts
    client_id, client_secret = next(iter(world.oauth2.state.clients.items()))
    account = await accounts.add(
        draft(world, Platform.OAUTH2),
        {"client_id": client_id, "scope": "read"},
        {"client_secret": Secret(client_secret)},
    )
    account = await services.sessions.sign_in(account)
    refresh_before = set(world.oauth2.state.refresh_tokens)
    await services.sessions.refresh(account)
    refresh_after = set(world.oauth2.state.refresh_tokens)
    assert refresh_before.isdisjoint(refresh_after), "the old refresh token was used up"
    await services.sessions.refresh(account)
    assert (await services.sessions.test(account)).ok


async def test_manual_account_tracks_a_pasted_token(
    services: AppServices, world: SandboxWorld
) -> None:
    from tests.tokens import claims, hs256

    token, _ = hs256(claims(lifetime=7200))
    account = await services.accounts.add(
        draft(world, Platform.MANUAL), {}, {"token": Secret(token)}
    )
    account = await services.sessions.sign_in(account)
    held = [h for h in await services.tokens.held() if h.credential.account_id == account.id]
    assert any(h.credential.expires_at is not None for h in held)
    assert (await services.sessions.test(account)).ok


async def test_remove_deletes_secrets(services: AppServices, world: SandboxWorld) -> None:
    account = await dataloop_account(services, world)
    await services.keys.create_key(account, "doomed", None)
    refs = [c.secret_ref for c in await services.accounts.credentials(account) if c.secret_ref]
    assert len(refs) >= 3
    await services.sessions.remove(account)
    for ref in refs:
        assert await services.store.get(ref or "") is None
    assert await services.accounts.all_accounts() == []


async def test_visual_layer_keeps_no_copy_of_its_secret_as_a_refresh_token(
    services: AppServices, world: SandboxWorld
) -> None:
    key, secret = world.vl_pair
    account = await services.accounts.add(
        draft(world, Platform.VISUAL_LAYER, "vl roles"),
        {"mode": "cloud", "api_key": key},
        {"api_secret": Secret(secret)},
    )
    account = await services.sessions.sign_in(account)
    roles = sorted(str(c.role) for c in await services.accounts.credentials(account))
    assert roles == ["input", "session"]


async def test_a_401_on_a_refreshable_session_refreshes_once_and_retries(
    services: AppServices, world: SandboxWorld
) -> None:
    import secrets as stdlib_secrets

    accounts = services.accounts
    account = await accounts.add(
        draft(world, Platform.HAUT, "haut 401"),
        {"username": DEMO_USER},
        {"password": Secret(world.password)},
    )
    account = await services.sessions.sign_in(account)
    before = await services.sessions.current_token(account)
    old_key = world.haut.signing_key
    world.haut.signing_key = stdlib_secrets.token_bytes(32)  # every issued token is now invalid
    try:
        listed = await services.keys.list_keys(account)
        assert isinstance(listed, list), "the list succeeded after one refresh"
        assert await services.sessions.current_token(account) != before, "refreshed once"
    finally:
        world.haut.signing_key = old_key


async def test_rotation_says_the_lifetime_it_will_really_use(services: AppServices) -> None:
    from datetime import UTC, datetime, timedelta

    from tokendeck.core.models import Account
    from tokendeck.core.platform_types import RemoteKey

    now = datetime(2026, 1, 1, tzinfo=UTC)
    haut = Account(id="h", name="h", platform=Platform.HAUT, host="https://h.example")
    unknown = RemoteKey(id="1", name="nightly", expires_at=now + timedelta(days=3))
    plan = services.keys.rotation(haut, unknown)
    assert plan.name == "nightly (rotated)"
    assert "does not report the old key's" in plan.lifetime_text
    assert plan.lifetime is not None and f"{plan.lifetime.days} day" in plan.lifetime_text
    known = RemoteKey(id="2", name="ci", created_at=now, expires_at=now + timedelta(days=90))
    plan = services.keys.rotation(haut, known)
    assert (plan.lifetime, plan.lifetime_text) == (
        timedelta(days=90),
        "the same lifetime (90 days)",
    )
