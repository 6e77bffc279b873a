"""Redaction: each credential shape a hostile review found is masked; held secrets are masked by
value; the work is linear (asserted by the input it handles, not by time: see bench/redaction.py)."""

from __future__ import annotations

import base64
import gc
import json

import pytest

from tests.tokens import b64url, claims, hs256, trifacta_token
from tokendeck.core import redaction
from tokendeck.core.redaction import MASK, MAX_CHARS, redact
from tokendeck.core.secret import Secret


def _spaced_jwt() -> str:
    header = b64url(b'{ "alg": "HS256", "typ": "JWT" }')
    payload = b64url(b'{ "sub": "user-1", "exp": 4000000000 }')
    return f"{header}.{payload}.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


TRIFACTA, _, TRIFACTA_SECRET = trifacta_token()
PEM_HEAD = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEAu1SU1LfVLPHCozMxH2Mo4lgOEePzNm0tRgeLezV6ffAt0gun\n"

CASES = [
    # (text, what must not survive, what must survive)
    (f"invalid token {TRIFACTA} sent", TRIFACTA[:20], "invalid token"),
    (f"bare {TRIFACTA}", TRIFACTA[8:30], "bare"),
    ('{"tokenValue": "tv-0123456789abcdef", "tokenInfo": {"tokenId": "t1"}}', "tv-0123", "tokenId"),
    ("API key: x", ": x", "API key"),
    ("x-api-key=ak_live_51Hx", "ak_live", "x-api-key"),
    ("Cookie: session=abc123; csrftoken=def456\nnext", "abc123", "next"),
    ("Set-Cookie: sid=s3cr3tcookie; HttpOnly", "s3cr3tcookie", "Set-Cookie"),
    ("passphrase=open sesame please", "sesame", "passphrase"),
    (f"got {_spaced_jwt()} back", _spaced_jwt()[:30], "back"),
    (PEM_HEAD, "MIIEowIBAAKCAQEA", ""),
    (PEM_HEAD + "-----END RSA PRIVATE KEY-----\nafter", "MIIEow", "after"),
    ("fetching https://alice:hunter2pw@db.example/x failed", "hunter2pw", "db.example/x"),
    ("https://ghp_tokenonly@github.example/repo", "ghp_tokenonly", "github.example"),
    ("password=correct horse battery staple", "horse", "password"),
    ('{"password": "correct \\"horse\\" battery"}', "horse", "password"),
    ("Authorization: Bearer abcdefgh12345678", "abcdefgh", "Authorization"),
    ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz", "Authorization"),
    ("header Bearer x", "Bearer x", "header"),
    ("DB_PASSWORD=hunter2&user=bob", "hunter2", "user=bob"),
    ("client_secret: cs-9f8e7d6c5b4a", "cs-9f8e7d6c", "client_secret"),
    ("key " + "a1" * 32 + ":" + "b2" * 64, "a1a1a1a1", "key"),
    ("aws wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY done", "wJalrXUtnFEMI", "done"),
]


@pytest.mark.parametrize(("text", "secret", "kept"), CASES)
def test_each_shape_is_masked(text: str, secret: str, kept: str) -> None:
    out = redact(text)
    assert secret not in out, out
    assert kept in out, out
    assert MASK in out


def test_a_standard_jwt_in_a_message() -> None:
    token, _ = hs256(claims())
    out = redact(f"401 for token {token}; invalid token {token}")
    assert token[:20] not in out and token[-20:] not in out


@pytest.mark.parametrize(
    "text",
    [
        "executable_name not found; external_service_error at eyeglasses_store",
        "id bab908f7-dcc2-4962-85bd-c1e96d0cacbd ok",
        'File "/work/main/.venv/lib/python3.11/site-packages/PySide6/Qt/lib/libQt6Core.so.6"',
        "https://app.dataloop.ai/api/v1/projects/5f2a3b4c5d6e7f8a9b0c1d2e/datasets",
        "token expired, please sign in",
        "HTTP 503 Service Unavailable (retry after 30 s)",
    ],
)
def test_ordinary_text_is_left_alone(text: str) -> None:
    assert redact(text) == text


def test_held_secrets_are_masked_wherever_they_appear() -> None:
    held = Secret("an opaque platform key 9-Z")
    for text in (
        "echoed: an opaque platform key 9-Z!",
        '{"echo": "an opaque platform key 9-Z"}',
        "q=an%20opaque%20platform%20key%209-Z",
        "q=an+opaque+platform+key+9-Z",
    ):
        out = redact(text)
        assert "opaque platform" not in out and MASK in out, out
    del held


def test_short_values_are_not_masked_by_value() -> None:
    held = Secret("test")
    assert redact("a test run") == "a test run"
    del held


def test_the_registry_is_weak_and_bounded() -> None:
    secret = Secret("a value that dies with its Secret 42")
    assert MASK in redact("x a value that dies with its Secret 42 y")
    del secret
    gc.collect()
    assert redact("x a value that dies with its Secret 42 y").count(MASK) == 0
    keep = [
        Secret(f"bounded-registry-value-{i:04d} x") for i in range(redaction.MAX_REMEMBERED * 2)
    ]
    assert len(redaction._held) <= redaction.MAX_REMEMBERED
    assert MASK in redact(keep[-1].reveal())  # the most recent is held
    first = keep[0]
    first.reveal()  # revealing it makes it recent again
    assert MASK in redact(f"echo {first.reveal()}")


def test_long_input_is_cut_and_marked_and_a_word_cut_in_half_is_dropped() -> None:
    secret_tail = "Zq9" * 300
    text = "a " * (MAX_CHARS // 2 - 5) + secret_tail + " " + "b" * 100_000
    out = redact(text)
    assert out.endswith("more characters cut]")
    assert "Zq9Zq9" not in out
    assert len(out) <= MAX_CHARS + 64


def test_a_held_secret_cut_at_the_bound_is_masked() -> None:
    held = Secret("correct horse battery staple 77")
    text = "x" * (MAX_CHARS - 13) + " correct horse battery staple 77 and more"
    out = redact(text)
    assert "correct horse" not in out and "correct" not in out.split()[-6:]
    del held


@pytest.mark.parametrize(
    "hostile",
    [
        "eyJ" * 350_000,
        "a." * 500_000,
        "-----BEGIN PRIVATE KEY-----" * 40_000,
        "password=" * 120_000,
        '"\\"' * 350_000,
        "://a" * 250_000,
        "Bearer " * 150_000,
        "tokenValue:" * 100_000,
    ],
)
def test_hostile_megabytes_are_handled(hostile: str) -> None:
    out = redact(hostile)
    assert len(out) <= MAX_CHARS + 64


def test_redaction_never_changes_an_error_it_need_not() -> None:
    body = json.dumps({"error": "invalid_grant", "error_description": "Bad request."})
    assert redact(body) == body
    assert base64.b64encode(b"plain words here").decode() in redact(
        "id " + base64.b64encode(b"plain words here").decode()
    )
    assert TRIFACTA_SECRET not in redact(TRIFACTA_SECRET + " after")


def test_tokendecks_own_sentences_are_not_masked_but_values_are() -> None:
    from tokendeck.core.redaction import redact

    prose = "Create access token: The platform had an internal error; try again later."
    assert redact(prose) == prose
    assert redact("List access tokens: the answer has no data list.").endswith("no data list.")
    assert "x" not in redact("API key: x").split(":")[1]
    assert "hunter2" not in redact("token: hunter2")
    assert "abc" not in redact("token: abc")
