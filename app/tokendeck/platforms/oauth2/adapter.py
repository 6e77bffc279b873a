"""Any OAuth 2.0 / OIDC service: the client credentials grant, refresh-token grant (rotating
refresh tokens are kept), token endpoint from discovery unless given."""

from __future__ import annotations

from collections.abc import Mapping

import httpx

from tokendeck.core.clock import Clock
from tokendeck.core.errors import PlatformError, ProtocolError
from tokendeck.core.models import Platform
from tokendeck.core.platform_types import ProbeResult, Session
from tokendeck.core.secret import Secret
from tokendeck.platforms import http
from tokendeck.platforms.base import HttpAdapter, NoKeys
from tokendeck.platforms.common import expires_after, jwt_expiry
from tokendeck.platforms.oauth2 import CAPABILITIES

_errors = http.field_error_reader(("error",), ("error_description",))


class OAuth2Adapter(NoKeys, HttpAdapter):
    platform = Platform.OAUTH2
    capabilities = CAPABILITIES

    def __init__(self, client: httpx.AsyncClient, clock: Clock) -> None:
        super().__init__(client, clock)
        self._endpoint: str | None = None

    async def _token_endpoint(self, inputs: Mapping[str, str]) -> str:
        if inputs.get("token_endpoint"):
            return inputs["token_endpoint"]
        if self._endpoint is None:
            response = await http.request(
                self._http,
                "GET",
                "/.well-known/openid-configuration",
                idempotent=True,
                what="Discovery",
            )
            doc = http.json_of(response, "Discovery")
            endpoint = doc.get("token_endpoint") if isinstance(doc, dict) else None
            if not isinstance(endpoint, str):
                raise ProtocolError("Discovery: no token_endpoint in the issuer's configuration.")
            self._endpoint = endpoint
        return self._endpoint

    async def _grant(
        self, inputs: Mapping[str, str], secret: Secret, form: dict[str, str], what: str
    ) -> Session:
        endpoint = await self._token_endpoint(inputs)
        response = await http.request(
            self._http,
            "POST",
            endpoint,
            data=form,
            auth=(inputs.get("client_id", ""), secret.reveal()),
            idempotent=False,
            error_reader=_errors,
            what=what,
        )
        data = http.json_of(response, what)
        token = data.get("access_token") if isinstance(data, dict) else None
        if not isinstance(token, str):
            raise ProtocolError(f"{what}: no access_token in the answer.")
        access = Secret(token)
        expires = jwt_expiry(access) or expires_after(self._clock.now(), data.get("expires_in"))
        refresh = data.get("refresh_token")
        return Session(
            access=access,
            expires_at=expires,
            refresh=Secret(refresh) if isinstance(refresh, str) else None,
            extra={
                "client_id": inputs.get("client_id", ""),
                "scope": inputs.get("scope", ""),
                "client_secret_ref": True,
            },
        )

    async def sign_in(self, inputs: Mapping[str, str], secrets: Mapping[str, Secret]) -> Session:
        secret = secrets.get("client_secret")
        if not inputs.get("client_id") or not secret:
            raise PlatformError("Give the client ID and the client secret.")
        form = {"grant_type": "client_credentials"}
        if inputs.get("scope"):
            form["scope"] = inputs["scope"]
        session = await self._grant(inputs, secret, form, "Sign in")
        return Session(
            session.access,
            session.expires_at,
            session.refresh,
            {**session.extra, "inputs": dict(inputs)},
        )

    async def refresh(self, session: Session, secrets: Mapping[str, Secret]) -> Session:
        secret = secrets.get("client_secret")
        if not secret:
            raise PlatformError(
                "The client secret is missing: edit the account and enter it again."
            )
        inputs = dict(session.extra.get("inputs", {}))
        if session.refresh is not None:
            form = {"grant_type": "refresh_token", "refresh_token": session.refresh.reveal()}
            renewed = await self._grant(inputs, secret, form, "Refresh")
        else:
            renewed = await self._grant(
                inputs, secret, {"grant_type": "client_credentials"}, "Refresh"
            )
        return Session(
            renewed.access, renewed.expires_at, renewed.refresh or session.refresh, session.extra
        )

    async def probe(self, session: Session) -> ProbeResult:
        expires = jwt_expiry(session.access)
        if expires is not None and expires <= self._clock.now():
            return ProbeResult(False, 401, "The access token has expired.")
        return ProbeResult(True, 200, "The issuer granted a token; it is not expired.")
