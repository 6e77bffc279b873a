"""Encord: an Ed25519 SSH key signs requests (v1 and v2), a bearer token is obtained with it,
and legacy project / dataset API keys (deprecated upstream, still in use) are listed, created
with scopes and tested with `apikeymeta`. Facts from shared/providers/encord.md.

v1 answers carry their own status: `{"status": 200, "response": ...}` or
`{"status": 4xx, "response": ["ERROR_CODE"], "payload": detail}` — judged by the JSON status,
like the SDK. Legacy keys cannot be revoked through the API and do not expire.

Longer than most modules (~390 lines): Encord has two sign-in ways, two signature versions and
two key kinds (project, dataset), each with its own calls; split by call they would share every
helper back and forth.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

import httpx

from tokendeck.core import safe_json
from tokendeck.core.clock import Clock
from tokendeck.core.errors import (
    AuthError,
    InvalidRequestError,
    NetworkError,
    NotFoundError,
    PermissionDeniedError,
    PlatformError,
    ProtocolError,
    UnsupportedError,
)
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import (
    NewKey,
    ProbeResult,
    RemoteKey,
    Session,
)
from tokendeck.core.secret import Secret
from tokendeck.platforms import http
from tokendeck.platforms.base import HttpAdapter
from tokendeck.platforms.common import bearer, jwt_expiry
from tokendeck.platforms.encord import CAPABILITIES, DATASET_SCOPES, PROJECT_SCOPES
from tokendeck.platforms.encord_signing import (
    EncordKeyError,
    load_private_key,
    public_hex,
    v2_headers,
)

ERRORS: Mapping[str, type[PlatformError]] = {
    "AUTHENTICATION_ERROR": AuthError,
    "SSH_KEY_NOT_FOUND_ERROR": AuthError,
    "AUTHORISATION_ERROR": PermissionDeniedError,
    "OPERATION_NOT_ALLOWED": PermissionDeniedError,
    "RESOURCE_NOT_FOUND_ERROR": NotFoundError,
    "INVALID_ARGUMENTS_ERROR": InvalidRequestError,
}


def fingerprint(key: str) -> str:
    """The plain digest earlier releases used as a key's id (kept only to recognise them)."""
    return hashlib.sha256(key.encode()).hexdigest()[:16]


def keyed_fingerprint(key: str, id_key: bytes | None) -> str:
    """A key's id: an HMAC under the profile's id key (in the secret store), so the catalog
    never holds a plain hash of a key value. Without an id key (no secret store could be
    opened, so no key can be created or held either) it is the earlier plain digest."""
    if id_key is None:
        return fingerprint(key)
    return hmac.new(id_key, key.encode(), hashlib.sha256).hexdigest()[:24]


def _scopes(raw: Any) -> tuple[str, ...]:
    if isinstance(raw, str):
        try:
            raw = safe_json.loads(raw)
        except ValueError:
            return (raw,)
    return tuple(str(s) for s in raw) if isinstance(raw, list) else ()


class EncordAdapter(HttpAdapter):
    platform = Platform.ENCORD
    capabilities = CAPABILITIES

    def __init__(self, client: httpx.AsyncClient, clock: Clock) -> None:
        super().__init__(client, clock)
        self._id_key: bytes | None = None

    def use_id_key(self, id_key: bytes | None) -> None:
        """The profile's key for key ids (given by the accounts service)."""
        self._id_key = id_key

    def _fp(self, key: str) -> str:
        return keyed_fingerprint(key, self._id_key)

    async def _bearer_token(self, secrets: Mapping[str, Secret]) -> Session:
        pem = secrets.get("private_key")
        if not pem:
            raise PlatformError("Give the Ed25519 private key (OpenSSH format).")
        try:
            key = load_private_key(pem, secrets.get("passphrase"))
        except EncordKeyError as exc:
            raise PlatformError(str(exc)) from None
        target = "/v2/public/user/bearer-token"
        headers = v2_headers(key, "GET", target, b"", int(self._clock.now().timestamp()))
        response = await http.request(
            self._http, "GET", target, headers=headers, idempotent=True, what="Sign in"
        )
        data = http.json_of(response, "Sign in")
        token = data.get("token") if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise ProtocolError("Sign in: no token in the answer.")
        access = Secret(token)
        return Session(
            access=access, expires_at=jwt_expiry(access), extra={"public_key": public_hex(key)}
        )

    async def sign_in(self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> Session:
        if secrets.get("api_key") and not secrets.get("private_key"):
            session = Session(
                access=secrets["api_key"],
                extra={"legacy": True, "resource_hash": inputs.get("resource_hash", "")},
            )
            meta = await self._rpc_key(session, "apikeymeta")
            title = meta.get("title") if isinstance(meta, dict) else ""
            return Session(session.access, None, None, {**session.extra, "title": str(title)})
        session = await self._bearer_token(secrets)
        extra = {
            **session.extra,
            **{k: inputs.get(k, "") for k in ("project_hash", "dataset_hash")},
        }
        return Session(session.access, session.expires_at, None, extra)

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        if session.extra.get("legacy"):
            return session
        renewed = await self._bearer_token(secrets)
        return Session(renewed.access, renewed.expires_at, None, {**session.extra, **renewed.extra})

    def _envelope(self, response: httpx.Response, what: str) -> Any:
        data = http.json_of(response, what)
        if not isinstance(data, dict):
            raise ProtocolError(f"{what}: unexpected answer.")
        status = data.get("status")
        if status == 200:
            return data.get("response")
        codes = data.get("response")
        code = codes[0] if isinstance(codes, list) and codes else None
        detail = data.get("payload")
        kind = ERRORS.get(str(code), PlatformError)
        message = f"{what}: {code}" + (f" ({detail})" if detail else "")
        raise kind(
            message,
            platform_code=str(code),
            platform_message=str(detail) if detail else None,
            status=status if isinstance(status, int) else None,
        )

    async def _rpc_user(
        self, session: Session, query_type: str, method: str, uid: Any, payload: Any, what: str
    ) -> Any:
        body = {
            "query_type": query_type,
            "query_method": method,
            "values": {"uid": uid, "payload": payload},
        }
        response = await http.request(
            self._http,
            "POST",
            "/public/user",
            content=json.dumps(body).encode(),
            headers={
                **bearer(session.access),
                "Content-Type": "application/json",
                "ResourceType": "",
                "ResourceID": "",
            },
            idempotent=method == "GET",
            what=what,
            expected=(200, 400, 401, 403, 404),
        )
        return self._envelope(response, what)

    async def _rpc_key(self, session: Session, query_type: str) -> Any:
        body = {
            "query_type": query_type,
            "query_method": "GET",
            "values": {"uid": None, "payload": None},
        }
        response = await http.request(
            self._http,
            "POST",
            "/public",
            content=json.dumps(body).encode(),
            headers={
                "Authorization": session.access.reveal(),
                "Content-Type": "application/json",
                "ResourceID": str(session.extra.get("resource_hash", "")),
            },
            idempotent=True,
            what="Test the API key",
            expected=(200, 400, 401, 403, 404),
        )
        return self._envelope(response, "Test the API key")

    async def probe(self, session: Session) -> ProbeResult:
        if not session.extra.get("legacy"):
            return await self._probe_get(session, "/v2/public/projects")
        try:  # a legacy key is checked by asking for its own description (an RPC, not a GET)
            meta = await self._rpc_key(session, "apikeymeta")
        except PlatformError as error:
            return ProbeResult(False, error.status, error.message)
        except NetworkError as error:
            return ProbeResult(False, None, f"No answer from the platform: {error.message}")
        kind = meta.get("resource_type") if isinstance(meta, dict) else "?"
        title = meta.get("title") if isinstance(meta, dict) else "?"
        return ProbeResult(True, 200, f"200 OK: the key works ({kind} key “{title}”).")

    async def list_keys(self, session: Session) -> list[RemoteKey]:
        keys: list[RemoteKey] = []
        project, dataset = session.extra.get("project_hash"), session.extra.get("dataset_hash")
        if project:
            for raw in (
                await self._rpc_user(
                    session, "projectapikey", "GET", project, None, "List project keys"
                )
                or []
            ):
                keys.append(
                    RemoteKey(
                        id=f"project:{self._fp(str(raw.get('api_key')))}",
                        aliases=(f"project:{fingerprint(str(raw.get('api_key')))}",),
                        name=str(raw.get("title")),
                        scopes=_scopes(raw.get("scopes")),
                        deprecated=True,
                    )
                )
        if dataset:
            for raw in (
                await self._rpc_user(
                    session,
                    "datasetapikey",
                    "GET",
                    None,
                    {"dataset_hash": dataset},
                    "List dataset keys",
                )
                or []
            ):
                keys.append(
                    RemoteKey(
                        id=f"dataset:{self._fp(str(raw.get('api_key')))}",
                        aliases=(f"dataset:{fingerprint(str(raw.get('api_key')))}",),
                        name=str(raw.get("title")),
                        scopes=_scopes(raw.get("scopes")),
                        deprecated=True,
                    )
                )
        if not project and not dataset:
            raise InvalidRequestError(
                "Give a project or dataset hash in the account to list its legacy keys."
            )
        return keys

    async def create_key(
        self, session: Session, name: str, lifetime: timedelta | None, scopes: tuple[str, ...]
    ) -> NewKey:
        project, dataset = session.extra.get("project_hash"), session.extra.get("dataset_hash")
        project_scopes = [s for s in scopes if s in PROJECT_SCOPES]
        dataset_scopes = [s for s in scopes if s in DATASET_SCOPES]
        unknown = [s for s in scopes if s not in PROJECT_SCOPES and s not in DATASET_SCOPES]
        if unknown or not scopes:
            # Least privilege: never "all scopes" by default, never a scope silently dropped.
            raise InvalidRequestError(
                f"Unknown scope: {', '.join(unknown)}."
                if unknown
                else "Choose at least one scope for the new key."
            )
        if project_scopes and dataset_scopes:
            raise InvalidRequestError(
                "A key is for a project or for a dataset: choose the scopes of one of them."
            )
        if project_scopes and not project:
            raise InvalidRequestError("Project scopes need a project hash in the account.")
        if dataset_scopes and not dataset:
            raise InvalidRequestError("Dataset scopes need a dataset hash in the account.")
        if project_scopes:
            key = await self._rpc_user(
                session,
                "projectapikey",
                "POST",
                project,
                {"title": name, "scopes": project_scopes},
                "Create project key",
            )
            kind, chosen = "project", project_scopes
        else:
            created = await self._rpc_user(
                session,
                "datasetapikey",
                "POST",
                None,
                {
                    "dataset_hash": dataset,
                    "title": name,
                    "scopes": dataset_scopes,
                },
                "Create dataset key",
            )
            key = created.get("api_key") if isinstance(created, dict) else None
            kind, chosen = "dataset", dataset_scopes
        if not isinstance(key, str):
            raise ProtocolError("Create key: the answer has no key.")
        remote = RemoteKey(
            id=f"{kind}:{self._fp(key)}", name=name, scopes=tuple(chosen), deprecated=True
        )
        return NewKey(remote, Secret(key))

    async def revoke_key(self, session: Session, key_id: str) -> None:
        raise UnsupportedError(
            "Encord's legacy API keys cannot be revoked through the API: remove them in the web app."
        )
