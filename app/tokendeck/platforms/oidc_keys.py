"""Fetch verification keys over HTTP: a JWKS URL, or OIDC discovery from a token's `iss`.

Async with timeouts and a small time-limited cache, so the Inspector can re-verify as the user
types without refetching. TLS verification stays on; redirects are not followed (a JWKS that moved
to another origin is reported, not silently trusted).

Bounded: a body is streamed and reading stops at `MAX_DOCUMENT_BYTES` (a 400 MB answer costs at
most that much memory); each call (`jwks`, `discover` with both of its requests) has one overall
deadline covering connect, headers and body, so a server trickling a byte every few seconds
cannot hold it open; the JSON may nest at most `safe_json.MAX_DEPTH` levels. Every failure is a
`KeyFetchError` with a sentence.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import httpx

from tokendeck.core import safe_json
from tokendeck.core.redaction import redact
from tokendeck.core.token_verify import KeyFormatError, VerificationKey, load_jwks
from tokendeck.platforms.http import certificate_problem, default_tls
from tokendeck.platforms.outbound import origin_of, url_problem

DEFAULT_TIMEOUT = httpx.Timeout(10.0, connect=5.0)
# The whole of one lookup (discovery and its JWKS), from the first byte sent to the last read.
DEFAULT_DEADLINE = 20.0
CACHE_SECONDS = 300.0
CACHE_ENTRIES = 32
MAX_DOCUMENT_BYTES = 1_000_000
_MAX_URL_SHOWN = 200
_T = TypeVar("_T")


class KeyFetchError(Exception):
    """Keys could not be fetched; the message says what failed and where (never a token)."""


@dataclass
class _Cached:
    fetched: float
    keys: list[VerificationKey]


def _shown(url: object) -> str:
    """A URL as messages show it: redacted (userinfo, token parameters) and shortened."""
    text = redact(str(url))
    return text if len(text) <= _MAX_URL_SHOWN else text[:_MAX_URL_SHOWN] + "…"


class KeyFetcher:
    def __init__(
        self,
        client: httpx.AsyncClient | None = None,
        *,
        cache_seconds: float = CACHE_SECONDS,
        deadline: float = DEFAULT_DEADLINE,
        max_bytes: int = MAX_DOCUMENT_BYTES,
    ) -> None:
        self._client = client
        self._owns_client = client is None
        self._cache: dict[str, _Cached] = {}
        self._cache_seconds = cache_seconds
        self._deadline = deadline
        self._max_bytes = max_bytes

    async def aclose(self) -> None:
        if self._client is not None and self._owns_client:
            await self._client.aclose()
            self._client = None

    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            self._client = httpx.AsyncClient(
                timeout=DEFAULT_TIMEOUT, follow_redirects=False, verify=default_tls()
            )
        return self._client

    async def _get_json(self, url: str) -> dict[str, Any]:
        problem = url_problem(url)  # the outbound rule's own check: never a string prefix
        if problem is not None:
            scheme, host, _ = origin_of(url)
            raise KeyFetchError(f"Refusing to fetch keys from {scheme}://{host}: {problem}")
        try:
            async with self._http().stream(
                "GET", url, headers={"Accept": "application/json"}
            ) as response:
                if response.is_redirect:
                    location = _shown(response.headers.get("location"))
                    raise KeyFetchError(f"{_shown(url)} redirects to {location!r}; not followed.")
                if response.status_code != 200:
                    raise KeyFetchError(f"{_shown(url)} answered HTTP {response.status_code}.")
                body = await self._read_capped(response, url)
        except httpx.TimeoutException as exc:
            raise KeyFetchError(f"Timed out fetching {_shown(url)}.") from exc
        except httpx.HTTPError as exc:
            problem = certificate_problem(exc)
            if problem is not None:
                raise KeyFetchError(
                    f"The TLS certificate of {_shown(url)} is not trusted: {problem}."
                ) from exc
            raise KeyFetchError(f"Could not reach {_shown(url)}: {type(exc).__name__}.") from exc
        except (httpx.InvalidURL, ValueError) as exc:  # a URL httpx cannot even build
            raise KeyFetchError(f"{_shown(url)} is not a usable URL.") from exc
        try:
            data = safe_json.loads(body)
        except safe_json.JsonError as exc:
            raise KeyFetchError(f"{_shown(url)} did not answer usable JSON: {exc}") from None
        if not isinstance(data, dict):
            raise KeyFetchError(f"{_shown(url)} did not answer a JSON object.")
        return data

    async def _read_capped(self, response: httpx.Response, url: str) -> bytes:
        too_big = KeyFetchError(f"{_shown(url)} sent more than {self._max_bytes} bytes.")
        declared = response.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > self._max_bytes:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > self._max_bytes:
                raise too_big  # leaving the stream's context closes the connection
            chunks.append(chunk)
        return b"".join(chunks)

    async def _within_deadline(self, what: str, work: Coroutine[Any, Any, _T]) -> _T:
        try:
            async with asyncio.timeout(self._deadline):
                return await work
        except TimeoutError:
            raise KeyFetchError(
                f"Fetching {what} took longer than {self._deadline:g} s: gave up."
            ) from None

    async def jwks(self, url: str) -> list[VerificationKey]:
        return await self._within_deadline(f"the keys from {_shown(url)}", self._jwks(url))

    async def _jwks(self, url: str) -> list[VerificationKey]:
        cached = self._cache.get(url)
        if cached and time.monotonic() - cached.fetched < self._cache_seconds:
            return cached.keys
        data = await self._get_json(url)
        try:
            keys = load_jwks(data)
        except KeyFormatError as exc:
            raise KeyFetchError(f"{_shown(url)}: {exc}") from exc
        if len(self._cache) >= CACHE_ENTRIES:
            self._cache.pop(next(iter(self._cache)))
        self._cache[url] = _Cached(time.monotonic(), keys)
        return keys

    async def discover(self, issuer: str) -> list[VerificationKey]:
        """OIDC discovery: `{iss}/.well-known/openid-configuration`, then its `jwks_uri`."""
        return await self._within_deadline(f"the keys of {_shown(issuer)}", self._discover(issuer))

    async def _discover(self, issuer: str) -> list[VerificationKey]:
        url = issuer.rstrip("/") + "/.well-known/openid-configuration"
        config = await self._get_json(url)
        if config.get("issuer") not in (issuer, issuer.rstrip("/"), issuer.rstrip("/") + "/"):
            raise KeyFetchError(
                f"The discovery document at {_shown(url)} names issuer "
                f"{_shown(config.get('issuer'))!r}, not {_shown(issuer)!r}."
            )
        jwks_uri = config.get("jwks_uri")
        if not isinstance(jwks_uri, str):
            raise KeyFetchError(f"The discovery document at {_shown(url)} has no jwks_uri.")
        return await self._jwks(jwks_uri)
