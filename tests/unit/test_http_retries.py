"""Retries: a read (GET, DELETE of a known id) is tried up to four times on 5xx, 429, timeouts and
connection errors, waiting a jittered exponential backoff or the platform's Retry-After between
tries; a create is sent once. The waits are recorded, never slept."""

from __future__ import annotations

import types
from collections.abc import Callable

import httpx
import pytest

from tokendeck.core.errors import (
    AuthError,
    InvalidRequestError,
    NetworkError,
    PlatformTimeoutError,
    RateLimitedError,
    ServerError,
)
from tokendeck.platforms import http
from tokendeck.platforms.http import make_client, request

Answer = Callable[[httpx.Request], httpx.Response]


class Waits:
    """Stands in for the module's `asyncio.sleep` and `random.uniform`: the jitter is always its
    upper bound, every wait is recorded and none is slept."""

    def __init__(self) -> None:
        self.slept: list[float] = []
        self.jitter_bounds: list[tuple[float, float]] = []

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)

    def uniform(self, low: float, high: float) -> float:
        self.jitter_bounds.append((low, high))
        return high


@pytest.fixture
def waits(monkeypatch: pytest.MonkeyPatch) -> Waits:
    recorded = Waits()
    monkeypatch.setattr(http, "asyncio", types.SimpleNamespace(sleep=recorded.sleep))
    monkeypatch.setattr(http, "random", types.SimpleNamespace(uniform=recorded.uniform))
    return recorded


class Platform:
    def __init__(self, *answers: Answer | httpx.Response | Exception) -> None:
        self.answers = list(answers)
        self.seen: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        answer = self.answers[min(len(self.seen), len(self.answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        if isinstance(answer, httpx.Response):
            return answer
        return answer(request)

    def client(self) -> httpx.AsyncClient:
        return make_client("https://gate.example", transport=httpx.MockTransport(self.handle))


def fails(status: int, **headers: str) -> httpx.Response:
    return httpx.Response(status, headers=headers, json={"message": f"status {status}"})


OK = httpx.Response(200, json={"ok": True})


@pytest.mark.parametrize("status", [500, 502, 503, 599])
async def test_a_read_is_retried_three_times_on_a_server_error(waits: Waits, status: int) -> None:
    platform = Platform(fails(status))
    async with platform.client() as client:
        with pytest.raises(ServerError) as failed:
            await request(client, "GET", "/keys", idempotent=True, what="Listing keys")
    assert len(platform.seen) == 4
    assert failed.value.status == status
    assert str(failed.value).startswith("Listing keys: The platform had an internal error")
    assert len(waits.slept) == 3, "no wait after the last try"


async def test_the_backoff_doubles_from_a_quarter_second_with_full_jitter(waits: Waits) -> None:
    platform = Platform(fails(500))
    async with platform.client() as client:
        with pytest.raises(ServerError):
            await request(client, "GET", "/keys", idempotent=True)
    assert waits.jitter_bounds == [(0, 0.25), (0, 0.5), (0, 1.0)]
    assert waits.slept == [0.25, 0.5, 1.0]


def test_the_backoff_is_capped_at_four_seconds(waits: Waits) -> None:
    assert [http._delay(attempt, None) for attempt in (3, 4, 5, 12)] == [2.0, 4.0, 4.0, 4.0]


async def test_a_read_that_recovers_returns_the_answer(waits: Waits) -> None:
    platform = Platform(fails(503), httpx.ConnectError("refused"), OK)
    async with platform.client() as client:
        response = await request(client, "DELETE", "/keys/7", idempotent=True)
    assert response.json() == {"ok": True}
    assert len(platform.seen) == 3
    assert waits.slept == [0.25, 0.5]


@pytest.mark.parametrize("status", [500, 429])
async def test_a_create_is_sent_once_even_on_a_retryable_error(waits: Waits, status: int) -> None:
    platform = Platform(fails(status))
    async with platform.client() as client:
        with pytest.raises((ServerError, RateLimitedError)):
            await request(client, "POST", "/keys", idempotent=False)
    assert len(platform.seen) == 1
    assert waits.slept == []


@pytest.mark.parametrize(
    ("status", "kind"), [(400, InvalidRequestError), (401, AuthError), (499, InvalidRequestError)]
)
async def test_a_client_error_is_never_retried(waits: Waits, status: int, kind: type) -> None:
    platform = Platform(fails(status))
    async with platform.client() as client:
        with pytest.raises(kind):
            await request(client, "GET", "/keys", idempotent=True)
    assert len(platform.seen) == 1
    assert waits.slept == []


@pytest.mark.parametrize(
    ("retry_after", "waited"), [("2", 2.0), ("0", 0.0), ("-5", 0.0), ("30", 30.0), ("31", 30.0)]
)
async def test_a_rate_limit_waits_what_the_platform_asks_up_to_thirty_seconds(
    waits: Waits, retry_after: str, waited: float
) -> None:
    platform = Platform(fails(429, **{"Retry-After": retry_after}), OK)
    async with platform.client() as client:
        response = await request(client, "GET", "/keys", idempotent=True)
    assert response.status_code == 200
    assert waits.slept == [waited]
    assert waits.jitter_bounds == [], "the platform's own wait replaces the jitter"


@pytest.mark.parametrize("retry_after", ["Wed, 21 Oct 2015 07:28:00 GMT", None])
async def test_a_rate_limit_without_a_readable_wait_backs_off(
    waits: Waits, retry_after: str | None
) -> None:
    headers = {"Retry-After": retry_after} if retry_after else {}
    platform = Platform(fails(429, **headers))
    async with platform.client() as client:
        with pytest.raises(RateLimitedError) as limited:
            await request(client, "GET", "/keys", idempotent=True)
    assert limited.value.retry_after is None
    assert waits.slept == [0.25, 0.5, 1.0]
    assert len(platform.seen) == 4


async def test_a_timeout_is_retried_then_named(waits: Waits) -> None:
    platform = Platform(httpx.ReadTimeout("slow"))
    async with platform.client() as client:
        with pytest.raises(PlatformTimeoutError) as failed:
            await request(client, "GET", "/keys", idempotent=True, what="Listing keys")
        assert str(failed.value) == "Listing keys timed out: no answer from gate.example."
        with pytest.raises(PlatformTimeoutError) as failed:
            await request(client, "GET", "/keys", idempotent=True)
        assert str(failed.value) == "The request timed out: no answer from gate.example."
    assert len(platform.seen) == 8
    assert len(waits.slept) == 6


async def test_a_connection_error_is_retried_then_named(waits: Waits) -> None:
    platform = Platform(httpx.ConnectError("refused"))
    async with platform.client() as client:
        with pytest.raises(NetworkError) as failed:
            await request(client, "GET", "/keys", idempotent=True)
    assert not isinstance(failed.value, PlatformTimeoutError)
    assert str(failed.value) == (
        "Could not reach gate.example: ConnectError. Check the host and your connection."
    )
    assert len(platform.seen) == 4
    assert waits.slept == [0.25, 0.5, 1.0]


async def test_a_failed_create_is_reported_without_waiting(waits: Waits) -> None:
    platform = Platform(httpx.ConnectError("refused"))
    async with platform.client() as client:
        with pytest.raises(NetworkError):
            await request(client, "POST", "/keys", idempotent=False)
    assert len(platform.seen) == 1
    assert waits.slept == []


@pytest.mark.parametrize("status", [200, 201, 202, 204])
async def test_every_success_status_is_accepted_by_default(waits: Waits, status: int) -> None:
    platform = Platform(httpx.Response(status))
    async with platform.client() as client:
        response = await request(client, "POST", "/keys", idempotent=False)
    assert response.status_code == status


async def test_an_expected_status_list_replaces_the_default(waits: Waits) -> None:
    platform = Platform(httpx.Response(404, json={"message": "gone"}))
    async with platform.client() as client:
        response = await request(client, "DELETE", "/keys/7", idempotent=True, expected=(404,))
        assert response.status_code == 404
        platform.answers = [OK]
        with pytest.raises(InvalidRequestError):
            await request(client, "DELETE", "/keys/7", idempotent=True, expected=(204,))


async def test_the_request_carries_what_the_caller_gave(waits: Waits) -> None:
    platform = Platform(OK)
    async with platform.client() as client:
        await request(client, "PATCH", "/keys/7", idempotent=False, json={"a": 1}, params={"q": 2})
    sent = platform.seen[0]
    assert (sent.method, str(sent.url), sent.content) == (
        "PATCH",
        "https://gate.example/keys/7?q=2",
        b'{"a":1}',
    )
