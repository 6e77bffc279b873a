"""Every error text is redacted where the error is made, whatever the platform echoed."""

from __future__ import annotations

import httpx

from tests.tokens import claims, hs256
from tokendeck.core.errors import AuthError, RateLimitedError
from tokendeck.platforms.http import to_error


def test_an_echoed_token_never_survives_in_an_error() -> None:
    token, _ = hs256(claims())
    response = httpx.Response(
        401,
        json={"message": f"invalid token {token}"},
        request=httpx.Request("GET", "https://x.test/"),
    )
    error = to_error(response, lambda r: (None, r.json()["message"]), "List keys")
    assert isinstance(error, AuthError)
    for text in (str(error), error.details(), repr(error), error.platform_message or ""):
        assert token not in text
    assert "invalid token ***" in error.details()


def test_password_pairs_and_bearer_values_are_masked() -> None:
    error = RateLimitedError(
        "slow down: password=hunter2hunter2 Authorization: Bearer abcdefgh12345678", retry_after=1
    )
    assert "hunter2hunter2" not in str(error)
    assert "abcdefgh12345678" not in str(error)
    assert error.retry_after == 1


def test_field_error_reader_paths_and_fallbacks() -> None:
    from tokendeck.platforms.http import field_error_reader

    read = field_error_reader(("exception", "name"), ("exception", "message"))
    request = httpx.Request("GET", "https://x.test/")
    nested = httpx.Response(
        404,
        json={"exception": {"name": "RouteNotFoundException", "message": "Route doesn't exist"}},
        request=request,
    )
    assert read(nested) == ("RouteNotFoundException", "Route doesn't exist")
    other = httpx.Response(500, json={"message": "sandbox: injected server error"}, request=request)
    assert read(other) == (None, "sandbox: injected server error")
    text = httpx.Response(502, text="Bad gateway from proxy", request=request)
    assert read(text) == (None, "Bad gateway from proxy")
