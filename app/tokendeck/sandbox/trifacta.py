"""Trifacta / Alteryx Designer Cloud / Cloud Dataprep API access tokens, as
shared/providers/trifacta.md describes them: Basic and Bearer auth, tokens create / list / get /
delete, `expiredAt: null` for never, workspace settings (tokens disabled, maximum lifetime),
`/v4/open-api-spec` and a `/v4/jobGroups` probe. Unconfirmed upstream, chosen here: the error
envelope `{"exception": {"name", "message", "details"}}` and `lifetimeSeconds: -1` for never."""

from __future__ import annotations

import base64
import json
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tokendeck.sandbox.control import Control, FaultMiddleware, admin_routes

# Unconfirmed upstream, chosen here: the API value of "never expires" (the UI's -1 days), and
# the error envelope's key (`{"exception": {"name", "message", "details"}}`).
NEVER = -1
ERROR_KEY = "exception"


def _exception(status: int, name: str, message: str) -> JSONResponse:
    return JSONResponse(
        {ERROR_KEY: {"name": name, "message": message, "details": ""}}, status_code=status
    )


def _iso(epoch: float) -> str:
    return (
        datetime.fromtimestamp(epoch, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    )


@dataclass
class TrifactaState:
    users: dict[str, str] = field(default_factory=dict)
    tokens: dict[str, dict[str, Any]] = field(default_factory=dict)
    tokens_enabled: bool = True
    max_lifetime_days: int = -1


class Trifacta:
    def __init__(self, users: dict[str, str] | None = None, control: Control | None = None) -> None:
        self.control = control or Control()
        self.state = TrifactaState(users=dict(users or {}))
        routes = [
            Route("/v4/apiAccessTokens", self.tokens, methods=["GET", "POST"]),
            Route("/v4/apiAccessTokens/{token_id}", self.one, methods=["GET", "DELETE"]),
            Route("/v4/jobGroups", self.job_groups),
            Route("/v4/open-api-spec", self.spec),
            Route("/__sandbox/workspace", self.workspace, methods=["POST"]),
            *admin_routes(self.control),
        ]
        self.app = Starlette(
            routes=routes, middleware=[Middleware(FaultMiddleware, control=self.control)]
        )

    async def workspace(self, request: Request) -> JSONResponse:
        body = await request.json()
        self.state.tokens_enabled = bool(body.get("tokens_enabled", self.state.tokens_enabled))
        self.state.max_lifetime_days = int(
            body.get("max_lifetime_days", self.state.max_lifetime_days)
        )
        return JSONResponse(
            {
                "tokens_enabled": self.state.tokens_enabled,
                "max_lifetime_days": self.state.max_lifetime_days,
            }
        )

    def _caller(self, request: Request, *, basic_ok: bool) -> str | JSONResponse:
        header = request.headers.get("authorization", "")
        if header.startswith("Basic ") and basic_ok:
            try:
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
            except ValueError:
                return _exception(401, "AuthenticationException", "Malformed Basic credentials.")
            if self.state.users.get(user) == password:
                return user
            return _exception(401, "AuthenticationException", "Invalid username or password.")
        if header.startswith("Bearer "):
            value = header[7:]
            try:
                decoded = json.loads(base64.b64decode(value))
                token = self.state.tokens.get(decoded["tokenId"])
            except (ValueError, KeyError, TypeError):
                token = None
            if token is None or token["_secret"] != decoded.get("secret"):
                return _exception(401, "AuthenticationException", "Invalid access token.")
            if token["_expires"] is not None and token["_expires"] < self.control.now():
                return _exception(401, "AuthenticationException", "Access token expired.")
            token["lastUsed"] = _iso(self.control.now())
            return str(token["_owner"])
        return _exception(401, "AuthenticationException", "Authentication required.")

    def _info(self, token: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in token.items() if not k.startswith("_")}

    async def tokens(self, request: Request) -> Response:
        if not self.state.tokens_enabled:
            return _exception(404, "RouteNotFoundException", "Route doesn't exist")
        user = self._caller(request, basic_ok=request.method == "POST")
        if isinstance(user, JSONResponse):
            return user
        if request.method == "GET":
            return JSONResponse(
                {"data": [self._info(t) for t in self.state.tokens.values() if t["_owner"] == user]}
            )
        try:
            body = await request.json()
            lifetime = int(body["lifetimeSeconds"])
        except (ValueError, KeyError, TypeError):
            return _exception(
                400, "ApiValidationFailed", "lifetimeSeconds is required and must be an integer."
            )
        max_days = self.state.max_lifetime_days
        if lifetime == NEVER and max_days != NEVER:
            return _exception(
                400,
                "ApiValidationFailed",
                f"Tokens must expire within {max_days} days in this workspace.",
            )
        if lifetime != NEVER and (
            lifetime <= 0 or (max_days != NEVER and lifetime > max_days * 86400)
        ):
            return _exception(
                400,
                "ApiValidationFailed",
                f"lifetimeSeconds must be between 1 and {max_days * 86400 if max_days != NEVER else 'any'}.",
            )
        now = int(self.control.now() * 1000) / 1000  # whole milliseconds, as it writes them
        token_id, secret = str(uuid.uuid4()), secrets.token_hex(32)
        expires = None if lifetime == NEVER else now + lifetime
        token = {
            "tokenId": token_id,
            "description": str(body.get("description", "")),
            "createdAt": _iso(now),
            "expiredAt": _iso(expires) if expires is not None else None,
            "lastUsed": None,
            "_owner": user,
            "_secret": secret,
            "_expires": expires,
        }
        self.state.tokens[token_id] = token
        value = base64.b64encode(
            json.dumps({"tokenId": token_id, "secret": secret}).encode()
        ).decode()
        return JSONResponse({"tokenValue": value, "tokenInfo": self._info(token)}, status_code=201)

    async def one(self, request: Request) -> Response:
        if not self.state.tokens_enabled:
            return _exception(404, "RouteNotFoundException", "Route doesn't exist")
        user = self._caller(request, basic_ok=False)
        if isinstance(user, JSONResponse):
            return user
        token = self.state.tokens.get(request.path_params["token_id"])
        if token is None or token["_owner"] != user:
            return _exception(404, "DataNotFoundException", "Access token not found.")
        if request.method == "GET":
            return JSONResponse(self._info(token))
        del self.state.tokens[token["tokenId"]]
        return Response(status_code=204)

    async def job_groups(self, request: Request) -> Response:
        user = self._caller(request, basic_ok=False)
        return user if isinstance(user, JSONResponse) else JSONResponse({"data": [], "count": 0})

    async def spec(self, request: Request) -> JSONResponse:
        paths: dict[str, dict[str, dict[str, Any]]] = {
            "/v4/apiAccessTokens": {"get": {}, "post": {}},
            "/v4/apiAccessTokens/{id}": {"get": {}, "delete": {}},
            "/v4/jobGroups": {"get": {}},
        }
        return JSONResponse(
            {
                "openapi": "3.0.0",
                "info": {"title": "Trifacta sandbox", "version": "4"},
                "paths": paths,
            }
        )
