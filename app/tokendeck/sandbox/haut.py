"""Haut.AI SaaS, as shared/providers/haut.md describes it: login, refresh, private tokens
(create / paginated list / revoke), a company datasets probe, drf-standardized-errors bodies.
Unconfirmed upstream, chosen here: refresh is `POST /api/v1/auth/refresh/ {"refresh_token"}`
answering like login; tokens are HS256 JWTs; no limit on private tokens or their expiry."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import jwt
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tokendeck.sandbox.control import Control, FaultMiddleware, admin_routes

ACCESS_LIFETIME = 3600  # haut.md: the token lives 1 hour
PAGE_SIZE = 20
# Unconfirmed: the refresh call's method and body (the path is documented); its answer is
# the login answer.
REFRESH_PATH, REFRESH_METHOD, REFRESH_FIELD = "/api/v1/auth/refresh/", "POST", "refresh_token"


def _errors(
    status: int, kind: str, code: str, detail: str, attr: str | None = None
) -> JSONResponse:
    return JSONResponse(
        {"type": kind, "errors": [{"code": code, "detail": detail, "attr": attr, "extra": None}]},
        status_code=status,
    )


INVALID_TOKEN = ("client_error", "invalid_token", "The provided token is expired or invalid.")


@dataclass
class HautState:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh: dict[str, str] = field(default_factory=dict)
    private: dict[int, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    base_url: str = ""


class Haut:
    def __init__(self, users: dict[str, str] | None = None, control: Control | None = None) -> None:
        self.control = control or Control()
        self.signing_key = secrets.token_bytes(32)
        self.state = HautState()
        for email, password in (users or {}).items():
            self.add_user(email, password)
        routes = [
            Route("/api/v1/auth/login/", self.login, methods=["POST"]),
            Route(REFRESH_PATH, self.refresh, methods=[REFRESH_METHOD]),
            Route("/api/v1/auth/private_tokens/", self.private_tokens, methods=["GET", "POST"]),
            Route("/api/v1/auth/private_tokens/{token_id:int}/", self.revoke, methods=["DELETE"]),
            Route("/api/v1/companies/{company_id}/datasets/", self.datasets),
            *admin_routes(self.control),
        ]
        self.app = Starlette(
            routes=routes, middleware=[Middleware(FaultMiddleware, control=self.control)]
        )
        self.app.state.sandbox_owner = self

    def set_base_url(self, url: str) -> None:
        self.state.base_url = url.rstrip("/")

    def add_user(self, email: str, password: str) -> dict[str, Any]:
        user = {
            "id": len(self.state.users) + 1,
            "email": email,
            "password": password,
            "company_id": str(uuid.uuid4()),
        }
        self.state.users[email] = user
        return user

    def _token(
        self, email: str, lifetime: int, kind: str = "access", jti: str | None = None
    ) -> str:
        now = int(self.control.now())
        claims = {
            "user_id": self.state.users[email]["id"],
            "email": email,
            "token_type": kind,
            "iat": now,
            "exp": now + lifetime,
            "jti": jti or secrets.token_hex(8),
        }
        return jwt.encode(claims, self.signing_key, algorithm="HS256")

    def _login_answer(self, email: str) -> JSONResponse:
        user = self.state.users[email]
        access = self._token(email, self.control.lifetime(ACCESS_LIFETIME))
        refresh = "haut-rt-" + secrets.token_urlsafe(24)
        self.state.refresh[refresh] = email
        return JSONResponse(
            {
                "id": user["id"],
                "email": email,
                "username": email,
                "company_id": user["company_id"],
                "token_access": access,
                "access_token": access,
                "refresh_token": refresh,
                "is_verified": True,
                "profile": {"first_name": email.split("@")[0]},
            }
        )

    async def login(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return _errors(400, "validation_error", "parse_error", "Body must be JSON.")
        for name in ("username", "password"):
            if not body.get(name):
                return _errors(400, "validation_error", "required", "This field is required.", name)
        user = self.state.users.get(str(body["username"]))
        if user is None or user["password"] != body["password"]:
            return _errors(
                401,
                "client_error",
                "authentication_failed",
                "Incorrect authentication credentials.",
            )
        return self._login_answer(user["email"])

    async def refresh(self, request: Request) -> JSONResponse:
        body = await request.json()
        email = self.state.refresh.pop(str(body.get(REFRESH_FIELD)), None)
        if email is None:
            return _errors(401, *INVALID_TOKEN)
        return self._login_answer(email)

    def _caller(self, request: Request) -> str | JSONResponse:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return _errors(
                401,
                "client_error",
                "not_authenticated",
                "Authentication credentials were not provided.",
            )
        try:
            claims = jwt.decode(header[7:], self.signing_key, algorithms=["HS256"])
        except jwt.InvalidTokenError:
            return _errors(401, *INVALID_TOKEN)
        if claims.get("token_type") == "private":
            token = next(
                (t for t in self.state.private.values() if t["_jti"] == claims.get("jti")), None
            )
            if token is None:
                return _errors(401, *INVALID_TOKEN)
        return str(claims["email"])

    async def private_tokens(self, request: Request) -> Response:
        email = self._caller(request)
        if isinstance(email, JSONResponse):
            return email
        if request.method == "GET":
            mine = [
                {"id": t["id"], "name": t["name"], "expiration_time": t["expiration_time"]}
                for t in self.state.private.values()
                if t["_owner"] == email
            ]
            page = int(request.query_params.get("page", "1"))
            size = int(request.query_params.get("page_size", str(PAGE_SIZE)))
            chunk = mine[(page - 1) * size : page * size]
            base = f"{self.state.base_url}/api/v1/auth/private_tokens/"
            return JSONResponse(
                {
                    "count": len(mine),
                    "next": f"{base}?page={page + 1}&page_size={size}"
                    if page * size < len(mine)
                    else None,
                    "previous": f"{base}?page={page - 1}&page_size={size}" if page > 1 else None,
                    "results": chunk,
                }
            )
        body = await request.json()
        if not body.get("name"):
            return _errors(400, "validation_error", "required", "This field is required.", "name")
        try:
            expires = datetime.fromisoformat(
                str(body.get("expiration_time")).replace("Z", "+00:00")
            )
        except ValueError:
            return _errors(
                400, "validation_error", "invalid", "Datetime has wrong format.", "expiration_time"
            )
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        lifetime = int(expires.timestamp() - self.control.now())
        if lifetime <= 0:
            return _errors(
                400,
                "validation_error",
                "invalid",
                "Expiration time must be in the future.",
                "expiration_time",
            )
        jti = secrets.token_hex(8)
        token_id = self.state.next_id
        self.state.next_id += 1
        self.state.private[token_id] = {
            "id": token_id,
            "name": body["name"],
            "expiration_time": expires.isoformat().replace("+00:00", "Z"),
            "_owner": email,
            "_jti": jti,
        }
        data = self._token(email, lifetime, "private", jti)
        return JSONResponse(
            {
                "id": token_id,
                "name": body["name"],
                "expiration_time": self.state.private[token_id]["expiration_time"],
                "data": data,
            },
            status_code=201,
        )

    async def revoke(self, request: Request) -> Response:
        email = self._caller(request)
        if isinstance(email, JSONResponse):
            return email
        token = self.state.private.get(request.path_params["token_id"])
        if token is None or token["_owner"] != email:
            return _errors(404, "client_error", "not_found", "Not found.")
        del self.state.private[token["id"]]
        return Response(status_code=204)

    async def datasets(self, request: Request) -> Response:
        email = self._caller(request)
        if isinstance(email, JSONResponse):
            return email
        if self.state.users[email]["company_id"] != request.path_params["company_id"]:
            return _errors(
                403,
                "client_error",
                "permission_denied",
                "You do not have permission to perform this action.",
            )
        return JSONResponse({"count": 0, "next": None, "previous": None, "results": []})
