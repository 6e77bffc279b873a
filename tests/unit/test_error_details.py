"""`TokenDeckError.details()` says each thing once: the sentence, the platform's words when the
sentence lacks them, the code only when it adds something, the HTTP status once."""

from __future__ import annotations

import httpx

from tokendeck.core.errors import AuthError, NetworkError, PlatformError, ServerError
from tokendeck.platforms.http import to_error


def test_the_platform_message_already_in_the_sentence_is_not_repeated() -> None:
    error = AuthError(
        "Sign in: The credentials were refused: the password is wrong, or the token is invalid "
        "or expired. (Incorrect username or password)",
        platform_code="authentication_failed",
        platform_message="Incorrect username or password.",
        status=401,
    )
    text = error.details()
    assert text.count("Incorrect username or password") == 1, text
    assert "authentication_failed" not in text, "no code when the message is already shown"
    assert "The platform said" not in text
    assert text.endswith("(HTTP 401)")
    assert text.count("401") == 1


def test_an_error_made_from_a_response_says_each_thing_once() -> None:
    response = httpx.Response(
        401,
        json={"error": "authentication_failed", "message": "Incorrect  username or PASSWORD"},
        request=httpx.Request("POST", "https://x.test/login"),
    )
    error = to_error(response, lambda r: ("authentication_failed", r.json()["message"]), "Sign in")
    text = error.details()
    assert text.casefold().count("incorrect") == 1, text
    assert "authentication_failed" not in text
    assert text.count("HTTP 401") == 1


def test_words_the_sentence_lacks_are_added_once_with_their_code() -> None:
    error = ServerError(
        "The platform had an internal error; try again later.",
        platform_code="E_DB",
        platform_message="database unavailable",
        status=503,
    )
    assert error.details() == (
        "The platform had an internal error; try again later. "
        "The platform said: database unavailable (E_DB) (HTTP 503)"
    )


def test_a_code_alone_is_shown_unless_the_sentence_has_it() -> None:
    alone = PlatformError("Sign in failed.", platform_code="SSH_KEY_NOT_FOUND_ERROR")
    assert alone.details() == "Sign in failed. The platform said: SSH_KEY_NOT_FOUND_ERROR"
    named = PlatformError(
        "Sign in: SSH_KEY_NOT_FOUND_ERROR (SSH key not found)",
        platform_code="SSH_KEY_NOT_FOUND_ERROR",
        platform_message="SSH key not found",
    )
    assert named.details() == "Sign in: SSH_KEY_NOT_FOUND_ERROR (SSH key not found)"


def test_the_status_already_named_is_not_repeated_and_partial_words_do_not_count() -> None:
    error = PlatformError(
        "The platform answered HTTP 418 (pass)",
        platform_message="password expired",
        status=418,
    )
    text = error.details()
    assert text.count("418") == 1, text
    assert "The platform said: password expired" in text, "'pass' is not 'password expired'"


def test_a_plain_sentence_stays_as_it_is() -> None:
    assert NetworkError("Could not reach x.test.").details() == "Could not reach x.test."
