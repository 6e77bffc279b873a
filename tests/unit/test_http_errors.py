"""A platform's failure becomes one TokenDeck error: the kind from the status, a sentence for
people, and the platform's own code and message read from its error body."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tokendeck.core.errors import (
    AuthError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
    ProtocolError,
    RateLimitedError,
    ServerError,
)
from tokendeck.platforms.http import (
    ErrorReader,
    default_error_reader,
    field_error_reader,
    json_of,
    make_client,
    need,
    request,
    to_error,
)


def answer(status: int = 400, body: Any = None, content: bytes | None = None) -> httpx.Response:
    if content is not None:
        return httpx.Response(status, content=content)
    return httpx.Response(status, json=body)


@pytest.mark.parametrize(
    ("body", "read"),
    [
        ({"message": "Bad name.", "error": "invalid_name"}, ("invalid_name", "Bad name.")),
        ({"detail": "No such key."}, (None, "No such key.")),
        (
            {"error_description": "Expired.", "error": "invalid_grant"},
            ("invalid_grant", "Expired."),
        ),
        ({"error": "invalid_client"}, (None, "invalid_client")),
        # The first of message, detail, error_description, error wins.
        ({"detail": "d", "message": "m"}, (None, "m")),
        ({"error_description": "e", "detail": "d"}, (None, "d")),
        ({"error": "c", "error_description": "e"}, ("c", "e")),
        # Only text counts, as the message and as the code.
        ({"message": 5, "detail": "d"}, (None, "d")),
        ({"message": "m", "error": {"code": 7}}, (None, "m")),
        ({"other": "x"}, (None, None)),
        (["message", "m"], (None, None)),
        ("a JSON string", (None, None)),
    ],
)
def test_the_default_reader_finds_the_usual_fields(
    body: Any, read: tuple[str | None, str | None]
) -> None:
    assert default_error_reader(answer(body=body)) == read


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"  Service Unavailable \n", "Service Unavailable"),
        (b"x" * 400, "x" * 300),
        (b"   ", None),
        (b"", None),
    ],
)
def test_a_body_that_is_not_json_is_the_message_itself_cut_at_300_characters(
    content: bytes, message: str | None
) -> None:
    assert default_error_reader(answer(content=content)) == (None, message)
    reader = field_error_reader(("exception", "name"), ("exception", "message"))
    assert reader(answer(content=content)) == (None, message)


def exception_reader() -> ErrorReader:
    """A reader made inside each test (one made at import would be made before any test)."""
    return field_error_reader(("exception", "name"), ("exception", "message"))


@pytest.mark.parametrize(
    ("body", "read"),
    [
        ({"exception": {"name": "Forbidden", "message": "No."}}, ("Forbidden", "No.")),
        ({"exception": {"message": "No."}}, (None, "No.")),
        ({"exception": {"name": 3, "message": "No."}}, (None, "No.")),
        ({"exception": {"name": "", "message": "No."}}, (None, "No.")),
        # No message at that path: the default reader reads the body.
        ({"exception": {"name": "Forbidden", "message": ""}, "message": "m"}, (None, "m")),
        ({"exception": {"message": {"text": "No."}}, "detail": "d"}, (None, "d")),
        ({"exception": "flat text", "detail": "d"}, (None, "d")),
        ({"error": "e"}, (None, "e")),
        ([1, 2], (None, None)),
    ],
)
def test_a_field_reader_reads_the_platforms_own_paths(
    body: Any, read: tuple[str | None, str | None]
) -> None:
    assert exception_reader()(answer(body=body)) == read


@pytest.mark.parametrize(
    ("status", "kind", "text"),
    [
        (
            401,
            AuthError,
            "The credentials were refused: the password is wrong, or the token is invalid or "
            "expired.",
        ),
        (403, PermissionDeniedError, "The credentials are valid but not allowed to do this."),
        (404, NotFoundError, "Not found: it does not exist, or this account cannot see it."),
        (422, InvalidRequestError, "The platform refused the request."),
        (500, ServerError, "The platform had an internal error; try again later."),
    ],
)
def test_the_status_gives_the_kind_and_the_sentence(status: int, kind: type, text: str) -> None:
    error = to_error(
        answer(status, {"message": "Platform words.", "error": "code_7"}), default_error_reader
    )
    assert type(error) is kind
    assert str(error) == f"{text} (Platform words.)"
    assert (error.platform_code, error.platform_message, error.status) == (
        "code_7",
        "Platform words.",
        status,
    )
    bare = to_error(answer(status, {}), default_error_reader, "Creating the key")
    assert str(bare) == f"Creating the key: {text}"
    assert (bare.platform_code, bare.platform_message, bare.status) == (None, None, status)


def test_a_rate_limit_keeps_the_platforms_wait() -> None:
    response = httpx.Response(
        429, headers={"Retry-After": "12.5"}, json={"message": "Slow down.", "error": "rate"}
    )
    error = to_error(response, default_error_reader, "Listing keys")
    assert isinstance(error, RateLimitedError)
    assert str(error) == (
        "Listing keys: Too many requests: the platform asks to slow down. (Slow down.)"
    )
    assert (error.retry_after, error.platform_code, error.platform_message, error.status) == (
        12.5,
        "rate",
        "Slow down.",
        429,
    )


def test_a_broken_error_reader_never_hides_the_status() -> None:
    def broken(response: httpx.Response) -> tuple[str | None, str | None]:
        raise KeyError("exception")

    error = to_error(answer(404, {"message": "m"}), broken)
    assert type(error) is NotFoundError
    assert str(error) == "Not found: it does not exist, or this account cannot see it."
    assert (error.platform_code, error.platform_message, error.status) == (None, None, 404)


async def test_a_request_reads_its_error_with_the_adapters_reader() -> None:
    transport = httpx.MockTransport(
        lambda request: httpx.Response(403, json={"exception": {"name": "N", "message": "M"}})
    )
    async with make_client("https://gate.example", transport=transport) as client:
        with pytest.raises(PermissionDeniedError) as denied:
            await request(
                client,
                "GET",
                "/keys",
                idempotent=True,
                error_reader=exception_reader(),
                what="Listing keys",
            )
    assert str(denied.value) == (
        "Listing keys: The credentials are valid but not allowed to do this. (M)"
    )
    assert (denied.value.platform_code, denied.value.platform_message) == ("N", "M")


def test_json_of_reads_the_body_or_names_what_was_unreadable() -> None:
    assert json_of(answer(200, {"id": 7}), "Listing keys") == {"id": 7}
    with pytest.raises(ProtocolError) as broken:
        json_of(answer(202, content=b"<html>"), "Listing keys")
    assert str(broken.value) == (
        "Listing keys: the platform's answer is not valid JSON (HTTP 202)."
    )
    assert broken.value.status == 202


def test_need_returns_a_field_of_the_right_type_or_names_it() -> None:
    assert need({"id": "k1", "n": 3}, "id", str, "Creating the key") == "k1"
    assert need({"n": 3}, "n", int, "Creating the key") == 3
    for mapping in ({"id": 5}, {}, ["id"], None, "id"):
        with pytest.raises(ProtocolError) as missing:
            need(mapping, "id", str, "Creating the key")
        assert str(missing.value) == "Creating the key: the platform's answer has no valid 'id'."
