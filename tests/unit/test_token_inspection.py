"""`inspect_token`, exactly: the whole `Inspection` each kind of token gives (kind, token, header,
payload, notes, problems, time claims), and each refusal's code and sentence."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from tests.tokens import b64url
from tokendeck.core.problems import Problem, Severity
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import (
    Inspection,
    TimeClaim,
    TokenFormatError,
    TokenKind,
    inspect_token,
)

REPLACED = Problem(
    "invalid_unicode",
    "The token's JSON holds invalid Unicode (lone surrogates); shown as \ufffd.",
)
TRIFACTA_NOTE = (
    "Trifacta / Alteryx / Dataprep access token: not a JWT. Its expiry is known only to the "
    "platform (list the account's access tokens to see it)."
)
# Standard base64 with both "+" and "/" in it.
TRIFACTA = "eyJ0b2tlbklkIjogInQtMSIsICJzZWNyZXQiOiAiczB+fn4/Pz4+In0="


def _jwt(header: dict[str, Any], payload: dict[str, Any] | bytes, signature: str = "c2ln") -> str:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return f"{b64url(json.dumps(header).encode())}.{b64url(body)}.{signature}"


def _opaque(value: str) -> Inspection:
    return Inspection(
        kind=TokenKind.OPAQUE,
        token=Secret(value),
        notes=("Opaque token: it carries no readable claims or expiry.",),
    )


def test_a_trifacta_token_shows_its_id_and_hides_its_secret() -> None:
    assert "+" in TRIFACTA and "/" in TRIFACTA
    assert inspect_token(TRIFACTA) == Inspection(
        kind=TokenKind.TRIFACTA,
        token=Secret(TRIFACTA),
        header=None,
        payload={"tokenId": "t-1", "secret": "••••••••"},
        trifacta_token_id="t-1",
        notes=(TRIFACTA_NOTE,),
    )


@pytest.mark.parametrize(
    "obj",
    [
        {"tokenId": "t-1", "other": "no secret here"},
        {"tokenId": 5, "secret": "an id that is not text"},
        {"secret": "no id at all"},
    ],
)
def test_base64_json_without_a_text_token_id_and_a_secret_is_opaque(obj: dict[str, Any]) -> None:
    value = base64.b64encode(json.dumps(obj).encode()).decode()
    assert inspect_token(value) == _opaque(value)


def test_a_trifacta_token_with_a_character_base64_lacks_is_opaque() -> None:
    value = TRIFACTA[:10] + "*" + TRIFACTA[10:]
    assert inspect_token(value) == _opaque(value)


def test_a_jwe_shows_its_header_only_and_says_its_payload_is_encrypted() -> None:
    header = b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())
    token = f"{header}.{b64url(b'k' * 32)}.{b64url(b'iv')}.{b64url(b'ct')}.{b64url(b'tag')}"
    assert inspect_token(f"Bearer {token}") == Inspection(
        kind=TokenKind.JWE,
        token=Secret(token),
        header={"alg": "RSA-OAEP", "enc": "A256GCM"},
        notes=(
            "Removed the prefix 'Bearer'.",
            "Encrypted token (JWE): only the header is readable.",
        ),
        problems=(
            Problem(
                "encrypted",
                "The payload is encrypted; its claims and expiry cannot be read without the key.",
                Severity.INFO,
            ),
        ),
    )


def test_a_jwe_header_with_a_lone_surrogate_is_shown_replaced_and_flagged() -> None:
    header = b64url(b'{"alg": "dir", "enc": "A128GCM", "kid": "\\ud800"}')
    token = f"{header}.{b64url(b'k')}.{b64url(b'iv')}.{b64url(b'ct')}.{b64url(b'tag')}"
    inspection = inspect_token(token)
    assert inspection.header == {"alg": "dir", "enc": "A128GCM", "kid": "\ufffd"}
    assert [p.code for p in inspection.problems] == ["encrypted", "invalid_unicode"]
    assert inspection.problems[1] == REPLACED


def test_a_jwt_with_a_binary_payload_shows_it_as_hex() -> None:
    token = _jwt({"alg": "HS256"}, b"\xff\xfe\x00\x01")
    assert inspect_token(token) == Inspection(
        kind=TokenKind.JWS,
        token=Secret(token),
        header={"alg": "HS256"},
        payload=None,
        payload_text="fffe0001",
        problems=(
            Problem("binary_payload", "The payload is binary, shown as hex.", Severity.INFO),
            Problem(
                "payload_not_json",
                "The payload is not a JSON object: a signed blob, not a JWT.",
                Severity.ERROR,
            ),
        ),
    )


@pytest.mark.parametrize(
    ("payload", "text"),
    [(b"[1, 2]", "[1, 2]"), (b"not json at all", "not json at all"), (b'"\xc3\xa9"', '"é"')],
)
def test_a_jwt_whose_payload_is_not_a_json_object_shows_its_text(payload: bytes, text: str) -> None:
    inspection = inspect_token(_jwt({"alg": "HS256"}, payload))
    assert inspection.payload is None
    assert inspection.payload_text == text
    assert [p.code for p in inspection.problems] == ["payload_not_json"]


def test_a_signed_jwt_gives_header_payload_and_time_claims() -> None:
    payload = {"sub": "user-1", "iat": 1_700_000_000, "exp": 1_700_003_600, "seen": 1_800_000_000}
    token = _jwt({"alg": "HS256", "typ": "JWT"}, payload)
    assert inspect_token(token) == Inspection(
        kind=TokenKind.JWS,
        token=Secret(token),
        header={"alg": "HS256", "typ": "JWT"},
        payload=payload,
        time_claims=(
            TimeClaim("exp", datetime.fromtimestamp(1_700_003_600, UTC), standard=True),
            TimeClaim("iat", datetime.fromtimestamp(1_700_000_000, UTC), standard=True),
            TimeClaim("seen", datetime.fromtimestamp(1_800_000_000, UTC), standard=False),
        ),
    )


def test_an_iso_time_claim_is_read_and_an_iso_exp_is_flagged() -> None:
    inspection = inspect_token(
        _jwt({"alg": "HS256"}, {"auth_time": "2026-01-01T00:00:00Z", "exp": "2026-02-01T00:00:00Z"})
    )
    assert inspection.claim_time("auth_time") == datetime(2026, 1, 1, tzinfo=UTC)
    assert inspection.expires_at == datetime(2026, 2, 1, tzinfo=UTC)
    assert inspection.problems == (
        Problem(
            "invalid_claim",
            "'exp' is not a valid time (RFC 7519 wants seconds since 1970).",
            Severity.ERROR,
        ),
    )


def test_claim_text_gives_strings_and_joins_string_lists() -> None:
    inspection = inspect_token(
        _jwt({"alg": "HS256"}, {"iss": "issuer", "aud": ["a", "b"], "n": 5, "m": ["a", 1]})
    )
    assert inspection.claim_text("iss") == "issuer"
    assert inspection.claim_text("aud") == "a, b"
    assert inspection.claim_text("n") is None
    assert inspection.claim_text("m") is None
    assert inspection.claim_text("absent") is None
    assert _opaque("x").claim_text("iss") is None


def test_a_json_wrapper_gives_the_first_field_holding_text() -> None:
    token = _jwt({"alg": "HS256"}, {"sub": "x"})
    inspection = inspect_token(json.dumps({"access_token": 5, "id_token": token}))
    assert inspection.token == Secret(token)
    assert inspection.notes == ("Read the token from the JSON field 'id_token'.",)


def test_a_json_wrapper_nested_too_deep_is_refused() -> None:
    with pytest.raises(TokenFormatError) as info:
        inspect_token('{"a": ' * 70 + "1" + "}" * 70)
    assert info.value.code == "too_deep"
    assert str(info.value) == "The JSON is nested more than 64 levels deep."


def test_a_format_error_says_its_message_and_keeps_its_code() -> None:
    error = TokenFormatError("some_code", "Some sentence.")
    assert str(error) == "Some sentence."
    assert error.args == ("Some sentence.",)
    assert error.code == "some_code"
