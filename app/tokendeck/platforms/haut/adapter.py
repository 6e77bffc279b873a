"""Haut.AI SaaS: login, refresh, and long-living private tokens (shared/providers/haut.md).

The 1-hour token is reused until it nears expiry (logging in too often is rate-limited); the
`company_id` from login is kept with the session for resource paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import httpx

from tokendeck.core.errors import PlatformError, ProtocolError
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
from tokendeck.platforms.common import bearer, iso_any, jwt_expiry
from tokendeck.platforms.haut import CAPABILITIES

ACCESS_LIFETIME = timedelta(hours=1)
MAX_PAGES = 50


def _errors(response: httpx.Response) -> tuple[str | None, str | None]:
    try:
        body = http.body_json(response)
        first = body["errors"][0]
        attr = f" ({first['attr']})" if first.get("attr") else ""
        return str(first.get("code")), f"{first.get('detail')}{attr}"
    except (ValueError, KeyError, IndexError, TypeError):
        return http.default_error_reader(response)


class HautAdapter(HttpAdapter):
    platform = Platform.HAUT
    capabilities = CAPABILITIES

    def _session(self, data: object, what: str) -> Session:
        if not isinstance(data, dict):
            raise ProtocolError(f"{what}: unexpected answer.")
        token = data.get("token_access") or data.get("access_token")
        if not isinstance(token, str):
            raise ProtocolError(f"{what}: the answer has no token_access.")
        access = Secret(token)
        refresh = data.get("refresh_token")
        return Session(
            access=access,
            expires_at=jwt_expiry(access) or self._clock.now() + ACCESS_LIFETIME,
            refresh=Secret(refresh) if isinstance(refresh, str) else None,
            extra={
                "company_id": str(data.get("company_id", "")),
                "email": str(data.get("email", "")),
            },
        )

    async def sign_in(self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> Session:
        password = secrets.get("password")
        if not inputs.get("username") or not password:
            raise PlatformError("Give the e-mail and the password.")
        response = await http.request(
            self._http,
            "POST",
            "/api/v1/auth/login/",
            json={"username": inputs["username"], "password": password.reveal()},
            idempotent=False,
            error_reader=_errors,
            what="Sign in",
        )
        return self._session(http.json_of(response, "Sign in"), "Sign in")

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        if session.refresh is None:
            raise PlatformError("This session has no refresh token: sign in again.")
        response = await http.request(
            self._http,
            "POST",
            "/api/v1/auth/refresh/",
            json={"refresh_token": session.refresh.reveal()},
            idempotent=False,
            error_reader=_errors,
            what="Refresh",
        )
        renewed = self._session(http.json_of(response, "Refresh"), "Refresh")
        extra = {**session.extra, **{k: v for k, v in renewed.extra.items() if v}}
        return Session(
            renewed.access, renewed.expires_at, renewed.refresh or session.refresh, extra
        )

    async def probe(self, session: Session) -> ProbeResult:
        company = session.extra.get("company_id")
        path = (
            f"/api/v1/companies/{company}/datasets/" if company else "/api/v1/auth/private_tokens/"
        )
        return await self._probe_get(session, path)

    async def list_keys(self, session: Session) -> list[RemoteKey]:
        keys: list[RemoteKey] = []
        url: str | None = "/api/v1/auth/private_tokens/?page=1&page_size=100"
        for _ in range(MAX_PAGES):
            if url is None:
                break
            response = await http.request(
                self._http,
                "GET",
                url,
                headers=bearer(session.access),
                idempotent=True,
                error_reader=_errors,
                what="List private tokens",
            )
            page = http.json_of(response, "List private tokens")
            results = page.get("results") if isinstance(page, dict) else None
            if not isinstance(results, list):
                raise ProtocolError("List private tokens: the answer has no results.")
            keys += [
                RemoteKey(
                    id=str(r.get("id")),
                    name=str(r.get("name")),
                    expires_at=iso_any(r.get("expiration_time")),
                )
                for r in results
                if isinstance(r, dict)
            ]
            nxt = page.get("next")
            url = nxt if isinstance(nxt, str) else None
        return keys

    async def create_key(
        self, session: Session, name: str, lifetime: timedelta | None, scopes: tuple[str, ...]
    ) -> NewKey:
        if lifetime is None:
            raise PlatformError("Haut.AI private tokens need an expiry.")
        expires = (self._clock.now() + lifetime).isoformat().replace("+00:00", "Z")
        response = await http.request(
            self._http,
            "POST",
            "/api/v1/auth/private_tokens/",
            headers=bearer(session.access),
            json={"name": name, "expiration_time": expires},
            idempotent=False,
            error_reader=_errors,
            what="Create private token",
        )
        data = http.json_of(response, "Create private token")
        if not isinstance(data, dict) or not isinstance(data.get("data"), str):
            raise ProtocolError("Create private token: the answer has no token.")
        key = RemoteKey(
            id=str(data.get("id")),
            name=str(data.get("name")),
            expires_at=iso_any(data.get("expiration_time")),
        )
        return NewKey(key, Secret(data["data"]))

    async def revoke_key(self, session: Session, key_id: str) -> None:
        path = f"/api/v1/auth/private_tokens/{key_id}/"
        await self._delete(session, path, what="Revoke private token", error_reader=_errors)
