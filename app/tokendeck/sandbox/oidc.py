"""A generic OAuth 2.0 / OpenID Connect issuer.

Discovery document, JWKS (one RSA key, kid `sandbox-rsa-1`), and a token endpoint with the
`client_credentials` and `refresh_token` grants. Access tokens are RS256 JWTs; refresh tokens are
opaque and rotate: each use returns a new one and the old one answers `invalid_grant`
(RFC 6749 §5.2 / RFC 9700 §4.14 refresh token rotation). Lifetimes are settable so tests can make
a token expire in seconds.
"""

from __future__ import annotations

import base64
import json
import secrets
import time
import urllib.parse
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

KID = "sandbox-rsa-1"
# Unconfirmed (a generic issuer documents none here): access tokens last an hour, the default of
# common issuers (Keycloak's is 5 minutes, Auth0's and Entra ID's about an hour).
ACCESS_LIFETIME = 3600


@dataclass
class IssuerState:
    clients: dict[str, str] = field(default_factory=dict)
    access_lifetime: int = ACCESS_LIFETIME
    refresh_tokens: dict[str, str] = field(default_factory=dict)  # token -> client_id
    base_url: str = ""


class OidcIssuer:
    def __init__(
        self, clients: dict[str, str] | None = None, access_lifetime: int = ACCESS_LIFETIME
    ) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.state = IssuerState(
            clients=dict(
                clients or {"tokendeck-demo": "demo-client-secret-" + secrets.token_hex(8)}
            ),
            access_lifetime=access_lifetime,
        )
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self.discovery),
                Route("/jwks.json", self.jwks),
                Route("/token", self.token, methods=["POST"]),
            ]
        )
        self.app.state.sandbox_owner = self

    def set_base_url(self, url: str) -> None:
        self.state.base_url = url.rstrip("/")

    async def discovery(self, request: Request) -> JSONResponse:
        base = self.state.base_url
        return JSONResponse(
            {
                "issuer": base,
                "jwks_uri": f"{base}/jwks.json",
                "token_endpoint": f"{base}/token",
                "grant_types_supported": ["client_credentials", "refresh_token"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["token"],
                "subject_types_supported": ["public"],
            }
        )

    async def jwks(self, request: Request) -> JSONResponse:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]})

    def _client(self, request: Request, form: dict[str, str]) -> str | None:
        client_id, secret = form.get("client_id"), form.get("client_secret")
        header = request.headers.get("authorization", "")
        if header.lower().startswith("basic "):
            try:
                client_id, _, secret = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return None
        if client_id and secret is not None and self.state.clients.get(client_id) == secret:
            return client_id
        return None

    def mint(self, client_id: str, scope: str = "read") -> str:
        now = int(time.time())
        claims = {
            "iss": self.state.base_url,
            "sub": client_id,
            "aud": "sandbox-api",
            "client_id": client_id,
            "scope": scope,
            "iat": now,
            "exp": now + self.state.access_lifetime,
            "jti": secrets.token_hex(8),
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    async def token(self, request: Request) -> JSONResponse:
        # RFC 6749 token requests are application/x-www-form-urlencoded: the stdlib parses them.
        form = dict(urllib.parse.parse_qsl((await request.body()).decode("utf-8", "replace")))
        client_id = self._client(request, form)
        if client_id is None:
            return _error(401, "invalid_client", "Client authentication failed.")
        grant = form.get("grant_type")
        if grant == "client_credentials":
            pass
        elif grant == "refresh_token":
            owner = self.state.refresh_tokens.pop(form.get("refresh_token", ""), None)
            if owner != client_id:
                return _error(
                    400, "invalid_grant", "The refresh token is invalid, expired or already used."
                )
        else:
            return _error(400, "unsupported_grant_type", f"Grant type {grant!r} is not supported.")
        refresh = "rt-" + secrets.token_urlsafe(24)
        self.state.refresh_tokens[refresh] = client_id
        return JSONResponse(
            {
                "access_token": self.mint(client_id, form.get("scope", "read")),
                "token_type": "Bearer",
                "expires_in": self.state.access_lifetime,
                "refresh_token": refresh,
                "scope": form.get("scope", "read"),
            },
            headers={"Cache-Control": "no-store"},
        )


def _error(status: int, code: str, description: str) -> JSONResponse:
    return JSONResponse({"error": code, "error_description": description}, status_code=status)
