"""Fetch verification keys over HTTP: a JWKS URL, or OIDC discovery from a token's `iss`.

Async with timeouts and a small time-limited cache, so the Inspector can re-verify as the user
types without refetching. TLS verification stays on; redirects are not followed (a JWKS that moved
to another origin is reported, not silently trusted).
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import httpx

from tokendeck.core.token_verify import KeyFormatError, VerificationKey, load_jwks

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
CACHE_SECONDS = 300.0
MAX_DOCUMENT_BYTES = 1_000_000


class KeyFetchError(Exception):
    """Keys could not be fetched; the message says what failed and where (never a token)."""


@dataclass
class _Cached:
    fetched: float
    keys: list[VerificationKey]


class KeyFetcher:
    def __init__(
        self, client: httpx.AsyncClient | None = None, *, cache_seconds: float = CACHE_SECONDS
    ) -> None:
        self._client = client
        self._owns_client = client is None
        self._cache: dict[str, _Cached] = {}
        self._cache_seconds = cache_seconds

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(timeout=DEFAULT_TIMEOUT, follow_redirects=False)
        return self._client

    async def _get_json(self, url: str) -> dict[str, Any]:
        if not url.startswith(("https://", "http://127.0.0.1", "http://localhost", "http://[::1]")):
            raise KeyFetchError(f"Refusing to fetch keys over plain HTTP from {url!r}.")
        try:
            response = await self._http().get(url, headers={"Accept": "application/json"})
        except httpx.TimeoutException as exc:
            raise KeyFetchError(f"Timed out fetching {url}.") from exc
        except httpx.HTTPError as exc:
            raise KeyFetchError(f"Could not reach {url}: {type(exc).__name__}.") from exc
        if response.is_redirect:
            raise KeyFetchError(
                f"{url} redirects to {response.headers.get('location')!r}; not followed."
            )
        if response.status_code != 200:
            raise KeyFetchError(f"{url} answered HTTP {response.status_code}.")
        if len(response.content) > MAX_DOCUMENT_BYTES:
            raise KeyFetchError(f"{url} sent more than {MAX_DOCUMENT_BYTES} bytes.")
        try:
            data = response.json()
        except ValueError as exc:
            raise KeyFetchError(f"{url} did not answer JSON.") from exc
        if not isinstance(data, dict):
            raise KeyFetchError(f"{url} did not answer a JSON object.")
        return data

    async def jwks(self, url: str) -> list[VerificationKey]:
        cached = self._cache.get(url)
        if cached and time.monotonic() - cached.fetched < self._cache_seconds:
            return cached.keys
        data = await self._get_json(url)
        try:
            keys = load_jwks(data)
        except KeyFormatError as exc:
            raise KeyFetchError(f"{url}: {exc}") from exc
        self._cache[url] = _Cached(time.monotonic(), keys)
        return keys

    async def discover(self, issuer: str) -> list[VerificationKey]:
        """OIDC discovery: `{iss}/.well-known/openid-configuration`, then its `jwks_uri`."""
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        config = await self._get_json(url)
        if config.get("issuer") not in (issuer, issuer.rstrip("/"), issuer.rstrip("/") + "/"):
            raise KeyFetchError(
                f"The discovery document at {url} names issuer {config.get('issuer')!r}, not {issuer!r}."
            )
        jwks_uri = config.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise KeyFetchError(f"The discovery document at {url} has no jwks_uri.")
        return await self.jwks(jwks_uri)
