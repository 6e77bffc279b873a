"""Visual Layer, as shared/providers/visual_layer.md describes it: the credentials endpoint
(session cookie), verification of client-minted HS256 JWTs (kid lookup, iss "sdk", exp, a maximum
lifetime, leeway), a datasets probe, `{"detail": ...}` errors, and an on-prem mode with no auth.
Unconfirmed upstream, chosen here: the constants below and the `detail` strings."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field

import jwt
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tokendeck.sandbox.control import Control, FaultMiddleware, admin_routes

MAX_LIFETIME = 3600
LEEWAY = 30


@dataclass
class VisualLayerState:
    pairs: dict[str, str] = field(default_factory=dict)
    sessions: set[str] = field(default_factory=set)
    on_prem: bool = False


def _detail(status: int, text: str) -> JSONResponse:
    return JSONResponse({"detail": text}, status_code=status)


class VisualLayer:
    def __init__(self, *, on_prem: bool = False, control: Control | None = None) -> None:
        self.control = control or Control()
        self.state = VisualLayerState(on_prem=on_prem)
        routes = [
            Route("/api/v1/api_credentials", self.credentials),
            Route("/api/v1/datasets", self.datasets),
            *admin_routes(self.control),
        ]
        self.app = Starlette(
            routes=routes, middleware=[Middleware(FaultMiddleware, control=self.control)]
        )

    def new_pair(self) -> tuple[str, str]:
        key, secret = str(uuid.uuid4()), secrets.token_urlsafe(64)
        self.state.pairs[key] = secret
        return key, secret

    def new_session(self) -> str:
        cookie = secrets.token_urlsafe(24)
        self.state.sessions.add(cookie)
        return cookie

    async def credentials(self, request: Request) -> Response:
        if request.cookies.get("SESSION") not in self.state.sessions:
            return _detail(401, "Not authenticated: sign in to the web app first.")
        key, secret = self.new_pair()
        return JSONResponse(
            {
                "api_key": key,
                "api_secret": secret,
                "message": "API key created. Write down the secret – it's only shown once!",
            }
        )

    def _check(self, request: Request) -> JSONResponse | None:
        if self.state.on_prem:
            return None
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return _detail(401, "Missing token: send Authorization: Bearer <jwt>.")
        token = header[7:]
        try:
            kid = jwt.get_unverified_header(token).get("kid")
        except jwt.InvalidTokenError:
            return _detail(401, "Malformed JWT.")
        secret = self.state.pairs.get(str(kid))
        if secret is None:
            return _detail(401, "Unknown API key (kid).")
        now = self.control.now()
        try:
            claims = jwt.decode(
                token,
                secret.encode(),
                algorithms=["HS256"],
                issuer="sdk",
                leeway=LEEWAY,
                options={
                    "require": ["exp", "iat", "sub"],
                    "verify_iat": False,
                    "verify_exp": False,
                },
            )
        except jwt.InvalidTokenError as exc:
            return _detail(401, f"Invalid token: {type(exc).__name__}.")
        if claims["exp"] + LEEWAY < now:
            return _detail(401, "Token expired: regenerate your JWT.")
        if claims["exp"] - claims["iat"] > MAX_LIFETIME:
            return _detail(401, f"Token lifetime exceeds {MAX_LIFETIME} seconds.")
        if claims["sub"] != kid:
            return _detail(401, "Token subject does not match its key.")
        return None

    async def datasets(self, request: Request) -> Response:
        refused = self._check(request)
        return refused or JSONResponse([])
