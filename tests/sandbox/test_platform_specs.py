"""The emulators against shared/providers/*.md: every endpoint and every error shape, over HTTP."""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import time
import uuid
from collections.abc import Iterator

import httpx
import jwt
import pytest

from tokendeck.sandbox.world import DEMO_USER, SandboxWorld, build_world

# haut.md: 200 {"id": int, "email", "username", "company_id": "<uuid>", "token_access",
# "access_token", "refresh_token", "is_verified": bool, "profile": {...}}
HAUT_LOGIN_FIELDS = {
    "id",
    "email",
    "username",
    "company_id",
    "token_access",
    "access_token",
    "refresh_token",
    "is_verified",
    "profile",
}


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    sandbox = build_world().start()
    yield sandbox
    sandbox.stop()


def test_dataloop_spec(world: SandboxWorld) -> None:
    base = world.urls["dataloop"]
    wrong = httpx.post(
        f"{base}/token?default",
        json={"username": DEMO_USER, "password": "x", "type": "user_credentials"},
    )
    assert wrong.status_code == 401
    assert set(wrong.json()) == {"name", "message"}
    login = httpx.post(
        f"{base}/token?default",
        json={"username": DEMO_USER, "password": world.password, "type": "user_credentials"},
    ).json()
    assert set(login) == {"access_token", "id_token", "refresh_token"}
    keys = httpx.get(f"{base}/.well-known/jwks.json").json()["keys"]
    claims = jwt.decode(
        login["id_token"],
        jwt.PyJWK(keys[0]).key,
        algorithms=["RS256"],
        options={"verify_aud": False},
    )
    assert {"iss", "sub", "aud", "iat", "exp", "email", "https://dataloop.ai/authorization"} <= set(
        claims
    )
    refreshed = httpx.post(
        f"{base}/token?default",
        json={"type": "refresh_token", "refresh_token": login["refresh_token"]},
    ).json()
    assert "id_token" in refreshed
    auth = {"Authorization": f"Bearer {login['id_token']}"}
    me = httpx.get(f"{base}/api/v1/users/me", headers=auth).json()
    assert {
        "id",
        "username",
        "email",
        "projects",
        "groups",
        "orgs",
        "type",
        "createdAt",
        "updatedAt",
    } <= set(me)
    assert httpx.get(f"{base}/api/v1/users/me").status_code == 401
    created = httpx.post(
        f"{base}/api/v1/apiKeys", json={"userId": DEMO_USER, "description": "spec"}, headers=auth
    ).json()
    assert set(created) == {"key", "jwt"}
    key = created["key"]
    assert {"id", "createdAt", "updatedAt", "creator", "description", "expiresAt", "type"} <= set(
        key
    )
    assert (key["expiresAt"] - key["createdAt"]) // 1000 == 365 * 24 * 3600
    assert httpx.get(f"{base}/api/v1/apikeys/{key['id']}", headers=auth).json()["id"] == key["id"]
    assert [k["id"] for k in httpx.get(f"{base}/api/v1/apikeys", headers=auth).json()] == [
        key["id"]
    ]
    key_auth = {"Authorization": f"Bearer {created['jwt']}"}
    assert httpx.get(f"{base}/api/v1/users/me", headers=key_auth).status_code == 200
    assert httpx.delete(f"{base}/api/v1/apikeys/{key['id']}", headers=auth).status_code == 204
    assert httpx.get(f"{base}/api/v1/users/me", headers=key_auth).status_code == 401
    assert httpx.get(f"{base}/api/v1/apikeys/nope", headers=auth).json()["name"] == "NotFound"
    bot = httpx.post(
        f"{base}/api/v1/projects/p1/bots",
        json={"name": "ci", "returnCredentials": True},
        headers=auth,
    ).json()
    assert {"email", "password"} <= set(bot)
    bot_login = httpx.post(
        f"{base}/token?default",
        json={"username": bot["email"], "password": bot["password"], "type": "user_credentials"},
    )
    assert bot_login.status_code == 200
    assert [b["id"] for b in httpx.get(f"{base}/api/v1/projects/p1/bots", headers=auth).json()] == [
        bot["id"]
    ]
    assert (
        httpx.delete(f"{base}/api/v1/projects/p1/bots/{bot['id']}", headers=auth).status_code == 204
    )


def test_haut_spec(world: SandboxWorld) -> None:
    base = world.urls["haut"]
    missing = httpx.post(f"{base}/api/v1/auth/login/", json={"username": DEMO_USER}).json()
    assert missing["type"] == "validation_error"
    assert missing["errors"][0]["attr"] == "password"
    login = httpx.post(
        f"{base}/api/v1/auth/login/", json={"username": DEMO_USER, "password": world.password}
    ).json()
    assert set(login) >= HAUT_LOGIN_FIELDS
    auth = {"Authorization": f"Bearer {login['token_access']}"}
    bad = httpx.get(f"{base}/api/v1/auth/private_tokens/", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401
    assert bad.json() == {
        "type": "client_error",
        "errors": [
            {
                "code": "invalid_token",
                "detail": "The provided token is expired or invalid.",
                "attr": None,
                "extra": None,
            }
        ],
    }
    for i in range(3):
        made = httpx.post(
            f"{base}/api/v1/auth/private_tokens/",
            json={"name": f"t{i}", "expiration_time": "2099-01-01T00:00:00Z"},
            headers=auth,
        )
        assert made.status_code == 201
        assert set(made.json()) == {"id", "name", "expiration_time", "data"}
    page = httpx.get(f"{base}/api/v1/auth/private_tokens/?page=1&page_size=2", headers=auth).json()
    assert page["count"] == 3
    assert len(page["results"]) == 2
    assert page["next"]
    assert "data" not in page["results"][0]
    second = httpx.get(page["next"], headers=auth).json()
    assert len(second["results"]) == 1
    assert second["previous"]
    assert (
        httpx.delete(
            f"{base}/api/v1/auth/private_tokens/{page['results'][0]['id']}/", headers=auth
        ).status_code
        == 204
    )
    datasets = httpx.get(
        f"{base}/api/v1/companies/{login['company_id']}/datasets/", headers=auth
    ).json()
    assert set(datasets) == {"count", "next", "previous", "results"}
    assert httpx.get(f"{base}/api/v1/companies/other/datasets/", headers=auth).status_code == 403
    assert (
        "token_access"
        in httpx.post(
            f"{base}/api/v1/auth/refresh/", json={"refresh_token": login["refresh_token"]}
        ).json()
    )


def test_visual_layer_spec(world: SandboxWorld) -> None:
    base = world.urls["visual_layer"]
    key, secret = world.vl_pair
    assert httpx.get(f"{base}/api/v1/datasets").json() == {
        "detail": "Missing token: send Authorization: Bearer <jwt>."
    }
    now = int(__import__("time").time())
    good = jwt.encode(
        {"sub": key, "iat": now, "exp": now + 600, "iss": "sdk"},
        secret.encode(),
        algorithm="HS256",
        headers={"kid": key},
    )
    assert (
        httpx.get(f"{base}/api/v1/datasets", headers={"Authorization": f"Bearer {good}"}).json()
        == []
    )
    too_long = jwt.encode(
        {"sub": key, "iat": now, "exp": now + 7200, "iss": "sdk"},
        secret.encode(),
        algorithm="HS256",
        headers={"kid": key},
    )
    assert (
        "lifetime"
        in httpx.get(
            f"{base}/api/v1/datasets", headers={"Authorization": f"Bearer {too_long}"}
        ).json()["detail"]
    )
    expired = jwt.encode(
        {"sub": key, "iat": now - 900, "exp": now - 120, "iss": "sdk"},
        secret.encode(),
        algorithm="HS256",
        headers={"kid": key},
    )
    assert (
        "expired"
        in httpx.get(
            f"{base}/api/v1/datasets", headers={"Authorization": f"Bearer {expired}"}
        ).json()["detail"]
    )
    wrong_iss = jwt.encode(
        {"sub": key, "iat": now, "exp": now + 60, "iss": "x"},
        secret.encode(),
        algorithm="HS256",
        headers={"kid": key},
    )
    assert (
        httpx.get(
            f"{base}/api/v1/datasets", headers={"Authorization": f"Bearer {wrong_iss}"}
        ).status_code
        == 401
    )
    assert httpx.get(f"{base}/api/v1/api_credentials").status_code == 401
    cookie = world.visual_layer.new_session()
    pair = httpx.get(f"{base}/api/v1/api_credentials", cookies={"SESSION": cookie}).json()
    assert {"api_key", "api_secret", "message"} <= set(pair)


def test_trifacta_spec(world: SandboxWorld) -> None:
    base = world.urls["trifacta"]
    basic = ("demo", world.password)
    made = httpx.post(
        f"{base}/v4/apiAccessTokens",
        json={"lifetimeSeconds": 3600, "description": "spec"},
        auth=basic,
    )
    assert made.status_code == 201
    body = made.json()
    assert set(body) == {"tokenValue", "tokenInfo"}
    assert set(body["tokenInfo"]) == {
        "tokenId",
        "description",
        "expiredAt",
        "lastUsed",
        "createdAt",
    }
    assert body["tokenInfo"]["expiredAt"].endswith("Z")
    assert body["tokenInfo"]["lastUsed"] is None
    decoded = json.loads(base64.b64decode(body["tokenValue"]))
    assert set(decoded) == {"tokenId", "secret"}
    assert len(decoded["secret"]) == 64
    bearer = {"Authorization": f"Bearer {body['tokenValue']}"}
    assert [
        t["tokenId"] for t in httpx.get(f"{base}/v4/apiAccessTokens", headers=bearer).json()["data"]
    ] == [decoded["tokenId"]]
    never = httpx.post(
        f"{base}/v4/apiAccessTokens",
        json={"lifetimeSeconds": -1, "description": "never"},
        headers=bearer,
    ).json()
    assert never["tokenInfo"]["expiredAt"] is None
    one = httpx.get(
        f"{base}/v4/apiAccessTokens/{never['tokenInfo']['tokenId']}", headers=bearer
    ).json()
    assert one["description"] == "never"
    assert httpx.get(f"{base}/v4/jobGroups", headers=bearer).status_code == 200
    assert "paths" in httpx.get(f"{base}/v4/open-api-spec").json()
    bad = httpx.post(
        f"{base}/v4/apiAccessTokens", json={"description": "no lifetime"}, headers=bearer
    )
    assert bad.json()["exception"]["name"] == "ApiValidationFailed"
    assert (
        httpx.get(f"{base}/v4/apiAccessTokens/nope", headers=bearer).json()["exception"]["name"]
        == "DataNotFoundException"
    )
    assert (
        httpx.delete(
            f"{base}/v4/apiAccessTokens/{never['tokenInfo']['tokenId']}", headers=bearer
        ).status_code
        == 204
    )
    httpx.post(f"{base}/__sandbox/workspace", json={"tokens_enabled": False})
    off = httpx.get(f"{base}/v4/apiAccessTokens", headers=bearer)
    httpx.post(f"{base}/__sandbox/workspace", json={"tokens_enabled": True})
    assert off.status_code == 404
    assert off.json()["exception"] == {
        "name": "RouteNotFoundException",
        "message": "Route doesn't exist",
        "details": "",
    }


@pytest.mark.parametrize("kind", ["500", "503", "429", "malformed", "redirect"])
def test_fault_injection_is_controlled_and_counted(world: SandboxWorld, kind: str) -> None:
    base = world.urls["trifacta"]
    httpx.post(f"{base}/__sandbox/reset")
    httpx.post(f"{base}/__sandbox/faults", json={"kind": kind, "count": 1})
    hit = httpx.get(f"{base}/v4/open-api-spec")
    expected = {"500": 500, "503": 503, "429": 429, "malformed": 200, "redirect": 307}[kind]
    assert hit.status_code == expected
    if kind == "429":
        assert hit.headers["retry-after"] == "1"
    if kind == "redirect":
        assert hit.headers["location"].startswith("http://127.0.0.2")
    assert httpx.get(f"{base}/v4/open-api-spec").status_code == 200, "only the next request"
    assert httpx.get(f"{base}/__sandbox/state").json()["hits"] == {kind: 1}


def test_seeded_rate_faults_are_reproducible(world: SandboxWorld) -> None:
    base = world.urls["haut"]

    def pattern() -> list[int]:
        httpx.post(f"{base}/__sandbox/reset")
        httpx.post(f"{base}/__sandbox/faults", json={"kind": "503", "rate": 0.5})
        codes = [httpx.get(f"{base}/api/v1/auth/private_tokens/").status_code for _ in range(12)]
        httpx.post(f"{base}/__sandbox/reset")
        return codes

    first, second = pattern(), pattern()
    assert first == second
    assert 503 in first
    assert 401 in first


# -- the documented examples, field by field, where no official SDK exists to run ---------------
# Haut.AI, Visual Layer and Trifacta publish no Python SDK: each answer below is checked against
# the example in shared/providers/<platform>.md (quoted in the comments), keys exactly, types
# and formats where the docs give them. Dataloop and Encord are checked by their SDKs
# (tests/contract).

ISO_MS_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


@pytest.fixture
def own_world() -> Iterator[SandboxWorld]:
    """A sandbox of its own: what these tests create is not seen by the others (random order)."""
    sandbox = build_world().start()
    yield sandbox
    sandbox.stop()


def test_haut_answers_field_by_field(own_world: SandboxWorld) -> None:
    world = own_world
    base = world.urls["haut"]
    # haut.md: 200 {"id": int, "email", "username", "company_id": "<uuid>", "token_access",
    # "access_token", "refresh_token", "is_verified": bool, "profile": {...}}
    login = httpx.post(
        f"{base}/api/v1/auth/login/", json={"username": DEMO_USER, "password": world.password}
    )
    assert login.status_code == 200
    body = login.json()
    assert set(body) == HAUT_LOGIN_FIELDS
    assert isinstance(body["id"], int)
    assert isinstance(body["is_verified"], bool)
    assert isinstance(body["profile"], dict)
    uuid.UUID(body["company_id"])
    assert jwt.get_unverified_header(body["token_access"])["alg"] == "HS256"  # the docs' example
    auth = {"Authorization": f"Bearer {body['token_access']}"}
    # 201 {"id": int, "name", "expiration_time", "data": "<the token>"}
    made = httpx.post(
        f"{base}/api/v1/auth/private_tokens/",
        json={"name": "fields", "expiration_time": "2099-01-01T00:00:00Z"},
        headers=auth,
    )
    assert made.status_code == 201
    assert set(made.json()) == {"id", "name", "expiration_time", "data"}
    assert isinstance(made.json()["id"], int)
    # 200 paginated {"count", "next", "previous", "results"} of {"id", "name", "expiration_time"}
    listed = httpx.get(f"{base}/api/v1/auth/private_tokens/", headers=auth).json()
    assert set(listed) == {"count", "next", "previous", "results"}
    assert all(set(item) == {"id", "name", "expiration_time"} for item in listed["results"])
    # errors: {"type", "errors": [{"code", "detail", "attr", "extra"}]}; validation names `attr`
    wrong = httpx.post(
        f"{base}/api/v1/auth/login/", json={"username": DEMO_USER, "password": "not it"}
    )
    assert wrong.status_code == 401
    missing = httpx.post(f"{base}/api/v1/auth/private_tokens/", json={}, headers=auth)
    assert missing.status_code == 400
    for answer in (wrong.json(), missing.json()):
        assert set(answer) == {"type", "errors"}
        assert all(set(e) == {"code", "detail", "attr", "extra"} for e in answer["errors"])
    assert missing.json()["type"] == "validation_error"
    assert missing.json()["errors"][0]["attr"] == "name"


def test_visual_layer_answers_field_by_field(own_world: SandboxWorld) -> None:
    world = own_world
    base = world.urls["visual_layer"]
    # visual_layer.md: {"api_key": "<uuid>", "api_secret": "<~86 url-safe chars>", "message":
    # "API key created. Write down the secret – it's only shown once! ..."}
    cookie = world.visual_layer.new_session()
    pair = httpx.get(f"{base}/api/v1/api_credentials", cookies={"SESSION": cookie}).json()
    assert set(pair) == {"api_key", "api_secret", "message"}
    uuid.UUID(pair["api_key"])
    assert re.fullmatch(r"[A-Za-z0-9_-]{80,90}", pair["api_secret"])
    assert pair["message"].startswith("API key created. Write down the secret")
    # every error is {"detail": "<message>"}: 401 for a missing, bad or expired token
    now = int(time.time())
    forged = jwt.encode(
        {"sub": pair["api_key"], "iat": now, "exp": now + 600, "iss": "sdk"},
        "not the secret: " + "x" * 32,
        algorithm="HS256",
        headers={"kid": pair["api_key"]},
    )
    for headers in ({}, {"Authorization": f"Bearer {forged}"}):
        refused = httpx.get(f"{base}/api/v1/datasets", headers=headers)
        assert refused.status_code == 401
        assert set(refused.json()) == {"detail"}
    minted = jwt.encode(
        {"sub": pair["api_key"], "iat": now, "exp": now + 600, "iss": "sdk"},
        pair["api_secret"].encode(),
        algorithm="HS256",
        headers={"kid": pair["api_key"]},
    )
    datasets = httpx.get(f"{base}/api/v1/datasets", headers={"Authorization": f"Bearer {minted}"})
    assert datasets.status_code == 200
    assert isinstance(datasets.json(), list)  # "200 JSON array (cheap probe)"


def test_trifacta_answers_field_by_field(own_world: SandboxWorld) -> None:
    world = own_world
    base = world.urls["trifacta"]
    # trifacta.md: 201 {"tokenValue", "tokenInfo": {"tokenId", "description", "expiredAt",
    # "lastUsed", "createdAt"}}, times ISO-8601 UTC with milliseconds and Z,
    # expiredAt = createdAt + lifetimeSeconds, lastUsed null when never used
    made = httpx.post(
        f"{base}/v4/apiAccessTokens",
        json={"lifetimeSeconds": 86400, "description": "fields"},
        auth=("demo", world.password),
    )
    assert made.status_code == 201
    info = made.json()["tokenInfo"]
    assert set(info) == {"tokenId", "description", "expiredAt", "lastUsed", "createdAt"}
    uuid.UUID(info["tokenId"])
    assert ISO_MS_Z.match(info["createdAt"])
    assert ISO_MS_Z.match(info["expiredAt"])
    created = dt.datetime.fromisoformat(info["createdAt"])
    assert dt.datetime.fromisoformat(info["expiredAt"]) - created == dt.timedelta(days=1)
    assert info["lastUsed"] is None
    bearer = {"Authorization": f"Bearer {made.json()['tokenValue']}"}
    # 200 {"data": [{"tokenId", "description", "createdAt", "expiredAt", "lastUsed"}]}
    listed = httpx.get(f"{base}/v4/apiAccessTokens", headers=bearer).json()
    assert set(listed) == {"data"}
    assert all(
        set(t) == {"tokenId", "description", "createdAt", "expiredAt", "lastUsed"}
        for t in listed["data"]
    )
    # DELETE: 204, empty body
    gone = httpx.delete(f"{base}/v4/apiAccessTokens/{info['tokenId']}", headers=bearer)
    assert gone.status_code == 204
    assert gone.content == b""
    # refused: 401 with the sandbox's chosen envelope {"exception": {"name", "message", "details"}}
    refused = httpx.get(f"{base}/v4/apiAccessTokens", headers=bearer)
    assert refused.status_code == 401
    assert set(refused.json()["exception"]) == {"name", "message", "details"}
