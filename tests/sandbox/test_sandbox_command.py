"""`tokendeck sandbox` from the command line: base URLs, seeded users, faults and lifetimes."""

from __future__ import annotations

import re
import ssl
from pathlib import Path

import httpx
import jwt
import pytest

from tests.sandbox_process import RunningSandbox, start_sandbox
from tokendeck.sandbox.command import parse_fault
from tokendeck.sandbox.control import DEMO_SESSION_LIFETIME
from tokendeck.sandbox.world import DEMO_USER


def test_parse_fault() -> None:
    assert parse_fault("503") == ("503", 1, None)
    assert parse_fault("500:3") == ("500", 3, None)
    assert parse_fault("reset@0.25") == ("reset", None, 0.25)
    with pytest.raises(ValueError, match="rate"):
        parse_fault("500@2")


def test_sandbox_command_serves_with_faults_and_lifetimes() -> None:
    sandbox = start_sandbox(
        "--fault", "503:2", "--token-lifetime", "5", "--latency", "0.01", "--seed", "7"
    )
    try:
        urls = sandbox.urls
        assert {"Dataloop", "Trifacta", "Encord"} <= set(urls)
        assert "Seeded test users" in sandbox.text
        assert sandbox.encord_key_file.stat().st_mode & 0o077 == 0
        spec = f"{urls['Trifacta']}/v4/open-api-spec"
        assert [httpx.get(spec).status_code for _ in range(3)] == [503, 503, 200]
        state = httpx.get(f"{urls['Dataloop']}/__sandbox/state").json()
        assert state["token_lifetime"] == 5
        assert state["latency"] == 0.01
    finally:
        sandbox.stop()
    assert not sandbox.encord_key_file.parent.exists(), "the SSH key went with it"


def test_sandbox_command_over_https_prints_its_throw_away_ca() -> None:
    sandbox = start_sandbox("--tls")
    try:
        [ca_file] = re.findall(r"^HTTPS, signed by a throw-away CA: (\S+)$", sandbox.text, re.M)
        url = sandbox.urls["Trifacta"]
        assert url.startswith("https://")
        spec = f"{url}/v4/open-api-spec"
        with pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            httpx.get(spec)  # not trusted by anything but its own CA file
        trusted = ssl.create_default_context(cafile=ca_file)
        assert httpx.get(spec, verify=trusted).status_code == 200
    finally:
        sandbox.stop()
    assert not Path(ca_file).parent.exists(), "the throw-away CA and host key went with it"


def _lifetimes(sandbox: RunningSandbox) -> dict[str, int]:
    """Seconds from issue to expiry of what each platform issues to the seeded user."""
    dataloop, password = sandbox.urls["Dataloop"], sandbox.password
    signed = httpx.post(
        f"{dataloop}/token?default",
        json={"username": DEMO_USER, "password": password, "type": "user_credentials"},
    ).json()
    id_claims = jwt.decode(signed["id_token"], options={"verify_signature": False})
    bearer = {"Authorization": f"Bearer {signed['id_token']}"}
    key = httpx.post(f"{dataloop}/api/v1/apikeys", json={"userId": DEMO_USER}, headers=bearer)
    key_claims = jwt.decode(key.json()["jwt"], options={"verify_signature": False})
    haut = httpx.post(
        f"{sandbox.urls['Haut.AI']}/api/v1/auth/login/",
        json={"username": DEMO_USER, "password": password},
    ).json()
    haut_claims = jwt.decode(haut["access_token"], options={"verify_signature": False})
    client = re.findall(r"client (\S+) / (\S+)", sandbox.seeded("OAuth 2.0"))[0]
    oauth = httpx.post(
        f"{sandbox.urls['OAuth 2.0 / OIDC']}/token",
        data={"grant_type": "client_credentials"},
        auth=client,
    ).json()
    return {
        "dataloop id_token": id_claims["exp"] - id_claims["iat"],
        "dataloop api key": key_claims["exp"] - key_claims["iat"],
        "haut access": haut_claims["exp"] - haut_claims["iat"],
        "oauth2 access": oauth["expires_in"],
    }


def test_sandbox_command_issues_documented_lifetimes_by_default() -> None:
    sandbox = start_sandbox()
    try:
        assert "Lifetimes: as documented" in sandbox.text
        assert _lifetimes(sandbox) == {
            "dataloop id_token": 24 * 3600,  # shared/providers/dataloop.md: 24 hours
            "dataloop api key": 365 * 24 * 3600,  # keys expire after 1 year
            "haut access": 3600,  # haut.md: the token lives 1 hour
            "oauth2 access": 3600,
        }
    finally:
        sandbox.stop()


def test_sandbox_command_demo_lifetimes_shorten_sessions_only() -> None:
    sandbox = start_sandbox("--demo-lifetimes")
    try:
        assert "Lifetimes: sign-in and access tokens last 300 s" in sandbox.text
        assert _lifetimes(sandbox) == {
            "dataloop id_token": DEMO_SESSION_LIFETIME,
            "dataloop api key": 365 * 24 * 3600,
            "haut access": DEMO_SESSION_LIFETIME,
            "oauth2 access": DEMO_SESSION_LIFETIME,
        }
        # A reset clears faults and settings, and goes back to the lifetimes it announced
        dataloop = sandbox.urls["Dataloop"]
        httpx.post(f"{dataloop}/__sandbox/config", json={"session_lifetime": 7})
        assert httpx.post(f"{dataloop}/__sandbox/reset").json()["session_lifetime"] == 300
        assert _lifetimes(sandbox)["dataloop id_token"] == DEMO_SESSION_LIFETIME
    finally:
        sandbox.stop()


def test_the_demo_shortens_sessions_and_keeps_key_lifetimes() -> None:
    """`tokendeck --demo` runs its in-process sandbox with the demo lifetimes."""
    from tokendeck.demo import start_world

    world = start_world()
    try:
        base = world.urls["dataloop"]
        signed = httpx.post(
            f"{base}/token?default",
            json={"username": DEMO_USER, "password": world.password, "type": "user_credentials"},
        ).json()
        claims = jwt.decode(signed["id_token"], options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == DEMO_SESSION_LIFETIME
        key = httpx.post(
            f"{base}/api/v1/apikeys",
            json={"userId": DEMO_USER},
            headers={"Authorization": f"Bearer {signed['id_token']}"},
        ).json()["jwt"]
        key_claims = jwt.decode(key, options={"verify_signature": False})
        assert key_claims["exp"] - key_claims["iat"] == 365 * 24 * 3600
        assert world.oauth2.state.access_lifetime == DEMO_SESSION_LIFETIME
        assert {c.session_lifetime for c in world.controls()} == {DEMO_SESSION_LIFETIME}
    finally:
        world.stop()
