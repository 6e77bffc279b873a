"""JWKS / discovery fetches are bounded: bytes read, one deadline for the whole fetch, nesting."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from tests.tokens import b64url
from tokendeck.core.token_decode import inspect_token
from tokendeck.platforms.oidc_keys import MAX_DOCUMENT_BYTES, KeyFetcher, KeyFetchError
from tokendeck.services.key_lookup import KeyLookup, KeyLookupError

CHUNK = 64 * 1024
JWKS = {"keys": [{"kty": "oct", "k": b64url(b"k" * 32), "kid": "a"}]}


class Body(httpx.AsyncByteStream):
    """A response body that counts what was pulled from it, optionally slowly."""

    def __init__(self, chunks: int, *, pause: float = 0.0, chunk: bytes = b" " * CHUNK) -> None:
        self.chunks, self.pause, self.chunk, self.pulled = chunks, pause, chunk, 0

    async def __aiter__(self) -> AsyncIterator[bytes]:
        for _ in range(self.chunks):
            if self.pause:  # a slow server is the behaviour under test, not synchronisation
                await asyncio.sleep(self.pause)
            self.pulled += len(self.chunk)
            yield self.chunk


def _fetcher(answer: Callable[[httpx.Request], httpx.Response], **options: float) -> KeyFetcher:
    client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    return KeyFetcher(client, **options)  # type: ignore[arg-type]


async def test_reading_stops_at_the_cap() -> None:
    body = Body(chunks=6400)  # 400 MiB if read whole
    fetcher = _fetcher(lambda _r: httpx.Response(200, stream=body))
    try:
        with pytest.raises(KeyFetchError, match="more than"):
            await fetcher.jwks("https://keys.example/jwks")
    finally:
        await fetcher._client.aclose()  # type: ignore[union-attr]
    assert body.pulled <= MAX_DOCUMENT_BYTES + CHUNK


async def test_a_declared_length_over_the_cap_is_refused_before_reading() -> None:
    body = Body(chunks=100)

    def answer(_r: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"Content-Length": str(100 * CHUNK)}, stream=body)

    fetcher = _fetcher(answer)
    with pytest.raises(KeyFetchError, match="more than"):
        await fetcher.jwks("https://keys.example/jwks")
    assert body.pulled == 0


async def test_one_deadline_covers_a_trickling_body() -> None:
    body = Body(chunks=100, pause=0.05, chunk=b" ")  # 5 s in all, each read well within timeouts
    fetcher = _fetcher(lambda _r: httpx.Response(200, stream=body), deadline=0.5)
    started = time.monotonic()
    with pytest.raises(KeyFetchError, match=r"longer than 0\.5 s"):
        await fetcher.jwks("https://keys.example/jwks")
    assert time.monotonic() - started < 2.5
    assert body.pulled < 100


async def test_the_deadline_covers_discovery_and_its_jwks_together() -> None:
    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("openid-configuration"):
            doc = {"issuer": "https://id.example", "jwks_uri": "https://id.example/jwks"}
            return httpx.Response(200, stream=_SlowJson(doc, 0.3))
        return httpx.Response(200, stream=_SlowJson(JWKS, 0.3))

    fetcher = _fetcher(answer, deadline=0.45)
    with pytest.raises(KeyFetchError, match="longer than"):
        await fetcher.discover("https://id.example")
    roomy = _fetcher(answer, deadline=5)
    assert await roomy.discover("https://id.example")


class _SlowJson(httpx.AsyncByteStream):
    def __init__(self, doc: object, pause: float) -> None:
        self.body, self.pause = json.dumps(doc).encode(), pause

    async def __aiter__(self) -> AsyncIterator[bytes]:
        await asyncio.sleep(self.pause)  # a slow server: the behaviour under test
        yield self.body


@pytest.mark.parametrize(
    "body",
    [
        b'{"keys": ' + b"[" * 200_000 + b"]" * 200_000 + b"}",
        b'{"keys": [' + b"{" * 70 + b"}" * 70 + b"]}",
        b"\xff\xfe",
        b"[1, 2]",
    ],
)
async def test_nesting_and_non_json_are_fetch_errors(body: bytes) -> None:
    fetcher = _fetcher(lambda _r: httpx.Response(200, content=body))
    with pytest.raises(KeyFetchError):
        await fetcher.jwks("https://keys.example/jwks")


@pytest.mark.parametrize("issuer", ["https://\ud800.example", "https://exa mple.com:99999", "h"])
async def test_unusable_issuers_are_lookup_errors(issuer: str) -> None:
    payload = json.dumps({"iss": issuer}, ensure_ascii=True).encode()
    header = b64url(b'{"alg":"RS256"}')
    token = f"{header}.{b64url(payload)}.c2ln"
    lookup = KeyLookup(_fetcher(lambda _r: httpx.Response(404)))
    with pytest.raises(KeyLookupError):
        await lookup.from_issuer(inspect_token(token))


async def test_urls_in_messages_are_redacted_and_short() -> None:
    fetcher = _fetcher(lambda _r: httpx.Response(500))
    url = "https://user:hunter2-password@keys.example/jwks?access_token=abcdef123456&x=" + "y" * 500
    with pytest.raises(KeyFetchError) as caught:
        await fetcher.jwks(url)
    message = str(caught.value)
    assert "hunter2" not in message and "abcdef123456" not in message
    assert len(message) < 300


async def test_a_good_jwks_still_loads_and_is_cached() -> None:
    calls: list[str] = []

    def answer(request: httpx.Request) -> httpx.Response:
        calls.append(str(request.url))
        return httpx.Response(200, json=JWKS)

    fetcher = _fetcher(answer)
    assert await fetcher.jwks("https://keys.example/jwks")
    assert await fetcher.jwks("https://keys.example/jwks")
    assert len(calls) == 1


@pytest.mark.parametrize(
    "url", ["http://localhost.evil.invalid/jwks", "http://localhost@evil.invalid/jwks"]
)
async def test_key_fetching_follows_the_outbound_rule_not_a_prefix(url: str) -> None:
    from tokendeck.platforms.oidc_keys import KeyFetcher, KeyFetchError

    fetcher = KeyFetcher()
    try:
        with pytest.raises(KeyFetchError, match="Refusing"):
            await fetcher.jwks(url)
    finally:
        await fetcher.aclose()
