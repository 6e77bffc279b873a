"""Dataloop, as shared/providers/dataloop.md describes it.

Gate and API share one base URL here: `POST /token?default` (password and refresh logins),
`GET /api/v1/users/me`, `/api/v1/apikeys` (also `/apiKeys`, the SDK's spelling), bots, and the
projects listing dtlpy makes after signing in (each user owns one seeded project).
The official SDK (dtlpy) runs unchanged against these routes (tests/contract).
Tokens are RS256 JWTs with Auth0-like claims, signed by a sandbox key served at
`/.well-known/jwks.json`. Choices for the facts marked unconfirmed are the constants below.
"""

from __future__ import annotations

import json
import secrets
import uuid
from dataclasses import dataclass, field
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tokendeck.sandbox.control import Control, FaultMiddleware, admin_routes

ID_TOKEN_LIFETIME = 24 * 3600  # docs: "Expiration period is 24 hours"
API_KEY_LIFETIME = 365 * 24 * 3600  # docs: keys expire after 1 year
MAX_KEYS_PER_USER = 10
KID = "sandbox-dataloop-1"
# Unconfirmed upstream: the refresh answer keeps the refresh token (no rotation); wrong password
# answers 401 {"name": "Unauthorized", "message": ...}; API-key times are epoch milliseconds.
ROTATES_REFRESH = False
SANDBOX_ORG, SANDBOX_ACCOUNT = "5a4e1c0b7d3f2a9e8c6b4d21", "5a4e1c0b7d3f2a9e8c6b4d22"


@dataclass
class DataloopState:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    refresh: dict[str, str] = field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)
    bots: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    base_url: str = ""


def _error(status: int, name: str, message: str) -> JSONResponse:
    return JSONResponse({"name": name, "message": message}, status_code=status)


class Dataloop:
    def __init__(self, users: dict[str, str] | None = None, control: Control | None = None) -> None:
        self.control = control or Control()
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.state = DataloopState()
        for email, password in (users or {}).items():
            self.add_user(email, password)
        routes = [
            Route("/token", self.token, methods=["POST"]),
            Route("/.well-known/jwks.json", self.jwks),
            Route("/api/v1/users/me", self.me),
            Route("/api/v1/apikeys", self.keys, methods=["GET", "POST"]),
            Route("/api/v1/apiKeys", self.keys, methods=["GET", "POST"]),
            Route("/api/v1/apikeys/{key_id}", self.one_key, methods=["GET", "DELETE"]),
            Route("/api/v1/apiKeys/{key_id}", self.one_key, methods=["GET", "DELETE"]),
            # dtlpy's projects.list() / projects.get() (shapes: add_project)
            Route("/api/v1/projects", self.projects),
            Route("/api/v1/projects/{project_id}", self.project),
            Route("/api/v1/projects/{project_id}/bots", self.bots, methods=["GET", "POST"]),
            Route(
                "/api/v1/projects/{project_id}/bots/{bot_id}", self.delete_bot, methods=["DELETE"]
            ),
            *admin_routes(self.control),
        ]
        self.app = Starlette(
            routes=routes, middleware=[Middleware(FaultMiddleware, control=self.control)]
        )
        self.app.state.sandbox_owner = self

    def set_base_url(self, url: str) -> None:
        self.state.base_url = url.rstrip("/")

    def add_user(self, email: str, password: str, *, kind: str = "user") -> dict[str, Any]:
        user = {
            "id": str(uuid.uuid4()),
            "username": email,
            "email": email,
            "firstName": email.split("@")[0],
            "password": password,
            "type": kind,
            "projects": [],
            "groups": [],
            "orgs": [],
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
        }
        self.state.users[email] = user
        if kind == "user":
            project = self.add_project(email)
            user["projects"] = [project["id"]]
        return user

    def add_project(self, owner: str, name: str = "Sandbox project") -> dict[str, Any]:
        """A project `owner` owns, with the fields dtlpy reads: entities.Project's DlProperty
        locations, and for each contributor entities.User.from_json's keys. Times are ISO
        strings as in users/me; ids are 24 hex characters, as Dataloop's."""
        user = self.state.users[owner]
        project_id = uuid.uuid4().hex[:24]
        contributor = {k: v for k, v in user.items() if k not in ("password", "projects")}
        project: dict[str, Any] = {
            "id": project_id,
            "name": name,
            "creator": owner,
            "createdAt": "2026-01-01T00:00:00.000Z",
            "updatedAt": "2026-01-01T00:00:00.000Z",
            "org": SANDBOX_ORG,
            "account": SANDBOX_ACCOUNT,
            "role": "owner",
            "isBlocked": False,
            "archived": False,
            "systemProject": False,
            "featureConstraints": {},
            "contributors": [{**contributor, "lastName": "", "role": "owner", "org": SANDBOX_ORG}],
        }
        self.state.projects[project_id] = project
        return project

    # -- tokens -----------------------------------------------------------------------------

    def _id_token(self, email: str) -> str:
        now = int(self.control.now())
        claims = {
            "iss": f"{self.state.base_url}/",
            "sub": f"auth0|{self.state.users[email]['id']}",
            "aud": "sandbox-dataloop",
            "iat": now,
            "exp": now + self.control.lifetime(ID_TOKEN_LIFETIME),
            "email": email,
            "email_verified": True,
            "name": email,
            "nickname": email.split("@")[0],
            "updated_at": "2026-01-01T00:00:00.000Z",
            "https://dataloop.ai/authorization": {"roles": ["user"]},
            "sid": secrets.token_hex(8),
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})

    async def jwks(self, request: Request) -> JSONResponse:
        public = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return JSONResponse({"keys": [{**public, "kid": KID, "use": "sig", "alg": "RS256"}]})

    async def token(self, request: Request) -> JSONResponse:
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "BadRequest", "Body must be JSON.")
        if body.get("type") == "user_credentials":
            user = self.state.users.get(str(body.get("username")))
            if user is None or user["password"] != body.get("password"):
                return _error(401, "Unauthorized", "Wrong email or password.")
            refresh = "dl-rt-" + secrets.token_urlsafe(24)
            self.state.refresh[refresh] = user["email"]
            token = self._id_token(user["email"])
            return JSONResponse(
                {
                    "access_token": "opaque-" + secrets.token_hex(8),
                    "id_token": token,
                    "refresh_token": refresh,
                }
            )
        if body.get("type") == "refresh_token":
            old = str(body.get("refresh_token"))
            email = self.state.refresh.get(old)
            if email is None:
                return _error(401, "Unauthorized", "Unknown or revoked refresh token.")
            answer: dict[str, str] = {
                "id_token": self._id_token(email),
                "access_token": "opaque-" + secrets.token_hex(8),
            }
            if ROTATES_REFRESH:
                del self.state.refresh[old]
                answer["refresh_token"] = "dl-rt-" + secrets.token_urlsafe(24)
                self.state.refresh[answer["refresh_token"]] = email
            return JSONResponse(answer)
        return _error(400, "BadRequest", "Unknown token request type.")

    def _caller(self, request: Request) -> dict[str, Any] | JSONResponse:
        header = request.headers.get("authorization", "")
        if not header.startswith("Bearer "):
            return _error(401, "Unauthorized", "Missing bearer token.")
        try:
            claims = jwt.decode(
                header[7:],
                self.key.public_key(),
                algorithms=["RS256"],
                options={"verify_aud": False},
                leeway=0,
            )
        except jwt.ExpiredSignatureError:
            return _error(401, "Unauthorized", "Token expired.")
        except jwt.InvalidTokenError:
            return _error(401, "Unauthorized", "Invalid token.")
        if claims.get("typ") == "apikey":
            key = self.state.keys.get(str(claims.get("jti")))
            if key is None or key.get("revokedAt"):
                return _error(401, "Unauthorized", "API key revoked.")
        user = self.state.users.get(str(claims.get("email")))
        return user if user is not None else _error(401, "Unauthorized", "Unknown user.")

    async def me(self, request: Request) -> Response:
        user = self._caller(request)
        if isinstance(user, JSONResponse):
            return user
        return JSONResponse({k: v for k, v in user.items() if k != "password"})

    # -- API keys ---------------------------------------------------------------------------

    def _public(self, key: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in key.items() if not k.startswith("_")}

    async def keys(self, request: Request) -> Response:
        user = self._caller(request)
        if isinstance(user, JSONResponse):
            return user
        if request.method == "GET":
            mine = [
                self._public(k) for k in self.state.keys.values() if k["userId"] == user["email"]
            ]
            return JSONResponse(mine)
        try:
            body = await request.json()
        except ValueError:
            return _error(400, "BadRequest", "Body must be JSON.")
        if not isinstance(body.get("userId"), str):
            return _error(400, "BadRequest", "userId is required.")
        active = [
            k
            for k in self.state.keys.values()
            if k["userId"] == user["email"] and not k.get("revokedAt")
        ]
        if len(active) >= MAX_KEYS_PER_USER:
            return _error(
                400,
                "BadRequest",
                f"API key limit reached: at most {MAX_KEYS_PER_USER} keys per user.",
            )
        now = self.control.now()
        key_id = str(uuid.uuid4())
        lifetime = self.control.key_lifetime(API_KEY_LIFETIME)
        key = {
            "id": key_id,
            "createdAt": int(now * 1000),
            "updatedAt": int(now * 1000),
            "creator": user["email"],
            "description": str(body.get("description", "")),
            "expiresAt": int((now + lifetime) * 1000),
            "type": "user",
            "userId": user["email"],
        }
        self.state.keys[key_id] = key
        claims = {
            "iss": f"{self.state.base_url}/",
            "sub": f"apikey|{key_id}",
            "email": user["email"],
            "typ": "apikey",
            "jti": key_id,
            "iat": int(now),
            "exp": int(now + lifetime),
        }
        token = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": KID})
        return JSONResponse({"key": self._public(key), "jwt": token})

    async def one_key(self, request: Request) -> Response:
        user = self._caller(request)
        if isinstance(user, JSONResponse):
            return user
        key = self.state.keys.get(request.path_params["key_id"])
        if key is None or key["userId"] != user["email"]:
            return _error(404, "NotFound", "API key not found.")
        if request.method == "GET":
            return JSONResponse(self._public(key))
        key["revokedAt"] = int(self.control.now() * 1000)
        return Response(status_code=204)

    # -- projects ---------------------------------------------------------------------------

    def _project_json(self, project: dict[str, Any]) -> dict[str, Any]:
        return {**project, "url": f"{self.state.base_url}/api/v1/projects/{project['id']}"}

    async def projects(self, request: Request) -> Response:
        user = self._caller(request)
        if isinstance(user, JSONResponse):
            return user
        return JSONResponse(
            [
                self._project_json(p)
                for p in self.state.projects.values()
                if any(c["email"] == user["email"] for c in p["contributors"])
            ]
        )

    async def project(self, request: Request) -> Response:
        user = self._caller(request)
        if isinstance(user, JSONResponse):
            return user
        project = self.state.projects.get(request.path_params["project_id"])
        if project is None or all(c["email"] != user["email"] for c in project["contributors"]):
            return _error(404, "NotFound", "Project not found.")
        return JSONResponse(self._project_json(project))

    # -- bots -------------------------------------------------------------------------------

    async def bots(self, request: Request) -> Response:
        user = self._caller(request)
        if isinstance(user, JSONResponse):
            return user
        project = request.path_params["project_id"]
        if request.method == "GET":
            return JSONResponse(
                [
                    {k: v for k, v in b.items() if k != "password"}
                    for b in self.state.bots.get(project, [])
                ]
            )
        body = await request.json()
        email = f"bot.{secrets.token_hex(4)}@bot.sandbox.test"
        password = secrets.token_urlsafe(18)
        bot = self.add_user(email, password, kind="bot")
        bot["name"] = str(body.get("name", "bot"))
        self.state.bots.setdefault(project, []).append(bot)
        answer = {k: v for k, v in bot.items() if k != "password"}
        if body.get("returnCredentials"):
            answer["password"] = password
        return JSONResponse(answer)

    async def delete_bot(self, request: Request) -> Response:
        user = self._caller(request)
        if isinstance(user, JSONResponse):
            return user
        bots = self.state.bots.get(request.path_params["project_id"], [])
        self.state.bots[request.path_params["project_id"]] = [
            b for b in bots if b["id"] != request.path_params["bot_id"]
        ]
        return Response(status_code=204)
