"""Trifacta / Alteryx Designer Cloud / Cloud Dataprep API access tokens.

The first token is created with username + password as HTTP Basic auth and becomes the session;
the password is used once and never stored. Later calls use the token (Bearer). A Dataprep
user pastes a token made in the web UI instead. Tokens are not JWTs: their expiry comes from the
platform's listing (`expiredAt`, null = never).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Mapping
from datetime import timedelta

from tokendeck.core import safe_json
from tokendeck.core.errors import (
    NetworkError,
    PlatformError,
    ProtocolError,
    TokenDeckError,
    UncertainWriteError,
)
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import (
    SESSION_LABEL_INPUT,
    NewKey,
    ProbeResult,
    RemoteKey,
    Session,
)
from tokendeck.core.secret import Secret
from tokendeck.platforms import http
from tokendeck.platforms.base import HttpAdapter
from tokendeck.platforms.common import bearer, iso_any
from tokendeck.platforms.trifacta import CAPABILITIES

SESSION_LIFETIME = timedelta(days=30)
SESSION_NAME = "TokenDeck session"  # the description of the token signing in creates

NEVER = -1  # unconfirmed upstream: the API value for "never expires"


log = logging.getLogger(__name__)
_errors = http.field_error_reader(("exception", "name"), ("exception", "message"))


def token_id(token: Secret) -> str | None:
    try:
        decoded = safe_json.loads(base64.b64decode(token.reveal()))
    except (ValueError, TypeError):
        return None
    value = decoded.get("tokenId") if isinstance(decoded, dict) else None
    return value if isinstance(value, str) else None


class TrifactaAdapter(HttpAdapter):
    platform = Platform.TRIFACTA
    capabilities = CAPABILITIES

    def _info(self, raw: Mapping[str, object]) -> RemoteKey:
        return RemoteKey(
            id=str(raw.get("tokenId")),
            name=str(raw.get("description") or "(no description)"),
            created_at=iso_any(raw.get("createdAt")),
            expires_at=iso_any(raw.get("expiredAt")),
            last_used_at=iso_any(raw.get("lastUsed")),
        )

    async def _create(
        self, headers: dict[str, str], name: str, lifetime: timedelta | None
    ) -> NewKey:
        seconds = NEVER if lifetime is None else int(lifetime.total_seconds())
        response = await http.request(
            self._http,
            "POST",
            "/v4/apiAccessTokens",
            headers=headers,
            json={"lifetimeSeconds": seconds, "description": name},
            idempotent=False,
            error_reader=_errors,
            what="Create access token",
            expected=(200, 201),
        )
        data = http.json_of(response, "Create access token")
        if (
            not isinstance(data, dict)
            or not isinstance(data.get("tokenValue"), str)
            or not isinstance(data.get("tokenInfo"), dict)
        ):
            raise ProtocolError("Create access token: the answer has no tokenValue.")
        return NewKey(self._info(data["tokenInfo"]), Secret(data["tokenValue"]))

    async def sign_in(self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> Session:
        pasted = secrets.get("access_token")
        if pasted:
            session = Session(access=pasted)
            result = await self.probe(session)
            if not result.ok:
                raise PlatformError(
                    f"The access token was refused: {result.explanation}", status=result.status
                )
            expires = None
            tid = token_id(pasted)
            if tid:
                try:
                    response = await http.request(
                        self._http,
                        "GET",
                        f"/v4/apiAccessTokens/{tid}",
                        headers=bearer(pasted),
                        idempotent=True,
                        error_reader=_errors,
                        what="Read token",
                    )
                    expires = self._info(http.json_of(response, "Read token")).expires_at
                except PlatformError:
                    expires = None
            return Session(access=pasted, expires_at=expires, extra={"token_id": tid or ""})
        password = secrets.get("password")
        if not inputs.get("username") or not password:
            raise PlatformError("Give the username and password, or paste an access token.")
        basic = base64.b64encode(f"{inputs['username']}:{password.reveal()}".encode()).decode()
        headers = {"Authorization": f"Basic {basic}"}
        label = inputs.get(SESSION_LABEL_INPUT) or SESSION_NAME
        try:
            new = await self._create(headers, label, SESSION_LIFETIME)
        except (NetworkError, ProtocolError) as error:
            # Basic auth may only create: nothing can be listed or deleted until signed in.
            raise UncertainWriteError(
                f"Sign in: {error.message} The platform may have created a session token "
                "anyway; TokenDeck deletes such a leftover the next time this account signs in. "
                "Try again."
            ) from None
        session = Session(
            access=new.secret,
            expires_at=new.key.expires_at,
            extra={"token_id": new.key.id, "minted": True},
        )
        await self._sweep(session, label)
        return session

    async def _sweep(self, session: Session, label: str) -> None:
        """Delete this account's other session tokens (left by a lost answer, or by a session
        that could not be ended): only tokens with this account's own label, never others'."""
        if label == SESSION_NAME:
            return  # no per-account label: the user's other tokens cannot be told apart
        keep = session.extra.get("token_id")
        try:
            for token in await self.list_keys(session):
                if token.name == label and token.id != keep:
                    await self.revoke_key(session, token.id)
        except TokenDeckError as error:
            log.info("sweeping leftover session tokens failed: %s", error.message)

    async def end_session(self, session: Session) -> None:
        """Delete the token signing in minted (a pasted token is the user's: left alone)."""
        token = session.extra.get("token_id")
        if session.extra.get("minted") and isinstance(token, str) and token:
            await self.revoke_key(session, token)

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        raise PlatformError(
            "Trifacta tokens cannot be refreshed: sign in again to create a new one."
        )

    async def probe(self, session: Session) -> ProbeResult:
        return await self._probe_get(session, "/v4/jobGroups", params={"limit": 1})

    async def list_keys(self, session: Session) -> list[RemoteKey]:
        response = await http.request(
            self._http,
            "GET",
            "/v4/apiAccessTokens",
            headers=bearer(session.access),
            idempotent=True,
            error_reader=_errors,
            what="List access tokens",
        )
        data = http.json_of(response, "List access tokens")
        rows = data.get("data") if isinstance(data, dict) else None
        if not isinstance(rows, list):
            raise ProtocolError("List access tokens: the answer has no data list.")
        return [self._info(r) for r in rows if isinstance(r, dict)]

    async def create_key(
        self, session: Session, name: str, lifetime: timedelta | None, scopes: tuple[str, ...]
    ) -> NewKey:
        return await self._create(bearer(session.access), name, lifetime)

    async def revoke_key(self, session: Session, key_id: str) -> None:
        path = f"/v4/apiAccessTokens/{key_id}"
        await self._delete(session, path, what="Delete access token", error_reader=_errors)
