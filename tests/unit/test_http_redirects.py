"""Redirects: followed by hand within the account's own origin (scheme, host and port), never to
another origin (the credentials would follow), never on a write that would lose its method, and
at most three in a row."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from tokendeck.core.errors import OutboundRefusedError, RedirectRefusedError
from tokendeck.platforms.http import make_client, request

Answer = Callable[[httpx.Request], httpx.Response]


class Platform:
    """A mock platform: records every request that reached it, answers with `answer`."""

    def __init__(self, answer: Answer) -> None:
        self.answer = answer
        self.seen: list[httpx.Request] = []

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.seen.append(request)
        if len(self.seen) > 10:
            raise AssertionError("the client keeps following redirects")
        return self.answer(request)

    def client(self, base_url: str, allowed_origins: tuple[str, ...] = ()) -> httpx.AsyncClient:
        return make_client(
            base_url, transport=httpx.MockTransport(self.handle), allowed_origins=allowed_origins
        )

    @property
    def urls(self) -> list[str]:
        return [str(r.url) for r in self.seen]


def redirect(status: int, location: str) -> httpx.Response:
    return httpx.Response(status, headers={"Location": location})


def moved_then_ok(status: int, location: str) -> Answer:
    """Redirects /start to `location`; answers anything else with 200 and what it received."""

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/start":
            return redirect(status, location)
        return httpx.Response(
            200, json={"method": request.method, "body": request.content.decode()}
        )

    return answer


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
async def test_a_read_follows_a_redirect_within_the_same_origin(status: int) -> None:
    platform = Platform(moved_then_ok(status, "/moved?page=2"))
    async with platform.client("https://gate.example") as client:
        response = await request(client, "GET", "/start", idempotent=True)
    assert response.status_code == 200
    assert response.json()["method"] == "GET"
    assert platform.urls == ["https://gate.example/start", "https://gate.example/moved?page=2"]


async def test_an_absolute_same_origin_location_is_followed_too() -> None:
    platform = Platform(moved_then_ok(302, "https://GATE.example:443/moved"))
    async with platform.client("https://gate.example") as client:
        response = await request(client, "GET", "/start", idempotent=True)
    assert response.status_code == 200
    assert platform.urls[-1] == "https://gate.example/moved"


async def test_a_relative_location_resolves_against_the_redirecting_url() -> None:
    platform = Platform(moved_then_ok(302, "next"))
    async with platform.client("https://gate.example") as client:
        await request(client, "GET", "/start", idempotent=True)
    assert platform.urls == ["https://gate.example/start", "https://gate.example/next"]


@pytest.mark.parametrize("status", [307, 308])
async def test_a_write_follows_a_redirect_that_keeps_its_method_and_body(status: int) -> None:
    platform = Platform(moved_then_ok(status, "/moved"))
    async with platform.client("https://gate.example") as client:
        response = await request(client, "POST", "/start", idempotent=False, json={"name": "ci"})
    assert response.json() == {"method": "POST", "body": '{"name":"ci"}'}
    assert [r.method for r in platform.seen] == ["POST", "POST"]


@pytest.mark.parametrize("status", [301, 302, 303])
@pytest.mark.parametrize("method", ["POST", "DELETE", "PATCH"])
async def test_a_write_is_never_turned_into_a_get_by_a_redirect(status: int, method: str) -> None:
    platform = Platform(moved_then_ok(status, "/moved"))
    async with platform.client("https://gate.example") as client:
        with pytest.raises(RedirectRefusedError) as refused:
            await request(client, method, "/start", idempotent=False)
    assert str(refused.value) == "The platform redirected a write request; check the host."
    assert platform.urls == ["https://gate.example/start"], "the write was not re-sent"


@pytest.mark.parametrize(
    ("home", "elsewhere"),
    [
        # The port differs: the rule allows that origin, the redirect check alone refuses it.
        ("https://gate.example", "https://gate.example:8443/steal"),
        # A downgrade from https to http on the same host and port number.
        ("https://localhost:8443", "http://localhost:8443/steal"),
        # https to http with the default ports (443 and 80).
        ("https://localhost", "http://localhost/steal"),
        ("https://gate.example", "https://other.example/steal"),
    ],
)
async def test_a_redirect_to_another_origin_is_refused_even_when_that_origin_is_allowed(
    home: str, elsewhere: str
) -> None:
    platform = Platform(moved_then_ok(302, elsewhere))
    host = httpx.URL(elsewhere).host
    async with platform.client(home, allowed_origins=(elsewhere,)) as client:
        # The outbound rule lets a request go there directly (the user confirmed that origin)...
        assert (await request(client, "GET", elsewhere, idempotent=True)).status_code == 200
        platform.seen.clear()
        with pytest.raises(RedirectRefusedError) as refused:
            await request(client, "GET", "/start", idempotent=True, headers={"X-Key": "k"})
    # ... but a redirect there is refused: nothing was sent to the other origin.
    assert platform.urls == [f"{home}/start"]
    assert str(refused.value) == (
        f"The platform redirected to another site ({host}); TokenDeck does not send "
        "credentials there. Check the host in the account settings."
    )


def chain(length: int) -> Answer:
    """/0 redirects to /1, ... up to /<length>, which answers 200."""

    def answer(request: httpx.Request) -> httpx.Response:
        step = int(request.url.path.strip("/"))
        if step < length:
            return redirect(302, f"/{step + 1}")
        return httpx.Response(200, json={"step": step})

    return answer


async def test_three_redirects_in_a_row_are_followed() -> None:
    platform = Platform(chain(3))
    async with platform.client("https://gate.example") as client:
        response = await request(client, "GET", "/0", idempotent=True)
    assert response.json() == {"step": 3}
    assert len(platform.seen) == 4


@pytest.mark.parametrize("length", [4, 100])
async def test_a_fourth_redirect_in_a_row_is_refused(length: int) -> None:
    platform = Platform(chain(length))
    async with platform.client("https://gate.example") as client:
        with pytest.raises(RedirectRefusedError) as refused:
            await request(client, "GET", "/0", idempotent=True)
    assert str(refused.value) == "Too many redirects."
    assert platform.urls[-1] == "https://gate.example/3", "the fourth redirect is not followed"
    assert len(platform.seen) == 4, "a refused redirect is not retried"


async def test_the_client_itself_never_follows_a_redirect() -> None:
    platform = Platform(moved_then_ok(302, "https://other.example/x"))
    async with platform.client("https://gate.example") as client:
        response = await client.get("/start")
    assert response.status_code == 302
    assert len(platform.seen) == 1


def test_a_refused_redirect_is_an_outbound_refusal() -> None:
    assert issubclass(RedirectRefusedError, OutboundRefusedError)
