"""Redaction by shape, exactly: what each rule masks, what it keeps around the mask, and the
texts on either side of each rule's limits."""

from __future__ import annotations

import base64

import pytest

from tokendeck.core.redaction import MASK, redact


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


SPACED_JSON = _b64(b'  {"a":1}')
FORM_FEED_JSON = _b64(b'\x0c{"a":"b"}')
X_BEFORE_JSON = _b64(b'X{"a":"b"}')


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('password="hunter2" next', 'password="***" next'),
        ("password='hunter2' next", "password='***' next"),
        ("Password=Hunter2", "Password=***"),
        ("token: abc123", "token: ***"),
        ("token: abc123 was refused", "token: *** was refused"),
        ('token: "the answer" was refused', 'token: "***" was refused'),
        ("password=hunter2&api_key=ak123&x=1", "password=***&api_key=***&x=1"),
        (
            "List access tokens: the answer has no data list. password=hunter2",
            "List access tokens: the answer has no data list. password=***",
        ),
        ("Create access token: the platform refused", "Create access token: the platform refused"),
        ("password: the platform refused", "password: ***"),
    ],
)
def test_a_keyed_value_is_masked_and_its_key_and_quotes_are_kept(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("header Bearer abcdef123 end", "header Bearer *** end"),
        ("header bearer abcdef123 end", "header bearer *** end"),
        ("sent token abcdefgh12345678 end", "sent token *** end"),
    ],
)
def test_a_scheme_keeps_its_name_and_loses_its_value(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # A base64 JSON object segment of exactly 8 characters, and one of 10.
        ("kk plain.eyJhYiI6", f"kk plain.{MASK}"),
        ("mm aaaa.bbbbbb.eyJhIjoxfQ", f"mm aaaa.bbbbbb.{MASK}"),
        # Whatever letters follow the start, whatever padding follows the header.
        ("x abcdefgh.eyJXXXXX", f"x abcdefgh.{MASK}"),
        ("ii eyJhbGciOiJIUzI1NiJ9x===y", f"ii {MASK}"),
        ("jj eyJhbGciOiJIUzI1NiJ9====", f"jj {MASK}"),
        # JSON may start with spaces.
        (f"gg abcdefgh.{SPACED_JSON}", f"gg abcdefgh.{MASK}"),
    ],
)
def test_a_base64_json_object_is_masked_from_its_segment_on(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "ll eyJ9.plainwords",  # a JSON start in under 8 characters
        "pad abcdefgh.abc=====",  # padding alone
        "see =eyJhbGciOiJIUzI1NiJ9 here",  # not base64 from its first character
        f"ff abcdefgh.{FORM_FEED_JSON}",  # a form feed is not JSON whitespace
        f"hh abcdefgh.{X_BEFORE_JSON}",  # something before the brace
    ],
)
def test_what_does_not_decode_to_a_json_object_is_kept(text: str) -> None:
    assert redact(text) == text


RANDOM_32 = "Kq7Zp2Lm9Xw4Rt8Ys3Vn6Bd1Hc5Jf0Ga"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f"key {RANDOM_32} end", f"key {MASK} end"),
        (f"key abc.{RANDOM_32}.def end", f"key abc.{MASK}.def end"),
        (f"key {RANDOM_32[:31]} end", f"key {RANDOM_32[:31]} end"),
        ("hex " + "0123456789abcdef" * 2 + " end", f"hex {MASK} end"),
        ("two/slashes/Kq7Zp2Lm9Xw4Rt8Ys3Vn6Bd1 end", f"{MASK} end"),
    ],
)
def test_a_long_random_looking_piece_is_masked_and_its_neighbours_kept(
    text: str, expected: str
) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "build/PySide6Tools/QtCore/Generated42 end",  # three slashes: a path
        "abcdefghijklmnopqrstuvwxyz0123456789 end",  # no upper case
        "TheQuickBrownFoxJumpsOverTheLazyDogAgain end",  # no digit
        "THEQUICKBROWNFOXJUMPSOVERTHELAZYDOG42 end",  # no lower case
    ],
)
def test_a_long_word_that_does_not_mix_cases_and_digits_is_kept(text: str) -> None:
    assert redact(text) == text


def test_a_uuid_is_never_taken_for_base64_json() -> None:
    """One UUID in a thousand (e31824d3-…) decodes to "{}…": it names a key or an account in
    a message, and stays readable."""
    import uuid

    assert redact("id e31824d3-2721-46ff-a313-378abe8ef921 x") == (
        "id e31824d3-2721-46ff-a313-378abe8ef921 x"
    )
    for _ in range(20_000):
        named = str(uuid.uuid4())
        assert redact(f"the key {named} was revoked") == f"the key {named} was revoked"
