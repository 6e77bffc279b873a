"""core.token_verify key loading: every form of key material, what it allows, and how it is refused."""

from __future__ import annotations

import base64
import datetime as dt
import functools
import json
import struct
from typing import Any

import jwt
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.x509.oid import NameOID

from tests.tokens import b64url
from tokendeck.core.token_verify import (
    MAX_KEY_FILE_BYTES,
    KeyFormatError,
    KeyKind,
    VerificationKey,
    load_any,
    load_hmac_bytes,
    load_jwks,
    load_key_file,
    load_keys,
)

RSA_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
HMAC_ALGS = frozenset({"HS256", "HS384", "HS512"})
EDDSA_ALGS = frozenset({"EdDSA", "Ed25519", "Ed448"})
PUBLIC = serialization.PublicFormat.SubjectPublicKeyInfo
PEM = serialization.Encoding.PEM
DER = serialization.Encoding.DER
PKCS8 = serialization.PrivateFormat.PKCS8
NO_PASSWORD = serialization.NoEncryption()


@functools.cache
def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@functools.cache
def other_rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def public_pem(private: Any) -> str:
    return private.public_key().public_bytes(PEM, PUBLIC).decode()


def private_pem(private: Any) -> str:
    return private.private_bytes(PEM, PKCS8, NO_PASSWORD).decode()


def certificate(private: Any) -> x509.Certificate:
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "issuer.test")])
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private.public_key())
        .serial_number(1)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=1))
        .sign(private, hashes.SHA256())
    )


def same_public_key(loaded: VerificationKey, private: Any) -> bool:
    raw = serialization.Encoding.DER
    return bool(
        loaded.key.public_bytes(raw, PUBLIC) == private.public_key().public_bytes(raw, PUBLIC)
    )


def rsa_jwk(**extra: Any) -> dict[str, Any]:
    jwk: dict[str, Any] = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key().public_key(), as_dict=True)
    return {**jwk, **extra}


def oct_jwk(secret: bytes, **extra: Any) -> dict[str, Any]:
    return {"kty": "oct", "k": b64url(secret), **extra}


def refused(kind: KeyKind | None, material: str) -> str:
    """The message of the KeyFormatError loading `material` raises (kind None: `load_any`)."""
    load = load_any if kind is None else functools.partial(load_keys, kind)
    with pytest.raises(KeyFormatError) as info:
        load(material)
    return str(info.value)


# --- empty material, HMAC secrets -----------------------------------------------------------------


@pytest.mark.parametrize("kind", list(KeyKind))
def test_empty_or_blank_material_is_no_key(kind: KeyKind) -> None:
    assert refused(kind, "") == "No key given."
    assert refused(kind, " \n\t ") == "No key given."


def test_a_text_secret_is_its_utf8_bytes_without_surrounding_whitespace() -> None:
    assert load_keys(KeyKind.HMAC_TEXT, "  sécret\n") == [
        VerificationKey("sécret".encode(), HMAC_ALGS, None, "HMAC secret")
    ]


def test_a_text_secret_with_a_lone_surrogate_is_refused_plainly() -> None:
    assert refused(KeyKind.HMAC_TEXT, "ab\ud800") == "The HMAC secret holds invalid Unicode."


SECRET = b"\xfb\xff\xfe-secret"


@pytest.mark.parametrize(
    "material",
    [
        base64.b64encode(SECRET).decode(),  # standard alphabet, padded
        base64.urlsafe_b64encode(SECRET).decode(),  # url-safe alphabet
        base64.urlsafe_b64encode(SECRET).decode().rstrip("="),  # unpadded
        base64.b64encode(SECRET).decode() + "==",  # padded too much
        "+/_-\n  LXNl\r\n\tY3Jl dA==",  # wrapped over lines, the alphabets mixed
    ],
)
def test_a_base64_secret_is_read_in_either_alphabet_with_any_padding(material: str) -> None:
    keys = load_keys(KeyKind.HMAC_BASE64, material)
    assert keys == [VerificationKey(SECRET, HMAC_ALGS, None, "HMAC secret (base64)")]


@pytest.mark.parametrize(
    ("material", "secret"),
    [
        ("YQ", b"a"),
        ("YWI", b"ab"),
        ("YWJj", b"abc"),
        ("YWJjZA", b"abcd"),
        ("YWJjZGU", b"abcde"),
        ("AAAX", b"\x00\x00\x17"),
        ("AAX=", b"\x00\x05"),
    ],
)
def test_a_base64_secret_of_any_length_decodes_without_its_padding(
    material: str, secret: bytes
) -> None:
    assert load_keys(KeyKind.HMAC_BASE64, material)[0].key == secret


@pytest.mark.parametrize("material", ["!!!", "YWJj*", "YWJjZ", "=YWJj"])
def test_text_that_is_not_base64_is_refused_as_a_base64_secret(material: str) -> None:
    assert refused(KeyKind.HMAC_BASE64, material) == "The HMAC secret is not valid base64."


def test_base64_that_decodes_to_nothing_is_an_empty_secret() -> None:
    assert refused(KeyKind.HMAC_BASE64, "====") == "The HMAC secret is empty."


def test_a_binary_secret_is_kept_as_bytes() -> None:
    assert load_hmac_bytes(b"\x00\xff") == [
        VerificationKey(b"\x00\xff", HMAC_ALGS, None, "HMAC secret (bytes)")
    ]
    with pytest.raises(KeyFormatError, match=r"^The HMAC secret is empty\.$"):
        load_hmac_bytes(b"")


# --- PEM and OpenSSH ------------------------------------------------------------------------------


def test_an_rsa_public_key_allows_the_rsa_family_only() -> None:
    (key,) = load_keys(KeyKind.PEM, public_pem(rsa_key()))
    assert key.algorithms == RSA_ALGS
    assert (key.kid, key.description) == (None, "public key")
    assert same_public_key(key, rsa_key())


@pytest.mark.parametrize(
    ("curve", "alg"),
    [
        (ec.SECP256R1(), "ES256"),
        (ec.SECP384R1(), "ES384"),
        (ec.SECP521R1(), "ES512"),
        (ec.SECP256K1(), "ES256K"),
    ],
)
def test_an_ec_key_allows_exactly_the_algorithm_of_its_curve(
    curve: ec.EllipticCurve, alg: str
) -> None:
    private = ec.generate_private_key(curve)
    (key,) = load_keys(KeyKind.PEM, public_pem(private))
    assert key.algorithms == frozenset({alg})
    assert same_public_key(key, private)


@pytest.mark.parametrize("curve", [ec.SECP192R1(), ec.BrainpoolP256R1()])
def test_an_ec_key_on_a_curve_jws_does_not_use_is_refused(curve: ec.EllipticCurve) -> None:
    material = public_pem(ec.generate_private_key(curve))
    assert refused(KeyKind.PEM, material) == f"Unsupported elliptic curve {curve.name}."


@pytest.mark.parametrize(
    "private", [ed25519.Ed25519PrivateKey.generate(), ed448.Ed448PrivateKey.generate()]
)
def test_an_edwards_key_allows_eddsa(private: Any) -> None:
    (key,) = load_keys(KeyKind.PEM, public_pem(private))
    assert key.algorithms == EDDSA_ALGS
    assert same_public_key(key, private)


# A DSA public key, made once: cryptography 51 deprecates DSA and warns when its `dsa` module is
# used, while reading one (as a person may paste) must still give TokenDeck's own refusal.
DSA_PUBLIC_PEM = """-----BEGIN PUBLIC KEY-----
MIIBtzCCASsGByqGSM44BAEwggEeAoGBAPN4LtpsIm7b68gPNUD3uzCpyqskqfK7
u2AZYxeCgnFdZ6mONwGB3N0CZXbNkT4MSZgofs0wnOk7+QLoolDsdJqniu4+geH+
RoQWJLyM9V0Tib3k/uLsrNGBwFlW6zUt4NgnHDmeSClmqJueAHglvnRolqc8BiMu
S+XmJz64sRElAhUA/1s8ZSJHsBvPsLBBiVP00vovmiMCgYA6Ursy/ulCXjfvXw3J
xLpnklvmbJEp24UTTbQiRceVCOyhjjHEq3i223OVsX2Mt3rEgfZOeGCrWvoK1bEo
DQwbdLxFFlSpuybERT/UvijEB5+omz4YRW0wfEjMMfbcSncS9lTXQH8o3LyxniP9
56Dbw8TSXNpcGLBQWtmeRXc3XwOBhQACgYEAsOj8cH5Yk4JsW3WaeR87bgA0MQF7
etJUjU+TGpmIIId15XRWuIdMrMyFWPzOaiJ0QocaAzIqxeivqyqyGPHw3u2WYe7V
sp8eLyhLRhHx0NMYOkrA7V6ZeQRiyX0EVj4J5gp86K21gc7y2zdRZqmlSLIj1NIg
CrckLd3idAntt5s=
-----END PUBLIC KEY-----
"""


def test_a_key_type_jws_cannot_use_is_refused_by_name() -> None:
    assert refused(KeyKind.PEM, DSA_PUBLIC_PEM) == "Unsupported key type DSAPublicKey."


@pytest.mark.parametrize(
    ("private", "algs"),
    [
        (rsa_key(), RSA_ALGS),
        (ec.generate_private_key(ec.SECP256R1()), frozenset({"ES256"})),
        (ed25519.Ed25519PrivateKey.generate(), EDDSA_ALGS),
        (ed448.Ed448PrivateKey.generate(), EDDSA_ALGS),
    ],
)
def test_a_private_key_gives_its_public_half(private: Any, algs: frozenset[str]) -> None:
    (key,) = load_keys(KeyKind.PEM, private_pem(private))
    assert key.description == "public half of a private key"
    assert key.algorithms == algs
    assert same_public_key(key, private)
    assert not hasattr(key.key, "sign"), "only the public half is kept"


def test_a_certificate_gives_its_public_key() -> None:
    cert = certificate(rsa_key()).public_bytes(PEM).decode()
    (key,) = load_keys(KeyKind.PEM, cert)
    assert (key.description, key.algorithms) == ("certificate", RSA_ALGS)
    assert same_public_key(key, rsa_key())


def test_a_pem_bundle_is_read_by_its_first_block() -> None:
    cert = certificate(other_rsa_key()).public_bytes(PEM).decode()
    (key,) = load_keys(KeyKind.PEM, public_pem(rsa_key()) + cert)
    assert key.description == "public key"
    assert same_public_key(key, rsa_key())
    (key,) = load_keys(KeyKind.PEM, private_pem(rsa_key()) + cert)
    assert key.description == "public half of a private key"
    assert same_public_key(key, rsa_key())
    (key,) = load_keys(KeyKind.PEM, cert + private_pem(rsa_key()))
    assert key.description == "certificate"
    assert same_public_key(key, other_rsa_key())
    (key,) = load_keys(KeyKind.PEM, public_pem(rsa_key()) + private_pem(other_rsa_key()))
    assert key.description == "public key"
    assert same_public_key(key, rsa_key())


@pytest.mark.parametrize(
    "private",
    [
        rsa_key(),
        ec.generate_private_key(ec.SECP256R1()),
        ed25519.Ed25519PrivateKey.generate(),
    ],
)
def test_an_openssh_public_key_is_read(private: Any) -> None:
    openssh = (
        private.public_key()
        .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
        .decode()
    )
    assert openssh.startswith(("ssh-", "ecdsa-"))
    for keys in (load_keys(KeyKind.PEM, openssh), load_any(f"\n  {openssh}\n")):
        assert keys[0].description == "OpenSSH public key"
        assert same_public_key(keys[0], private)


PEM_REFUSED = (
    "Could not read the PEM key: expected a public key, a certificate or an unencrypted "
    "private key."
)


def test_pem_that_cannot_be_read_is_refused_plainly() -> None:
    assert refused(KeyKind.PEM, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----") == (
        PEM_REFUSED
    )
    assert refused(KeyKind.PEM, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----") == (
        PEM_REFUSED
    )
    encrypted = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        PEM, PKCS8, serialization.BestAvailableEncryption(b"pw")
    )
    assert refused(KeyKind.PEM, encrypted.decode()) == PEM_REFUSED
    assert refused(KeyKind.PEM, "ssh-rsa AAAA") == PEM_REFUSED
    assert refused(KeyKind.PEM, "-----BEGIN PUBLIC KEY-----\n\udcff") == PEM_REFUSED


def test_an_openssh_key_of_an_unknown_type_is_unsupported() -> None:
    def field(data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + data

    blob = base64.b64encode(field(b"ssh-foo") + field(b"x")).decode()
    assert refused(KeyKind.PEM, f"ssh-foo {blob}") == "Unsupported PEM key (UnsupportedAlgorithm)."


# --- JWK and JWKS ---------------------------------------------------------------------------------


def test_an_rsa_jwk_allows_the_rsa_family_and_keeps_its_kid() -> None:
    (key,) = load_keys(KeyKind.JWK, json.dumps(rsa_jwk(kid="k1", use="sig")))
    assert (key.kid, key.algorithms, key.description) == ("k1", RSA_ALGS, "JWK (RSA)")
    assert same_public_key(key, rsa_key())


def test_a_private_jwk_gives_its_public_half() -> None:
    private = jwt.algorithms.RSAAlgorithm.to_jwk(rsa_key(), as_dict=True)
    (key,) = load_keys(KeyKind.JWK, json.dumps(private))
    assert isinstance(key.key, rsa.RSAPublicKey)
    assert same_public_key(key, rsa_key())


def test_a_jwk_alg_narrows_what_the_key_allows() -> None:
    (key,) = load_keys(KeyKind.JWK, json.dumps(rsa_jwk(alg="PS384")))
    assert key.algorithms == frozenset({"PS384"})
    (key,) = load_keys(KeyKind.JWK, json.dumps(oct_jwk(b"s" * 32, alg="HS512")))
    assert key.algorithms == frozenset({"HS512"})


def test_a_jwk_alg_its_key_type_cannot_use_is_refused() -> None:
    message = refused(KeyKind.JWK, json.dumps(oct_jwk(b"s" * 32, alg="RS256")))
    assert message == "The JWK declares alg RS256, which its key type cannot use."
    ec_jwk = jwt.algorithms.ECAlgorithm.to_jwk(
        ec.generate_private_key(ec.SECP256R1()).public_key(), as_dict=True
    )
    message = refused(KeyKind.JWK, json.dumps({**ec_jwk, "alg": "ES384"}))
    assert message == "The JWK declares alg ES384, which its key type cannot use."


def test_a_non_string_kid_or_alg_in_a_jwk_is_ignored() -> None:
    (key,) = load_keys(KeyKind.JWK, json.dumps(rsa_jwk(kid=7)))
    assert (key.kid, key.algorithms) == (None, RSA_ALGS)
    (key,) = load_keys(KeyKind.JWK, json.dumps(oct_jwk(b"s" * 32, kid=["a"], alg=256)))
    assert (key.kid, key.algorithms) == (None, HMAC_ALGS)


@pytest.mark.parametrize("secret", [b"k" * 31, b"k" * 32, b"k" * 33, b"\xfb\xff" * 16, b"k" * 11])
def test_an_oct_jwk_is_an_hmac_secret_read_as_base64url(secret: bytes) -> None:
    (key,) = load_keys(KeyKind.JWK, json.dumps(oct_jwk(secret, kid="h")))
    assert key == VerificationKey(secret, HMAC_ALGS, "h", "JWK (oct)")


def test_an_oct_jwk_without_a_string_k_is_refused() -> None:
    for jwk in ({"kty": "oct"}, {"kty": "oct", "k": 5}):
        assert refused(KeyKind.JWK, json.dumps(jwk)) == "An 'oct' JWK needs a string 'k'."


def test_an_oct_jwk_whose_k_is_not_base64url_is_refused() -> None:
    message = refused(KeyKind.JWK, json.dumps({"kty": "oct", "k": "abcde"}))
    assert message == "The JWK has invalid base64url values."


@pytest.mark.parametrize(
    ("jwk", "message"),
    [
        ({"kty": "RSA", "n": 5, "e": "AQAB"}, "Could not read the JWK (kty=RSA)."),
        ({"kty": "RSA", "n": "@@@@", "e": "AQAB"}, "Could not read the JWK (kty=RSA)."),
        ({"kty": "EC", "crv": "P-999", "x": "AA", "y": "AA"}, "Could not read the JWK (kty=EC)."),
        (
            {"kty": "Quantum-Resistant-Lattice"},
            "Could not read the JWK (kty=Quantum-Resistant-La).",
        ),
        ({"n": "AQAB"}, "Could not read the JWK (kty=None)."),
        ({"kty": "RSA", "alg": "RS999"}, "Could not read the JWK (kty=RSA)."),
    ],
)
def test_a_jwk_that_cannot_be_read_names_its_kty_only(jwk: dict[str, Any], message: str) -> None:
    assert refused(KeyKind.JWK, json.dumps(jwk)) == message


@pytest.mark.parametrize("use", ["enc", "wrap", ""])
def test_a_jwk_not_for_signatures_is_refused(use: str) -> None:
    message = refused(KeyKind.JWK, json.dumps(rsa_jwk(use=use)))
    assert message == "The JWK is marked for encryption (use != sig)."


def test_key_text_that_is_not_json_is_refused_with_the_reason() -> None:
    message = refused(KeyKind.JWK, "{not json")
    assert message.startswith("The key is not usable JSON: ")
    assert len(message) > len("The key is not usable JSON: ")


@pytest.mark.parametrize("kind", [KeyKind.JWK, KeyKind.JWKS])
def test_a_json_key_must_be_an_object(kind: KeyKind) -> None:
    assert refused(kind, '[{"kty": "oct", "k": "c2VjcmV0"}]') == (
        "A JWK or JWKS must be a JSON object."
    )


def test_a_jwks_given_as_a_jwk_is_read_as_a_jwks() -> None:
    jwks = {"keys": [oct_jwk(b"one", kid="1"), oct_jwk(b"two", kid="2")]}
    keys = load_keys(KeyKind.JWK, json.dumps(jwks))
    assert [(k.kid, k.key) for k in keys] == [("1", b"one"), ("2", b"two")]


def test_a_single_jwk_given_as_a_jwks_is_refused() -> None:
    assert refused(KeyKind.JWKS, json.dumps(oct_jwk(b"one"))) == "A JWKS needs a 'keys' list."
    assert refused(KeyKind.JWKS, '{"keys": {"kty": "oct"}}') == "A JWKS needs a 'keys' list."


def test_a_jwks_keeps_its_signing_keys_in_order_and_skips_the_rest() -> None:
    jwks = {
        "keys": [
            "not a key",
            oct_jwk(b"encryption", kid="e", use="enc"),
            {"kty": "RSA", "kid": "broken", "n": 5},
            oct_jwk(b"one", kid="1"),
            ["also", "not", "a", "key"],
            oct_jwk(b"wrong alg", kid="w", alg="ES256"),
            rsa_jwk(kid="2", use="sig"),
        ]
    }
    keys = load_jwks(jwks)
    assert [(k.kid, k.description) for k in keys] == [("1", "JWK (oct)"), ("2", "JWK (RSA)")]
    assert keys[0].key == b"one"


def test_a_jwks_without_a_usable_signing_key_is_refused() -> None:
    for keys in ([], [oct_jwk(b"e", use="enc")], [{"kty": "RSA"}], [None]):
        message = refused(KeyKind.JWKS, json.dumps({"keys": keys}))
        assert message == "The JWKS holds no signing key TokenDeck can use."


# --- guessing the kind, key files -----------------------------------------------------------------


def test_load_any_reads_pem_jwk_and_jwks_and_takes_anything_else_as_a_secret() -> None:
    assert load_any(f"\n{public_pem(rsa_key())}")[0].description == "public key"
    assert load_any(json.dumps(oct_jwk(b"one")))[0].description == "JWK (oct)"
    assert [k.kid for k in load_any(json.dumps({"keys": [oct_jwk(b"x", kid="a")]}))] == ["a"]
    assert load_any("  not-ssh-{secret} ") == [
        VerificationKey(b"not-ssh-{secret}", HMAC_ALGS, None, "HMAC secret")
    ]


def test_load_any_refuses_a_broken_pem_rather_than_using_it_as_a_secret() -> None:
    assert refused(None, "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----") == (
        PEM_REFUSED
    )
    assert refused(None, "ssh-ed25519 AAAA") == PEM_REFUSED
    assert refused(None, "ecdsa-sha2-nistp256 AAAA") == PEM_REFUSED
    assert refused(None, "{not json").startswith("The key is not usable JSON")


def test_a_key_file_may_be_up_to_one_mebibyte() -> None:
    assert load_key_file(b"k" * MAX_KEY_FILE_BYTES)[0].key == b"k" * MAX_KEY_FILE_BYTES
    with pytest.raises(KeyFormatError) as info:
        load_key_file(b"k" * (MAX_KEY_FILE_BYTES + 1))
    assert str(info.value) == "The key file is larger than 1024 KiB."


def test_a_text_key_file_may_start_with_a_byte_order_mark() -> None:
    (key,) = load_key_file(b"\xef\xbb\xbf" + public_pem(rsa_key()).encode())
    assert key.description == "public key"
    assert load_key_file(b"\xef\xbb\xbfsecret")[0].key == b"secret"


def test_a_der_key_file_is_read_in_each_form() -> None:
    private = rsa_key()
    forms = {
        "DER public key": private.public_key().public_bytes(DER, PUBLIC),
        "DER certificate": certificate(private).public_bytes(DER),
        "public half of a DER private key": private.private_bytes(DER, PKCS8, NO_PASSWORD),
    }
    for description, raw in forms.items():
        (key,) = load_key_file(raw)
        assert (key.description, key.algorithms, key.kid) == (description, RSA_ALGS, None)
        assert same_public_key(key, private)
    ed_private = ed25519.Ed25519PrivateKey.generate()
    (key,) = load_key_file(ed_private.private_bytes(DER, PKCS8, NO_PASSWORD))
    assert key.algorithms == EDDSA_ALGS
    assert same_public_key(key, ed_private)


def test_a_text_key_file_starting_like_der_is_still_read_as_text() -> None:
    assert load_key_file(b"0123456789abcdef")[0].key == b"0123456789abcdef"


def test_a_binary_key_file_that_is_not_der_is_refused_plainly() -> None:
    for raw in (b"\x30\x82\x01\x00" + b"\xff" * 40, b"\xff\xfe\x80\x81"):
        with pytest.raises(KeyFormatError) as info:
            load_key_file(raw)
        assert str(info.value) == (
            "The key file is neither text (PEM, JWK, JWKS) nor a DER key or certificate."
        )
