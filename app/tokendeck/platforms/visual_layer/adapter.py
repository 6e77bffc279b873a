"""Visual Layer: an API key + secret pair; the bearer is an HS256 JWT minted here, locally, for
`TOKEN_LIFETIME` and re-minted before it expires. On-prem installs take no authentication."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta

import jwt

from tokendeck.core.errors import PlatformError
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import ProbeResult, Session
from tokendeck.core.secret import Secret
from tokendeck.platforms import http
from tokendeck.platforms.base import HttpAdapter, NoKeys
from tokendeck.platforms.common import bearer
from tokendeck.platforms.visual_layer import CAPABILITIES, ON_PREM

# Docs mint for 10 minutes and say it may be longer; the server's maximum is unconfirmed.
TOKEN_LIFETIME = timedelta(minutes=10)


class VisualLayerAdapter(NoKeys, HttpAdapter):
    platform = Platform.VISUAL_LAYER
    capabilities = CAPABILITIES

    def mint(self, api_key: str, api_secret: Secret) -> Session:
        now = self._clock.now()
        exp = now + TOKEN_LIFETIME
        token = jwt.encode(
            {
                "sub": api_key,
                "iat": int(now.timestamp()),
                "exp": int(exp.timestamp()),
                "iss": "sdk",
            },
            api_secret.reveal().encode("utf-8"),
            algorithm="HS256",
            headers={"kid": api_key},
        )
        return Session(access=Secret(token), expires_at=exp, extra={"api_key": api_key})

    async def sign_in(self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> Session:
        if inputs.get("mode") == ON_PREM:
            session = Session(access=Secret(""), extra={"on_prem": True})
        else:
            secret = secrets.get("api_secret")
            if not inputs.get("api_key") or not secret:
                raise PlatformError("Give the API key and the API secret.")
            session = self.mint(inputs["api_key"], secret)
        # Through the one request path: a refusal is an AuthError, a lost connection a
        # NetworkError (the account shows offline), a 5xx is retried like any read.
        headers = {} if session.extra.get("on_prem") else bearer(session.access)
        await http.request(
            self._http,
            "GET",
            "/api/v1/datasets",
            headers=headers,
            idempotent=True,
            what="Sign in",
        )
        return session

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        if session.extra.get("on_prem"):
            return session
        secret = secrets.get("api_secret")
        if not secret:
            raise PlatformError("The API secret is missing: edit the account and enter it again.")
        return self.mint(str(session.extra.get("api_key", "")), secret)

    async def probe(self, session: Session) -> ProbeResult:
        on_prem = bool(session.extra.get("on_prem"))
        return await self._probe_get(session, "/api/v1/datasets", authorised=not on_prem, said=True)
