"""Encord against the sandbox: real Ed25519 signatures (v1 and v2), bearer token, legacy keys."""

from __future__ import annotations

import json

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from tests.flows.conftest import draft
from tokendeck.core.errors import PlatformError, UnsupportedError
from tokendeck.core.models import AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.platforms.encord_signing import EncordKeyError, load_private_key, v1_authorization
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.services.app_services import AppServices


async def _account(services: AppServices, world: SandboxWorld, name: str = "Encord") -> object:
    account = await services.accounts.add(
        draft(world, Platform.ENCORD, name),
        {"project_hash": world.encord_project, "dataset_hash": world.encord_dataset},
        {"private_key": Secret(world.encord_key)},
    )
    return await services.sessions.sign_in(account)


async def test_ssh_key_sign_in_probe_and_legacy_keys(
    services: AppServices, world: SandboxWorld
) -> None:
    accounts = services.accounts
    account = await _account(services, world)
    assert account.status is AccountStatus.SIGNED_IN  # type: ignore[attr-defined]
    assert (await services.sessions.test(account)).ok  # type: ignore[arg-type]
    _, key = await services.keys.create_key(account, "labeling bot", None, ("label.read",))  # type: ignore[arg-type]
    assert world.encord.state.keys[key.reveal()]["scopes"] == json.dumps(["label.read"])
    _, dataset_key = await services.keys.create_key(
        account, "dataset reader", None, ("dataset.read",)
    )  # type: ignore[arg-type]
    views = await services.keys.list_keys(account)  # type: ignore[arg-type]
    names = {v.remote.name: v for v in views}
    assert set(names) == {"labeling bot", "dataset reader"}
    assert names["labeling bot"].secret_held
    assert names["labeling bot"].remote.deprecated
    assert key.reveal() not in names["labeling bot"].remote.id, "a key is never used as its id"
    with pytest.raises(UnsupportedError, match="cannot be revoked"):
        await services.keys.revoke_key(account, views[0].remote.id)  # type: ignore[arg-type]

    legacy = await accounts.add(
        draft(world, Platform.ENCORD, "legacy"),
        {"resource_hash": world.encord_project},
        {"api_key": key},
    )
    legacy = await services.sessions.sign_in(legacy)
    probe = await services.sessions.test(legacy)
    assert probe.ok
    assert "project key" in probe.explanation
    base = world.urls["encord"]
    denied = httpx.post(
        f"{base}/public",
        content=json.dumps(
            {
                "query_type": "dataset",
                "query_method": "GET",
                "values": {"uid": None, "payload": None},
            }
        ),
        headers={"Authorization": key.reveal(), "ResourceID": world.encord_project},
    ).json()
    assert denied["response"] == ["OPERATION_NOT_ALLOWED"]
    allowed = httpx.post(
        f"{base}/public",
        content=json.dumps(
            {
                "query_type": "labelrow",
                "query_method": "GET",
                "values": {"uid": None, "payload": None},
            }
        ),
        headers={"Authorization": key.reveal(), "ResourceID": world.encord_project},
    ).json()
    # label.read lets it through; the sandbox holds no label rows
    assert allowed["response"] == ["RESOURCE_NOT_FOUND_ERROR"]
    assert dataset_key.reveal() in world.encord.state.keys


async def test_refresh_gets_a_new_bearer_token(services: AppServices, world: SandboxWorld) -> None:
    account = await _account(services, world, "Encord refresh")
    first = await services.sessions.current_token(account)  # type: ignore[arg-type]
    session = await services.sessions.refresh(account)  # type: ignore[arg-type]
    assert session.access != first


def test_v1_signature_and_unregistered_key(world: SandboxWorld) -> None:
    base = world.urls["encord"]
    body = json.dumps(
        {
            "query_type": "projectapikey",
            "query_method": "GET",
            "values": {"uid": world.encord_project, "payload": None},
        }
    ).encode()
    key = load_private_key(Secret(world.encord_key))
    good = httpx.post(
        f"{base}/public/user", content=body, headers={"Authorization": v1_authorization(key, body)}
    )
    assert good.json()["status"] == 200
    tampered = httpx.post(
        f"{base}/public/user",
        content=body + b" ",
        headers={"Authorization": v1_authorization(key, body)},
    )
    assert tampered.json()["response"] == ["AUTHENTICATION_ERROR"]
    stranger = Ed25519PrivateKey.generate()
    unknown = httpx.post(
        f"{base}/public/user",
        content=body,
        headers={"Authorization": v1_authorization(stranger, body)},
    )
    assert unknown.status_code == 400
    assert unknown.json()["response"] == ["SSH_KEY_NOT_FOUND_ERROR"]


def test_v1_get_or_create_gets_the_key_with_every_scope(world: SandboxWorld) -> None:
    """`projectapikey` PUT (shared/providers/encord.md): the project's key with every scope,
    whatever order its scopes were given in; made once, then the same key."""
    base = world.urls["encord"]
    key = load_private_key(Secret(world.encord_key))

    def call(method: str, payload: object) -> object:
        body = json.dumps(
            {
                "query_type": "projectapikey",
                "query_method": method,
                "values": {"uid": world.encord_project, "payload": payload},
            }
        ).encode()
        answer = httpx.post(
            f"{base}/public/user",
            content=body,
            headers={"Authorization": v1_authorization(key, body)},
        ).json()
        assert answer["status"] == 200, answer
        return answer["response"]

    every = ["algo.library", "label_logs.read", "model.train", "model.inference"]
    every += ["label.write", "label.read"]  # every scope, in another order than the sandbox's
    made = call("POST", {"title": "all of them", "scopes": every})
    assert call("PUT", {}) == made
    assert call("PUT", {}) == made
    assert [k["api_key"] for k in call("GET", None)].count(made) == 1  # type: ignore[attr-defined]


async def test_wrong_key_types_and_passphrases(services: AppServices, world: SandboxWorld) -> None:
    rsa_pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.OpenSSH,
            serialization.NoEncryption(),
        )
        .decode()
    )
    with pytest.raises(EncordKeyError, match="Ed25519"):
        load_private_key(Secret(rsa_pem))
    protected = Ed25519PrivateKey.generate()
    pem = protected.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.BestAvailableEncryption(b"tdtest-passphrase"),
    ).decode()
    with pytest.raises(EncordKeyError, match="passphrase"):
        load_private_key(Secret(pem))
    assert load_private_key(Secret(pem), Secret("tdtest-passphrase")) is not None
    account = await services.accounts.add(
        draft(world, Platform.ENCORD, "rsa"),
        {"project_hash": world.encord_project},
        {"private_key": Secret(rsa_pem)},
    )
    with pytest.raises(PlatformError, match="Ed25519"):
        await services.sessions.sign_in(account)
    unregistered = await services.accounts.add(
        draft(world, Platform.ENCORD, "unregistered"),
        {"project_hash": world.encord_project},
        {"private_key": Secret(pem), "passphrase": Secret("tdtest-passphrase")},
    )
    with pytest.raises(PlatformError) as info:
        await services.sessions.sign_in(unregistered)
    assert "SSH key not found" in info.value.details()


async def test_encord_keys_get_exactly_the_scopes_chosen(
    services: AppServices, world: SandboxWorld
) -> None:
    from tokendeck.core.errors import InvalidRequestError

    account = await _account(services, world, "Encord scopes")
    for scopes, message in (
        ((), "at least one scope"),
        (("label.read", "dataset.read"), "project or for a dataset"),
        (("label.read", "root"), "Unknown scope"),
    ):
        with pytest.raises(InvalidRequestError, match=message):
            await services.keys.create_key(account, "too broad", None, scopes)  # type: ignore[arg-type]
    credential, _ = await services.keys.create_key(account, "narrow", None, ("label.read",))  # type: ignore[arg-type]
    assert credential.scopes == ("label.read",)


async def test_key_ids_are_keyed_and_old_ids_are_carried_over(
    services: AppServices, world: SandboxWorld, profile: object
) -> None:
    from dataclasses import replace as with_

    from tokendeck.core.models import CredentialState
    from tokendeck.platforms.encord.adapter import fingerprint

    account = await _account(services, world, "Encord ids")
    credential, key = await services.keys.create_key(account, "ids", None, ("label.read",))  # type: ignore[arg-type]
    plain = fingerprint(key.reveal())
    assert plain not in (credential.remote_id or ""), "no plain digest of a key in the catalog"
    # As an earlier release recorded it: under the plain digest.
    old = with_(credential, remote_id=f"project:{plain}")
    await services.catalog.upsert_credential(old)
    views = await services.keys.list_keys(account)  # type: ignore[arg-type]
    mine = next(v for v in views if v.remote.name == "ids")
    assert mine.secret_held, "the key held under its old id is recognised, not lost"
    kept = [
        c
        for c in await services.accounts.credentials(account)  # type: ignore[arg-type]
        if c.role == "key"
    ]
    assert [c.remote_id for c in kept] == [mine.remote.id]
    assert kept[0].state is CredentialState.ACTIVE
