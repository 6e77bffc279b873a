"""`crit` (RFC 7515 §4.1.11) is enforced; key files are read as DER or text, or refused plainly."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from tests.tokens import b64url, claims, hs256, rsa_pair
from tokendeck.core.token_decode import inspect_token
from tokendeck.core.token_verify import (
    KeyFormatError,
    KeyKind,
    SignatureStatus,
    load_hmac_bytes,
    load_key_file,
    load_keys,
    verify,
)

SECRET = "tdtest-crit-secret-of-at-least-32-bytes"


def _signed(header: dict[str, object], payload: bytes, *, b64_payload: bool = True) -> str:
    """HS256 JWS built by hand; with b64_payload False, signed over the raw payload (RFC 7797)."""
    protected = b64url(json.dumps(header).encode())
    body = b64url(payload) if b64_payload else payload.decode()
    signature = hmac.new(SECRET.encode(), f"{protected}.{body}".encode(), hashlib.sha256).digest()
    return f"{protected}.{b64url(payload)}.{b64url(signature)}"


def _verify(token: str) -> tuple[SignatureStatus, list[str]]:
    result = verify(inspect_token(token), load_keys(KeyKind.HMAC_TEXT, SECRET))
    return result.status, [p.code for p in result.problems]


def test_a_plain_token_still_verifies() -> None:
    payload = json.dumps(claims()).encode()
    assert _verify(_signed({"alg": "HS256"}, payload))[0] is SignatureStatus.VERIFIED


def test_b64_false_with_crit_never_verifies() -> None:
    payload = json.dumps(claims()).encode()
    # Signed over the base64url payload, so a verifier ignoring crit would call it verified.
    token = _signed({"alg": "HS256", "b64": False, "crit": ["b64"]}, payload)
    status, problems = _verify(token)
    assert status is SignatureStatus.INVALID
    assert "crit_unsupported" in problems
    # And signed the RFC 7797 way: still not verified (TokenDeck implements no extension).
    unencoded = _signed({"alg": "HS256", "b64": False, "crit": ["b64"]}, payload, b64_payload=False)
    assert _verify(unencoded)[0] is SignatureStatus.INVALID


@pytest.mark.parametrize(
    "crit",
    [[], "b64", ["alg"], ["kid"], ["x5t#S256"], [1], ["ext", "ext"], [""], {"b64": True}, None],
)
def test_a_malformed_crit_is_invalid(crit: object) -> None:
    header = {"alg": "HS256", "crit": crit, "ext": 1, "kid": "k"}
    token = _signed(header, json.dumps(claims()).encode())
    decoded = inspect_token(token)
    assert "invalid_crit" in [p.code for p in decoded.problems]
    status, problems = _verify(token)
    assert status is SignatureStatus.INVALID
    assert "invalid_crit" in problems


def test_crit_naming_an_absent_header_is_invalid() -> None:
    token = _signed({"alg": "HS256", "crit": ["ext"]}, json.dumps(claims()).encode())
    assert "invalid_crit" in _verify(token)[1]


def test_crit_is_reported_even_when_pyjwt_would_sign_it() -> None:
    token, secret = hs256(claims(), crit=["ext"], ext=True)
    result = verify(inspect_token(token), load_keys(KeyKind.HMAC_TEXT, secret))
    assert result.status is SignatureStatus.INVALID
    assert "RFC 7515" in result.message


def _der_forms() -> list[tuple[str, bytes, str, object]]:
    rsa_key, _ = rsa_pair()
    ed_key = ed25519.Ed25519PrivateKey.generate()
    public = serialization.PublicFormat.SubjectPublicKeyInfo
    der = serialization.Encoding.DER
    return [
        ("rsa public", rsa_key.public_key().public_bytes(der, public), "RS256", rsa_key),
        (
            "rsa private",
            rsa_key.private_bytes(
                der, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
            "RS256",
            rsa_key,
        ),
        ("ed25519 public", ed_key.public_key().public_bytes(der, public), "EdDSA", ed_key),
    ]


@pytest.mark.parametrize("form", range(3))
def test_der_key_files_verify(form: int) -> None:
    _, raw, alg, private = _der_forms()[form]
    token = jwt.encode(claims(), private, algorithm=alg)  # type: ignore[arg-type]
    keys = load_key_file(raw)
    assert verify(inspect_token(token), keys).status is SignatureStatus.VERIFIED


def test_text_key_files_still_load() -> None:
    _, pem = rsa_pair()
    assert load_key_file(pem.encode())[0].algorithms
    assert load_key_file(b'{"kty":"oct","k":"' + base64.b64encode(b"k" * 32) + b'"}')


@pytest.mark.parametrize(
    "raw", [b"\x30\x82\x01\x00" + b"\x00" * 40, b"\xff\xfe\x80\x81", b"0" * 10 + b"\xff"]
)
def test_unreadable_key_files_raise_key_format_error(raw: bytes) -> None:
    with pytest.raises(KeyFormatError):
        load_key_file(raw)


def test_binary_hmac_secrets_and_invalid_unicode() -> None:
    assert load_hmac_bytes(b"\xff\x00")[0].key == b"\xff\x00"
    with pytest.raises(KeyFormatError):
        load_hmac_bytes(b"")
    # A secret from a non-UTF-8 argv (surrogateescape) gives back its bytes.
    assert load_keys(KeyKind.HMAC_TEXT, "ab\udcff")[0].key == b"ab\xff"
    for kind in KeyKind:
        with pytest.raises(KeyFormatError):
            load_keys(kind, "\ud800")
