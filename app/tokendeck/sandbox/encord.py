"""Encord, as shared/providers/encord.md describes it: v1 RPC at `/public` and `/public/user`,
v2 at `/v2/public/...`; real Ed25519 signatures (v1 header, v2 HTTP message signatures) verified
against registered public keys; bearer tokens; legacy project / dataset API keys with scope
enforcement and `apikeymeta`; the v1 envelope `{"status", "response", "payload"}` judged by its
own status. Unconfirmed upstream, chosen here: bearer tokens are opaque and last an hour; the v2
`created` window is [now - 5 min, now + 1 min]; any key of a project may read the project itself.

The official SDK (`encord`, current and 0.1.145 for the legacy keys) runs unchanged against these
routes (tests/contract): each shape it reads is written as the SDK's own model requires, named
at the route. The sandbox holds no label rows or data rows: a read of one answers
RESOURCE_NOT_FOUND once the key's scope allows it."""

from __future__ import annotations

import json
import secrets
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tokendeck.sandbox.control import Control, FaultMiddleware, admin_routes
from tokendeck.sandbox.encord_records import (
    ADMIN_ROLE,
    created_now,
    v1_dataset,
    v1_dataset_info,
    v1_project,
    v2_dataset,
    v2_project,
)
from tokendeck.sandbox.encord_verify import check_v1, check_v2

BEARER_LIFETIME = 3600
PROJECT_SCOPES = (
    "label.read",
    "label.write",
    "model.inference",
    "model.train",
    "label_logs.read",
    "algo.library",
)
DATASET_SCOPES = ("dataset.read", "dataset.write")
# query type (the SDK sends its ORM class's name in lower case) -> the scope a legacy key needs
# (query type, method) -> the scope a legacy key needs: the SDK sends its ORM class's name in
# lower case, GET to read, POST (save) or PUT (create) to write (0.1.145 client.py).
NEEDS_SCOPE = {
    ("labelrow", "GET"): "label.read",
    ("labelrow", "POST"): "label.write",
    ("labelrow", "PUT"): "label.write",
    ("dataset", "GET"): "dataset.read",
    ("dataset", "POST"): "dataset.write",
    ("dataset", "PUT"): "dataset.write",
}
# Unconfirmed, chosen here: any key of a project may read the project's own record
# (`get_project()`: no documented scope names it); a dataset's record needs dataset.read.
KEY_READS_ITS_RESOURCE = True


def envelope(
    status: int, code: str | None = None, payload: Any = None, response: Any = None
) -> JSONResponse:
    if code is None:
        return JSONResponse({"status": 200, "response": response})
    return JSONResponse({"status": status, "response": [code], "payload": payload}, status_code=200)


@dataclass
class EncordState:
    public_keys: dict[str, str] = field(default_factory=dict)  # hex -> user email
    bearers: dict[str, tuple[str, float]] = field(default_factory=dict)
    projects: dict[str, dict[str, Any]] = field(default_factory=dict)
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)
    keys: dict[str, dict[str, Any]] = field(default_factory=dict)


class Encord:
    def __init__(self, control: Control | None = None) -> None:
        self.control = control or Control()
        self.state = EncordState()
        routes = [
            Route("/public", self.public, methods=["POST"]),
            Route("/public/user", self.public_user, methods=["POST"]),
            Route("/v2/public/user/bearer-token", self.bearer_token),
            # The current SDK's listings, right after signing in (shapes: encord_records.v2_*)
            Route("/v2/public/projects", self.projects),
            Route("/v2/public/datasets/list", self.datasets),
            *admin_routes(self.control),
        ]
        self.app = Starlette(
            routes=routes, middleware=[Middleware(FaultMiddleware, control=self.control)]
        )

    def register(self, public_hex: str, email: str) -> None:
        self.state.public_keys[public_hex] = email

    def add_project(self, email: str, title: str = "Sandbox project") -> str:
        project = str(uuid.uuid4())  # Encord's hashes are UUIDs, the same on v1 and v2
        self.state.projects[project] = {
            "title": title,
            "admins": {email},
            "creator": email,
            "created_at": created_now(),
            "ontology_hash": str(uuid.uuid4()),
        }
        return project

    def add_dataset(self, email: str, title: str = "Sandbox dataset") -> str:
        dataset = str(uuid.uuid4())
        self.state.datasets[dataset] = {
            "title": title,
            "admins": {email},
            "creator": email,
            "created_at": created_now(),
        }
        return dataset

    def _user(self, request: Request, body: bytes) -> str | JSONResponse:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            found = self.state.bearers.get(header[7:])
            if found is None or found[1] < self.control.now():
                return envelope(
                    401,
                    "AUTHENTICATION_ERROR",
                    "You are not authenticated to access the Encord platform.",
                )
            return found[0]
        public = check_v1(header, body) if header else None
        if public is None:
            return envelope(
                401,
                "AUTHENTICATION_ERROR",
                "You are not authenticated to access the Encord platform.",
            )
        email = self.state.public_keys.get(public)
        if email is None:
            return JSONResponse(
                {
                    "status": 400,
                    "response": ["SSH_KEY_NOT_FOUND_ERROR"],
                    "payload": "Your used SSH key does not exist. Please add this SSH key to your user profile.",
                },
                status_code=400,
            )
        return email

    async def public_user(self, request: Request) -> Response:
        body = await request.body()
        user = self._user(request, body)
        if isinstance(user, JSONResponse):
            return user
        try:
            rpc = json.loads(body)
            query_type, method = rpc["query_type"], rpc["query_method"]
            uid, payload = rpc["values"]["uid"], rpc["values"]["payload"]
        except (ValueError, KeyError, TypeError):
            return envelope(400, "INVALID_ARGUMENTS_ERROR", "Malformed request.")
        if query_type == "projectwithuserrole" and method == "GET":
            # SDK 0.1.145 get_projects(): [{"user_role", "project"}] (orm/project_with_user_role)
            return envelope(
                200,
                response=[
                    {"user_role": ADMIN_ROLE, "project": v1_project(h, p)}
                    for h, p in self.state.projects.items()
                    if user in p["admins"]
                ],
            )
        if query_type == "datasetwithuserrole" and method == "GET":
            # SDK 0.1.145 get_datasets(): [{"user_role", "dataset"}] (orm/dataset_with_user_role)
            return envelope(
                200,
                response=[
                    {"user_role": ADMIN_ROLE, "dataset": v1_dataset_info(h, d)}
                    for h, d in self.state.datasets.items()
                    if user in d["admins"]
                ],
            )
        if query_type == "projectapikey":
            project = self.state.projects.get(str(uid))
            if project is None:
                return envelope(404, "RESOURCE_NOT_FOUND_ERROR", "Project not found.")
            if user not in project["admins"]:
                return envelope(403, "AUTHORISATION_ERROR", "Only project admins manage API keys.")
            if method == "GET":
                mine = [
                    self._public(k) for k in self.state.keys.values() if k["resource_hash"] == uid
                ]
                return envelope(200, response=mine)
            if method == "PUT":  # get or create: the project's key with every scope
                for key in self.state.keys.values():
                    scopes_held = set(json.loads(key["scopes"]))
                    if key["resource_hash"] == uid and scopes_held == set(PROJECT_SCOPES):
                        return envelope(200, response=key["api_key"])
            if method in ("POST", "PUT"):
                scopes = (
                    list(PROJECT_SCOPES)
                    if method == "PUT"
                    else list((payload or {}).get("scopes") or [])
                )
                if any(s not in PROJECT_SCOPES for s in scopes) or not scopes:
                    return envelope(
                        400, "INVALID_ARGUMENTS_ERROR", f"Scopes must be among {PROJECT_SCOPES}."
                    )
                key = self._new_key(
                    str(uid), "project", str((payload or {}).get("title") or "API key"), scopes
                )
                return envelope(200, response=key["api_key"])
        if query_type == "datasetapikey":
            dataset_hash = str((payload or {}).get("dataset_hash"))
            dataset = self.state.datasets.get(dataset_hash)
            if dataset is None:
                return envelope(404, "RESOURCE_NOT_FOUND_ERROR", "Dataset not found.")
            if user not in dataset["admins"]:
                return envelope(403, "AUTHORISATION_ERROR", "Only dataset admins manage API keys.")
            if method == "GET":
                mine = [
                    self._public(k, with_hash=True)
                    for k in self.state.keys.values()
                    if k["resource_hash"] == dataset_hash
                ]
                return envelope(200, response=mine)
            if method == "POST":
                scopes = list(payload.get("scopes") or [])
                if any(s not in DATASET_SCOPES for s in scopes) or not scopes:
                    return envelope(
                        400, "INVALID_ARGUMENTS_ERROR", f"Scopes must be among {DATASET_SCOPES}."
                    )
                key = self._new_key(
                    dataset_hash, "dataset", str(payload.get("title") or "API key"), scopes
                )
                return envelope(200, response=self._public(key, with_hash=True))
        return envelope(405, "METHOD_NOT_ALLOWED_ERROR", f"{query_type} {method} is not allowed.")

    def _new_key(self, resource: str, kind: str, title: str, scopes: list[str]) -> dict[str, Any]:
        value = str(uuid.uuid4())
        key = {
            "api_key": value,
            "title": title,
            "scopes": json.dumps(scopes),
            "resource_hash": resource,
            "resource_type": kind,
            "key_hash": uuid.uuid4().hex,
        }
        self.state.keys[value] = key
        return key

    def _public(self, key: dict[str, Any], *, with_hash: bool = False) -> dict[str, Any]:
        out = {"api_key": key["api_key"], "title": key["title"], "scopes": key["scopes"]}
        if with_hash:
            out |= {"resource_hash": key["resource_hash"], "key_hash": key["key_hash"]}
        return out

    async def public(self, request: Request) -> Response:
        body = await request.body()
        key = self.state.keys.get(request.headers.get("authorization", ""))
        if key is None or request.headers.get("resourceid") != key["resource_hash"]:
            return envelope(
                401,
                "AUTHENTICATION_ERROR",
                "You are not authenticated to access the Encord platform.",
            )
        try:
            rpc = json.loads(body)
            query_type, method = str(rpc["query_type"]), str(rpc.get("query_method", "GET"))
        except (ValueError, KeyError, TypeError, AttributeError):
            return envelope(400, "INVALID_ARGUMENTS_ERROR", "Malformed request.")
        if query_type == "apikeymeta":
            return envelope(
                200, response={"title": key["title"], "resource_type": key["resource_type"]}
            )
        needed = NEEDS_SCOPE.get((query_type, method))
        if needed is not None and needed not in json.loads(key["scopes"]):
            return envelope(
                403,
                "OPERATION_NOT_ALLOWED",
                "The read/write operation is not allowed by the API key.",
            )
        resource = key["resource_hash"]
        reads_its_own = KEY_READS_ITS_RESOURCE and method == "GET"
        if reads_its_own and query_type == "project" and key["resource_type"] == "project":
            # EncordClientProject.get_project(): the project record (orm/project.Project)
            return envelope(200, response=v1_project(resource, self.state.projects[resource]))
        if reads_its_own and query_type == "dataset" and key["resource_type"] == "dataset":
            # EncordClientDataset.get_dataset(): orm/dataset.Dataset.from_dict reads these
            return envelope(200, response=v1_dataset(resource, self.state.datasets[resource]))
        return envelope(404, "RESOURCE_NOT_FOUND_ERROR", "The sandbox holds no such resource.")

    def _v2_user(self, request: Request, body: bytes) -> str | JSONResponse:
        header = request.headers.get("authorization", "")
        if header.startswith("Bearer "):
            found = self.state.bearers.get(header[7:])
            if found is not None and found[1] >= self.control.now():
                return found[0]
            return JSONResponse(
                {"message": "Authentication failed: invalid or expired token."}, status_code=401
            )
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        headers = {k.lower(): v for k, v in request.headers.items()}
        public = check_v2(headers, request.method, target, body, int(self.control.now()))
        if public is None:
            return JSONResponse(
                {"message": "Authentication failed: bad or missing signature."}, status_code=401
            )
        email = self.state.public_keys.get(public)
        if email is None:
            return JSONResponse(
                {"message": "SSH key not found: add it to your user profile."}, status_code=401
            )
        return email

    async def bearer_token(self, request: Request) -> Response:
        user = self._v2_user(request, await request.body())
        if isinstance(user, JSONResponse):
            return user
        token = "enc-" + secrets.token_urlsafe(32)
        self.state.bearers[token] = (
            user,
            self.control.now() + self.control.lifetime(BEARER_LIFETIME),
        )
        return JSONResponse({"token": token})

    async def projects(self, request: Request) -> Response:
        user = self._v2_user(request, await request.body())
        if isinstance(user, JSONResponse):
            return user
        mine = [v2_project(h, p) for h, p in self.state.projects.items() if user in p["admins"]]
        return JSONResponse({"results": mine, "nextPageToken": None})

    async def datasets(self, request: Request) -> Response:
        user = self._v2_user(request, await request.body())
        if isinstance(user, JSONResponse):
            return user
        # encord.orm.dataset.DatasetsWithUserRolesListResponse: {"result": [...]}
        mine = [v2_dataset(h, d) for h, d in self.state.datasets.items() if user in d["admins"]]
        return JSONResponse({"result": mine})


def now() -> float:
    return time.time()
