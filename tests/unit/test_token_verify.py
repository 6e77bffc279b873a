from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import json
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from tests.tokens import b64url, claims, ec_pair, ed_pair, hs256, rsa_pair, unsigned
from tokendeck.core.problems import Problem, Severity
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import Inspection, critical_header_problem, inspect_token
from tokendeck.core.token_verify import (
    KeyFormatError,
    KeyKind,
    SignatureStatus,
    VerificationKey,
    VerificationResult,
    VerifyOptions,
    load_any,
    load_key_file,
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


# --- what verify() reports, field by field ------------------------------------------------------

SECRET = "tdtest-verify-secret-of-at-least-32-bytes"


def _hs(header: dict[str, object], payload: dict[str, object], secret: str = SECRET) -> str:
    protected = b64url(json.dumps(header).encode())
    body = b64url(json.dumps(payload).encode())
    mac = hmac.new(secret.encode(), f"{protected}.{body}".encode(), hashlib.sha256).digest()
    return f"{protected}.{body}.{b64url(mac)}"


def _hs_token(**header: object) -> Inspection:
    return inspect_token(_hs({"alg": "HS256", **header}, {"iss": "https://issuer.test/"}))


def _secret(value: str = SECRET, kid: str | None = None, description: str = "s") -> VerificationKey:
    return VerificationKey(value.encode(), frozenset({"HS256", "HS384", "HS512"}), kid, description)


@functools.cache
def _rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def test_a_jwe_or_opaque_token_is_not_verified_and_says_why() -> None:
    header = b64url(json.dumps({"alg": "RSA-OAEP", "enc": "A256GCM"}).encode())
    jwe = inspect_token(f"{header}.{b64url(b'k')}.{b64url(b'iv')}.{b64url(b'ct')}.{b64url(b't')}")
    opaque = inspect_token("opaque-token-value-1234")
    for inspection in (jwe, opaque):
        assert verify(inspection, [_secret()]) == VerificationResult(
            SignatureStatus.NOT_VERIFIED, "Only signed JWTs (JWS) can be verified."
        )


def test_an_unsigned_token_is_invalid_whatever_the_keys() -> None:
    inspection = inspect_token(unsigned({"sub": "x"}))
    expected = VerificationResult(
        SignatureStatus.INVALID, "An unsigned token (alg: none) can never be verified."
    )
    assert verify(inspection, [_secret()]) == expected
    assert verify(inspection, []) == expected


def test_without_keys_a_signed_token_is_not_verified() -> None:
    assert verify(_hs_token(), []) == VerificationResult(
        SignatureStatus.NOT_VERIFIED, "Signature not verified: no key was given."
    )


def test_a_good_signature_reports_the_key_the_algorithm_and_the_kid() -> None:
    result = verify(_hs_token(kid="k1"), [_secret(description="HMAC secret")])
    assert result == VerificationResult(
        SignatureStatus.VERIFIED,
        "Signature verified with HMAC secret (HS256).",
        "HS256",
        "k1",
        (),
    )


def test_a_key_without_a_description_is_called_the_key() -> None:
    result = verify(_hs_token(), [_secret(description="")])
    assert result.message == "Signature verified with the key (HS256)."
    assert result.kid is None


def test_a_wrong_key_reports_an_invalid_signature() -> None:
    result = verify(_hs_token(kid="k1"), [_secret("another-secret-of-at-least-32-bytes")])
    assert result == VerificationResult(
        SignatureStatus.INVALID,
        "Signature does not match: the token was altered or signed with another key.",
        "HS256",
        "k1",
        (Problem("signature_invalid", "The signature does not match the key.", Severity.ERROR),),
    )


def test_every_usable_key_is_tried_until_one_matches() -> None:
    wrong = _secret("another-secret-of-at-least-32-bytes", description="wrong")
    # PyJWT refuses a PEM-looking HMAC secret outright (it raises): that key is skipped too.
    refused = _secret(
        "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----", description="refused"
    )
    right = _secret(description="right")
    for keys in ([wrong, right], [refused, right], [refused, wrong, right]):
        result = verify(_hs_token(), keys)
        assert result.status is SignatureStatus.VERIFIED
        assert result.message == "Signature verified with right (HS256)."
    assert verify(_hs_token(), [right, refused]).status is SignatureStatus.VERIFIED
    assert verify(_hs_token(), [refused]).status is SignatureStatus.INVALID


def test_a_kid_picks_the_key_among_keys_with_kids() -> None:
    keys = [_secret("other-secret-of-at-least-32-bytes!", kid="a"), _secret(kid="b")]
    result = verify(_hs_token(kid="b"), keys)
    assert (result.status, result.kid) == (SignatureStatus.VERIFIED, "b")
    # Only the key with that kid is tried, even when another would verify.
    assert verify(_hs_token(kid="a"), keys).status is SignatureStatus.INVALID


def test_a_token_without_a_kid_tries_every_key() -> None:
    keys = [_secret("other-secret-of-at-least-32-bytes!", kid="a"), _secret(kid="b")]
    result = verify(_hs_token(), keys)
    assert (result.status, result.kid) == (SignatureStatus.VERIFIED, None)


def test_a_kid_is_ignored_when_no_key_has_one() -> None:
    result = verify(_hs_token(kid="whatever"), [_secret()])
    assert (result.status, result.kid) == (SignatureStatus.VERIFIED, "whatever")


def test_a_kid_that_is_not_text_is_ignored() -> None:
    keys = [_secret("other-secret-of-at-least-32-bytes!", kid="a"), _secret(kid="7")]
    result = verify(_hs_token(kid=7), keys)
    assert (result.status, result.kid) == (SignatureStatus.VERIFIED, None)


def test_a_kid_no_key_has_is_reported_shortened() -> None:
    kid = "k" * 64 + "-tail"
    result = verify(_hs_token(kid=kid), [_secret(kid="a")])
    assert result == VerificationResult(
        SignatureStatus.INVALID,
        f"No key matches the token's kid '{'k' * 64}'.",
        "HS256",
        kid,
        (
            Problem(
                "kid_not_found",
                f"No key with kid '{'k' * 64}' among the keys given.",
                Severity.ERROR,
            ),
        ),
    )


def test_an_algorithm_the_keys_do_not_allow_is_refused_naming_what_they_allow() -> None:
    ec_key = VerificationKey(object(), frozenset({"ES256"}), "e")
    rsa_keys = load_keys(KeyKind.PEM, _rsa_pem())
    keys = [*(VerificationKey(k.key, k.algorithms, "r") for k in rsa_keys), ec_key]
    result = verify(_hs_token(kid="r"), keys)
    assert result == VerificationResult(
        SignatureStatus.INVALID,
        "The token says alg HS256 but the key allows only PS256, PS384, PS512, RS256, RS384, "
        "RS512: refused.",
        "HS256",
        "r",
        (Problem("alg_mismatch", "Token algorithm does not fit the key type.", Severity.ERROR),),
    )
    everything = verify(_hs_token(), keys)
    assert everything.message == (
        "The token says alg HS256 but the key allows only ES256, PS256, PS384, PS512, RS256, "
        "RS384, RS512: refused."
    )
    assert everything.kid is None


def test_a_token_without_an_alg_fits_no_key() -> None:
    inspection = inspect_token(_hs({"typ": "JWT"}, {"sub": "x"}))
    result = verify(inspection, [_secret()])
    assert result.status is SignatureStatus.INVALID
    assert result.algorithm == ""
    assert result.message.startswith("The token says alg  but the key allows only HS256, HS384")


def test_an_algorithm_pyjwt_does_not_implement_is_unsupported() -> None:
    private = ed25519.Ed25519PrivateKey.generate()
    (key,) = load_keys(KeyKind.PEM, private_pem(private))
    protected = b64url(json.dumps({"alg": "Ed25519", "kid": "e"}).encode())
    body = b64url(b'{"sub": "x"}')
    signature = b64url(private.sign(f"{protected}.{body}".encode()))
    result = verify(inspect_token(f"{protected}.{body}.{signature}"), [key])
    assert result == VerificationResult(
        SignatureStatus.INVALID, "Unsupported algorithm Ed25519.", "Ed25519", "e"
    )


def test_a_signature_that_is_not_base64url_is_invalid_not_a_crash() -> None:
    good = _hs_token(kid="k")
    protected, body, _ = good.token.reveal().split(".")
    broken = dataclasses.replace(good, token=Secret(f"{protected}.{body}.AAAAA"))
    assert verify(broken, [_secret()]) == VerificationResult(
        SignatureStatus.INVALID, "The signature is not valid base64url.", "HS256", "k"
    )


@pytest.mark.parametrize("length", [15, 30, 35, 42, 43, 44])
def test_a_signature_of_any_valid_length_is_checked_not_misread(length: int) -> None:
    """Padding is restored for every length, so a short signature is a mismatch, not bad base64."""
    good = _hs_token()
    protected, body, _ = good.token.reveal().split(".")
    other = dataclasses.replace(good, token=Secret(f"{protected}.{body}.{'A' * length}"))
    result = verify(other, [_secret()])
    assert result.message.startswith("Signature does not match"), result.message


def test_the_signature_is_checked_over_header_and_payload_exactly() -> None:
    token = _hs({"alg": "HS256"}, {"sub": "x"})
    protected, _, signature = token.split(".")
    swapped = _hs({"alg": "HS256"}, {"sub": "y"})
    assert verify(inspect_token(token), [_secret()]).status is SignatureStatus.VERIFIED
    mixed = f"{protected}.{swapped.split('.')[1]}.{signature}"
    assert verify(inspect_token(mixed), [_secret()]).status is SignatureStatus.INVALID


def test_a_short_hmac_secret_verifies_with_a_warning() -> None:
    token = _hs({"alg": "HS256"}, {"sub": "x"}, secret="short")
    result = verify(inspect_token(token), [_secret("short")])
    assert result.status is SignatureStatus.VERIFIED
    assert [(p.code, p.severity) for p in result.problems] == [("weak_hmac_key", Severity.WARNING)]
    assert result.problems[0].message.startswith("The HMAC key is 5 bytes long")


def test_claims_are_checked_only_when_asked() -> None:
    result = verify(_hs_token(), [_secret()], VerifyOptions())
    assert (result.status, result.problems) == (SignatureStatus.VERIFIED, ())
    assert verify(_hs_token(), [_secret()], None).status is SignatureStatus.VERIFIED


def test_a_wrong_issuer_and_audience_fail_a_good_signature_naming_both() -> None:
    inspection = inspect_token(_hs({"alg": "HS256"}, {"iss": "https://a.test/", "aud": "x"}))
    result = verify(inspection, [_secret()], VerifyOptions(issuer="https://b.test/", audience="y"))
    assert result == VerificationResult(
        SignatureStatus.INVALID,
        "Signature is good, but the claims do not match: iss is not 'https://b.test/'.; "
        "aud does not include 'y'.",
        "HS256",
        None,
        (
            Problem("issuer_mismatch", "iss is not 'https://b.test/'.", Severity.ERROR),
            Problem("audience_mismatch", "aud does not include 'y'.", Severity.ERROR),
        ),
    )


def test_a_warning_does_not_fail_the_claims_or_join_their_message() -> None:
    token = _hs({"alg": "HS256"}, {"iss": "https://a.test/"}, secret="short")
    result = verify(inspect_token(token), [_secret("short")], VerifyOptions(issuer="https://x/"))
    assert result.status is SignatureStatus.INVALID
    assert result.message == (
        "Signature is good, but the claims do not match: iss is not 'https://x/'."
    )
    assert [p.code for p in result.problems] == ["weak_hmac_key", "issuer_mismatch"]
    ok = verify(inspect_token(token), [_secret("short")], VerifyOptions(issuer="https://a.test/"))
    assert ok.status is SignatureStatus.VERIFIED
    assert [p.code for p in ok.problems] == ["weak_hmac_key"]


@pytest.mark.parametrize(
    ("aud", "matches"),
    [
        ("tokendeck", True),
        (["other", "tokendeck"], True),
        (["other"], False),
        ("tokendeck-admin", False),  # a string aud is one audience, not a substring match
        (["tokendeck-admin"], False),
        (None, False),
    ],
)
def test_the_audience_must_be_the_aud_or_one_of_its_list(aud: object, matches: bool) -> None:
    payload: dict[str, object] = {"sub": "x"} if aud is None else {"aud": aud}
    inspection = inspect_token(_hs({"alg": "HS256"}, payload))
    result = verify(inspection, [_secret()], VerifyOptions(audience="tokendeck"))
    assert (result.status is SignatureStatus.VERIFIED) is matches
    assert ("audience_mismatch" in [p.code for p in result.problems]) is not matches


def test_an_issuer_is_compared_whole_and_quoted_shortened() -> None:
    inspection = _hs_token()  # iss https://issuer.test/
    assert (
        verify(inspection, [_secret()], VerifyOptions(issuer="https://issuer.test/")).status
        is SignatureStatus.VERIFIED
    )
    long_issuer = "https://issuer.test/" + "x" * 100
    result = verify(inspection, [_secret()], VerifyOptions(issuer=long_issuer))
    assert result.problems == (
        Problem("issuer_mismatch", f"iss is not '{long_issuer[:100]}'.", Severity.ERROR),
    )


def test_claims_of_a_payload_that_is_not_json_never_match() -> None:
    vector = VECTORS["A.4"]
    inspection = inspect_token(vector["token"])
    keys = load_keys(KeyKind.JWK, json.dumps(vector["jwk"]))
    assert verify(inspection, keys).status is SignatureStatus.VERIFIED
    result = verify(inspection, keys, VerifyOptions(issuer="joe", audience="a"))
    assert result.status is SignatureStatus.INVALID
    assert [p.code for p in result.problems] == ["issuer_mismatch", "audience_mismatch"]


def test_a_well_formed_crit_is_refused_with_every_field_filled() -> None:
    inspection = _hs_token(crit=["ext"], ext=1, kid="k")
    decoded = critical_header_problem(inspection.header or {})
    assert decoded is not None and decoded.severity is not Severity.ERROR
    assert verify(inspection, [_secret()]) == VerificationResult(
        SignatureStatus.INVALID,
        "Not verified: the token marks header extensions as critical, and TokenDeck "
        "implements none (RFC 7515 §4.1.11 requires rejecting it).",
        "HS256",
        "k",
        (Problem("crit_unsupported", decoded.message, Severity.ERROR),),
    )


def test_a_malformed_crit_is_reported_as_the_decoder_found_it() -> None:
    inspection = _hs_token(crit=["alg"], kid=5)
    decoded = critical_header_problem(inspection.header or {})
    assert decoded is not None and decoded.code == "invalid_crit"
    result = verify(inspection, [_secret()])
    assert (result.status, result.algorithm, result.kid) == (SignatureStatus.INVALID, "HS256", None)
    assert result.problems == (decoded,)


def test_a_key_file_key_verifies_naming_its_form() -> None:
    private = _rsa()
    token = jwt.encode({"sub": "x"}, private, algorithm="PS256")
    der = private.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    result = verify(inspect_token(token), load_key_file(der))
    assert result.message == "Signature verified with DER public key (PS256)."
    result = verify(inspect_token(token), load_any(private_pem(private)))
    assert result.message == "Signature verified with public half of a private key (PS256)."


def _rsa_pem() -> str:
    return (
        _rsa()
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


def private_pem(private: object) -> str:
    return private.private_bytes(  # type: ignore[attr-defined]
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
