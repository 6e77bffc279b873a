from __future__ import annotations

import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization

from tests.tokens import claims, ec_pair, ed_pair, hs256, rsa_pair, unsigned
from tokendeck.core.token_decode import inspect_token
from tokendeck.core.token_verify import (
    KeyFormatError,
    KeyKind,
    SignatureStatus,
    VerifyOptions,
    load_any,
    load_keys,
    verify,
)

VECTORS = json.loads((Path(__file__).parents[1] / "data" / "rfc7515_vectors.json").read_text())


@pytest.mark.parametrize("name", ["A.1", "A.2", "A.3", "A.4"])
def test_rfc7515_appendix_a_vectors_verify(name: str) -> None:
    vector = VECTORS[name]
    inspection = inspect_token(vector["token"])
    assert inspection.algorithm == vector["alg"]
    result = verify(inspection, load_keys(KeyKind.JWK, json.dumps(vector["jwk"])))
    assert result.status is SignatureStatus.VERIFIED, result.message
    tampered = inspect_token(
        vector["token"][:-6] + ("AAAAAA" if not vector["token"].endswith("AAAAAA") else "BBBBBB")
    )
    assert (
        verify(tampered, load_keys(KeyKind.JWK, json.dumps(vector["jwk"]))).status
        is SignatureStatus.INVALID
    )


def test_rfc7519_section_3_1_example_decodes() -> None:
    inspection = inspect_token(VECTORS["A.1"]["token"])
    assert inspection.header == {"typ": "JWT", "alg": "HS256"}
    assert inspection.payload == {
        "iss": "joe",
        "exp": 1300819380,
        "http://example.com/is_root": True,
    }
    assert inspection.expires_at is not None and inspection.expires_at.year == 2011


def test_rfc7515_a5_unsecured_is_never_verified() -> None:
    inspection = inspect_token(VECTORS["A.5"]["token"])
    result = verify(inspection, load_keys(KeyKind.HMAC_TEXT, "anything"))
    assert result.status is SignatureStatus.INVALID


def test_rfc7515_a4_payload_is_not_json() -> None:
    inspection = inspect_token(VECTORS["A.4"]["token"])
    assert inspection.payload is None and inspection.payload_text == "Payload"


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512"])
def test_rsa_family(alg: str) -> None:
    key, pem = rsa_pair()
    token = jwt.encode(claims(), key, algorithm=alg)
    assert (
        verify(inspect_token(token), load_keys(KeyKind.PEM, pem)).status is SignatureStatus.VERIFIED
    )


def test_ec_and_eddsa() -> None:
    key, pem = ec_pair()
    token = jwt.encode(claims(), key, algorithm="ES256")
    assert (
        verify(inspect_token(token), load_keys(KeyKind.PEM, pem)).status is SignatureStatus.VERIFIED
    )
    ed, ed_pem = ed_pair()
    token = jwt.encode(claims(), ed, algorithm="EdDSA")
    assert verify(inspect_token(token), load_any(ed_pem)).status is SignatureStatus.VERIFIED


def test_hmac_text_and_base64() -> None:
    token, secret = hs256(claims())
    assert (
        verify(inspect_token(token), load_keys(KeyKind.HMAC_TEXT, secret)).status
        is SignatureStatus.VERIFIED
    )
    import base64

    b64 = base64.b64encode(secret.encode()).decode()
    assert (
        verify(inspect_token(token), load_keys(KeyKind.HMAC_BASE64, b64)).status
        is SignatureStatus.VERIFIED
    )
    assert (
        verify(inspect_token(token), load_keys(KeyKind.HMAC_TEXT, "wrong")).status
        is SignatureStatus.INVALID
    )


def test_algorithm_confusion_is_refused() -> None:
    """HS256 signed with the RSA public key's PEM text must not verify against that public key."""
    _, pem = rsa_pair()
    import hashlib
    import hmac

    from tests.tokens import b64url

    header = b64url(json.dumps({"alg": "HS256", "typ": "JWT"}).encode())
    body = b64url(json.dumps(claims()).encode())
    sig = b64url(hmac.new(pem.encode(), f"{header}.{body}".encode(), hashlib.sha256).digest())
    forged = inspect_token(f"{header}.{body}.{sig}")
    result = verify(forged, load_keys(KeyKind.PEM, pem))
    assert result.status is SignatureStatus.INVALID
    assert "allows only" in result.message


def test_jwks_kid_selection_and_missing_kid() -> None:
    key, _ = rsa_pair()
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    jwks = json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig"}]})
    good = jwt.encode(claims(), key, algorithm="RS256", headers={"kid": "k1"})
    assert (
        verify(inspect_token(good), load_keys(KeyKind.JWKS, jwks)).status
        is SignatureStatus.VERIFIED
    )
    other = jwt.encode(claims(), key, algorithm="RS256", headers={"kid": "k2"})
    result = verify(inspect_token(other), load_keys(KeyKind.JWKS, jwks))
    assert result.status is SignatureStatus.INVALID
    assert [p.code for p in result.problems] == ["kid_not_found"]


def test_issuer_and_audience_checks() -> None:
    token, secret = hs256(claims())
    keys = load_keys(KeyKind.HMAC_TEXT, secret)
    ok = verify(
        inspect_token(token),
        keys,
        VerifyOptions(issuer="https://issuer.test/", audience="tokendeck"),
    )
    assert ok.status is SignatureStatus.VERIFIED
    bad = verify(inspect_token(token), keys, VerifyOptions(issuer="https://evil.test/"))
    assert bad.status is SignatureStatus.INVALID
    assert "issuer_mismatch" in [p.code for p in bad.problems]


def test_certificate_and_private_key_pem() -> None:
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.x509.oid import NameOID

    key, _ = rsa_pair()
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer.test")])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(1)
        .not_valid_before(now)
        .not_valid_after(now + dt.timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    token = jwt.encode(claims(), key, algorithm="RS256")
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    assert (
        verify(inspect_token(token), load_keys(KeyKind.PEM, cert_pem)).status
        is SignatureStatus.VERIFIED
    )
    private_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    assert (
        verify(inspect_token(token), load_keys(KeyKind.PEM, private_pem)).status
        is SignatureStatus.VERIFIED
    )


@pytest.mark.parametrize(
    ("kind", "material"),
    [
        (KeyKind.PEM, "-----BEGIN PUBLIC KEY-----\nnot base64\n-----END PUBLIC KEY-----"),
        (KeyKind.JWK, "{not json"),
        (KeyKind.JWK, '{"kty": "RSA", "n": 5}'),
        (KeyKind.JWKS, '{"keys": []}'),
        (KeyKind.HMAC_BASE64, "!!!"),
        (KeyKind.HMAC_TEXT, "   "),
    ],
)
def test_bad_key_material_gives_clear_error(kind: KeyKind, material: str) -> None:
    with pytest.raises(KeyFormatError) as info:
        load_keys(kind, material)
    assert str(info.value)


def test_unsigned_token_and_no_key() -> None:
    inspection = inspect_token(unsigned({"sub": "x"}))
    assert verify(inspection, []).status is SignatureStatus.INVALID
    token, _ = hs256(claims())
    result = verify(inspect_token(token), [])
    assert result.status is SignatureStatus.NOT_VERIFIED
    assert "not verified" in result.message.lower()
