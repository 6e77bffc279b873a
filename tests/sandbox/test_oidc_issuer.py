"""The sandbox's OAuth 2.0 / OIDC issuer over real HTTP on loopback."""

from __future__ import annotations

import httpx
import jwt

from tokendeck.sandbox.oidc import OidcIssuer


def _client(issuer: OidcIssuer) -> tuple[str, str]:
    return next(iter(issuer.state.clients.items()))


def test_discovery_and_jwks(issuer: tuple[OidcIssuer, str]) -> None:
    _, url = issuer
    config = httpx.get(f"{url}/.well-known/openid-configuration").json()
    assert config["issuer"] == url
    assert config["jwks_uri"] == f"{url}/jwks.json"
    keys = httpx.get(config["jwks_uri"]).json()["keys"]
    assert keys[0]["kid"] == "sandbox-rsa-1"
    assert keys[0]["kty"] == "RSA"


def test_client_credentials_then_rotating_refresh(issuer: tuple[OidcIssuer, str]) -> None:
    oidc, url = issuer
    client_id, secret = _client(oidc)
    first = httpx.post(
        f"{url}/token", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    )
    assert first.status_code == 200
    body = first.json()
    assert body["token_type"] == "Bearer"
    jwks = jwt.PyJWKClient(f"{url}/jwks.json")
    key = jwks.get_signing_key_from_jwt(body["access_token"])
    claims = jwt.decode(body["access_token"], key.key, algorithms=["RS256"], audience="sandbox-api")
    assert claims["iss"] == url
    assert claims["exp"] - claims["iat"] == 120
    second = httpx.post(
        f"{url}/token",
        data={
            "grant_type": "refresh_token",
            "refresh_token": body["refresh_token"],
            "client_id": client_id,
            "client_secret": secret,
        },
    )
    assert second.status_code == 200
    assert second.json()["refresh_token"] != body["refresh_token"]
    reused = httpx.post(
        f"{url}/token",
        data={"grant_type": "refresh_token", "refresh_token": body["refresh_token"]},
        auth=(client_id, secret),
    )
    assert reused.status_code == 400
    assert reused.json()["error"] == "invalid_grant"


def test_errors(issuer: tuple[OidcIssuer, str]) -> None:
    oidc, url = issuer
    client_id, secret = _client(oidc)
    bad = httpx.post(
        f"{url}/token", data={"grant_type": "client_credentials"}, auth=(client_id, "wrong")
    )
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"
    odd = httpx.post(f"{url}/token", data={"grant_type": "password"}, auth=(client_id, secret))
    assert odd.json()["error"] == "unsupported_grant_type"
