"""Dataloop: password login (users and bots), refresh before expiry, API-key login, API keys.

Facts from shared/providers/dataloop.md. The id_token is the bearer; it is refreshed a minute
before `exp` (never in reaction to a 401, like the SDK). API keys are JWTs that last a year; at
most 10 per user, checked before the call.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import httpx

from tokendeck.core.clock import Clock
from tokendeck.core.errors import LimitReachedError, PlatformError, ProtocolError
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
from tokendeck.platforms.common import bearer, epoch_any, jwt_claim, jwt_expiry
from tokendeck.platforms.dataloop import CAPABILITIES, MAX_KEYS

_errors = http.field_error_reader(("name",), ("message",))


def _who(response: httpx.Response) -> str:
    body = http.body_json(response)
    return str(body.get("email") or body.get("username") or "")


class DataloopAdapter(HttpAdapter):
    platform = Platform.DATALOOP
    capabilities = CAPABILITIES

    def __init__(
        self, client: httpx.AsyncClient, clock: Clock, api_prefix: str = "/api/v1"
    ) -> None:
        super().__init__(client, clock)
        self._api = api_prefix.rstrip("/")

    async def _post_token(self, body: dict[str, str], what: str) -> dict[str, object]:
        response = await http.request(
            self._http,
            "POST",
            "/token",
            params={"default": ""},
            json=body,
            idempotent=False,
            error_reader=_errors,
            what=what,
        )
        data = http.json_of(response, what)
        if not isinstance(data, dict):
            raise ProtocolError(f"{what}: unexpected answer.")
        return data

    async def sign_in(self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> Session:
        if secrets.get("api_key"):
            key = secrets["api_key"]
            result = await self.probe(Session(access=key))
            if not result.ok:
                raise PlatformError(
                    f"Signing in with the API key failed: {result.explanation}",
                    status=result.status,
                )
            return Session(
                access=key,
                expires_at=jwt_expiry(key),
                extra={"email": result.who},
                renewable=False,  # the API key itself: only a person can replace it
            )
        username, password = inputs.get("username", ""), secrets.get("password")
        if not username or not password:
            raise PlatformError("Give the e-mail and password, or an API key.")
        data = await self._post_token(
            {"username": username, "password": password.reveal(), "type": "user_credentials"},
            "Sign in",
        )
        return self._session(data, None, username)

    def _session(
        self, data: Mapping[str, object], old_refresh: Secret | None, email: str
    ) -> Session:
        token = data.get("id_token")
        if not isinstance(token, str):
            raise ProtocolError("Sign in: the answer has no id_token.")
        refresh = data.get("refresh_token")
        access = Secret(token)
        return Session(
            access=access,
            expires_at=jwt_expiry(access),
            refresh=Secret(refresh) if isinstance(refresh, str) else old_refresh,
            extra={"email": str(jwt_claim(access, "email") or email)},
        )

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        if session.refresh is None:
            raise PlatformError("This session has no refresh token: sign in again.")
        data = await self._post_token(
            {"type": "refresh_token", "refresh_token": session.refresh.reveal()}, "Refresh"
        )
        return self._session(data, session.refresh, str(session.extra.get("email", "")))

    async def probe(self, session: Session) -> ProbeResult:
        return await self._probe_get(session, f"{self._api}/users/me", who=_who)

    def _key(self, raw: Mapping[str, object]) -> RemoteKey:
        return RemoteKey(
            id=str(raw.get("id")),
            name=str(raw.get("description") or "(no description)"),
            created_at=epoch_any(raw.get("createdAt")),
            expires_at=epoch_any(raw.get("expiresAt")),
            revoked=bool(raw.get("revokedAt")),
        )

    async def list_keys(self, session: Session) -> list[RemoteKey]:
        response = await http.request(
            self._http,
            "GET",
            f"{self._api}/apikeys",
            headers=bearer(session.access),
            idempotent=True,
            error_reader=_errors,
            what="List API keys",
        )
        data = http.json_of(response, "List API keys")
        if not isinstance(data, list):
            raise ProtocolError("List API keys: expected a list.")
        return [self._key(k) for k in data if isinstance(k, dict)]

    async def create_key(
        self, session: Session, name: str, lifetime: timedelta | None, scopes: tuple[str, ...]
    ) -> NewKey:
        before = await self.list_keys(session)
        active = [k for k in before if not k.revoked]
        if len(active) >= MAX_KEYS:
            raise LimitReachedError(
                f"You already have {len(active)} active API keys; Dataloop allows {MAX_KEYS} per user. "
                "Revoke one first."
            )
        email = str(session.extra.get("email") or jwt_claim(session.access, "email") or "")
        # A lost answer is reconciled by the accounts service (services/key_writes.py).
        response = await http.request(
            self._http,
            "POST",
            f"{self._api}/apikeys",
            headers=bearer(session.access),
            json={"userId": email, "description": name},
            idempotent=False,
            error_reader=_errors,
            what="Create API key",
        )
        data = http.json_of(response, "Create API key")
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("jwt"), str)
            or not isinstance(data.get("key"), dict)
        ):
            raise ProtocolError("Create API key: the answer has no key or jwt.")
        return NewKey(self._key(data["key"]), Secret(data["jwt"]))

    async def revoke_key(self, session: Session, key_id: str) -> None:
        path = f"{self._api}/apikeys/{key_id}"
        await self._delete(session, path, what="Revoke API key", error_reader=_errors)
