"""Verify a JWS signature against key material the user supplies.

The accepted algorithms always come from the key's type (an RSA key allows RS*/PS*, a P-256 key
ES256, an HMAC secret HS*, an Ed25519 key EdDSA), narrowed by a JWK's own `alg`; the token's
header only picks among those. So an HS256 token can never be "verified" with an RSA public key
used as an HMAC secret (the classic algorithm-confusion attack).

Key material comes as text: an HMAC secret (plain or base64), PEM (public key, certificate, or a
private key whose public half is used), an OpenSSH public key, a JWK or a JWKS; or as the bytes of
a key file (`load_key_file`: DER as well as every text form). Fetching a JWKS URL or OIDC
discovery is I/O and lives in `tokendeck.platforms.oidc_keys`. Loading raises only
`KeyFormatError`, whatever the material.

A token whose header has `crit` is never verified: TokenDeck understands no JWS extension (not
even `b64`, RFC 7797), and RFC 7515 §4.1.11 says such a token must be rejected.

Longer than most modules (~430 lines): reading every key form and verifying with it are one
security rule (the algorithm comes from the key); kept together so it can be read in one place.
"""

from __future__ import annotations

import base64
import binascii
import warnings
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum
from typing import Any

import jwt
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.utils import CryptographyDeprecationWarning
from jwt.algorithms import get_default_algorithms

from tokendeck.core import safe_json
from tokendeck.core.problems import Problem, Severity
from tokendeck.core.token_decode import Inspection, TokenKind, critical_header_problem

_RSA_ALGS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"})
_HMAC_ALGS = frozenset({"HS256", "HS384", "HS512"})
_EDDSA_ALGS = frozenset({"EdDSA", "Ed25519", "Ed448"})
_EC_ALGS = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512", "secp256k1": "ES256K"}
# A key file larger than this is not a key (a JWKS of a hundred RSA keys is about 50 KB).
MAX_KEY_FILE_BYTES = 1024 * 1024


class KeyFormatError(ValueError):
    """The key material could not be read. The message never quotes the material."""


class KeyKind(StrEnum):
    HMAC_TEXT = "hmac"
    HMAC_BASE64 = "hmac_base64"
    PEM = "pem"
    JWK = "jwk"
    JWKS = "jwks"


class SignatureStatus(StrEnum):
    VERIFIED = "verified"
    INVALID = "invalid"
    NOT_VERIFIED = "not_verified"


SIGNATURE_TEXT = {
    SignatureStatus.VERIFIED: "signature verified",
    SignatureStatus.INVALID: "signature INVALID",
    SignatureStatus.NOT_VERIFIED: "signature not verified",
}


@dataclass(frozen=True, slots=True)
class VerificationKey:
    """One usable key: the object PyJWT's algorithms take, the algorithms it allows, its kid."""

    key: Any
    algorithms: frozenset[str]
    kid: str | None = None
    description: str = ""


@dataclass(frozen=True, slots=True)
class VerifyOptions:
    issuer: str | None = None
    audience: str | None = None
    leeway: timedelta = timedelta(0)


@dataclass(frozen=True, slots=True)
class VerificationResult:
    status: SignatureStatus
    message: str
    algorithm: str | None = None
    kid: str | None = None
    problems: tuple[Problem, ...] = ()


NOT_VERIFIED = VerificationResult(
    SignatureStatus.NOT_VERIFIED, "Signature not verified: no key was given."
)


def _algorithms_for(public_key: Any) -> frozenset[str]:
    if isinstance(public_key, rsa.RSAPublicKey):
        return _RSA_ALGS
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        alg = _EC_ALGS.get(public_key.curve.name)
        if alg is None:
            raise KeyFormatError(f"Unsupported elliptic curve {public_key.curve.name}.")
        return frozenset({alg})
    if isinstance(public_key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return _EDDSA_ALGS
    raise KeyFormatError(f"Unsupported key type {type(public_key).__name__}.")


def _public_half(key: Any) -> Any:
    private_types = (
        rsa.RSAPrivateKey,
        ec.EllipticCurvePrivateKey,
        ed25519.Ed25519PrivateKey,
        ed448.Ed448PrivateKey,
    )
    return key.public_key() if isinstance(key, private_types) else key


def load_keys(kind: KeyKind, material: str) -> list[VerificationKey]:
    """Parse user-supplied key material; raises `KeyFormatError` with a clear message."""
    text = material.strip()
    if not text:
        raise KeyFormatError("No key given.")
    if kind is KeyKind.HMAC_TEXT:
        try:
            # surrogateescape gives back the bytes of a secret that came from a non-UTF-8 argv.
            raw_secret = text.encode("utf-8", "surrogateescape")
        except UnicodeEncodeError as exc:
            raise KeyFormatError("The HMAC secret holds invalid Unicode.") from exc
        return [VerificationKey(raw_secret, _HMAC_ALGS, None, "HMAC secret")]
    if kind is KeyKind.HMAC_BASE64:
        normalised = "".join(text.split()).replace("-", "+").replace("_", "/").rstrip("=")
        try:
            raw = base64.b64decode(normalised + "=" * (-len(normalised) % 4), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise KeyFormatError("The HMAC secret is not valid base64.") from exc
        if not raw:
            raise KeyFormatError("The HMAC secret is empty.")
        return [VerificationKey(raw, _HMAC_ALGS, None, "HMAC secret (base64)")]
    if kind is KeyKind.PEM:
        return [_load_pem(text)]
    try:
        obj = safe_json.loads(text)
    except safe_json.JsonError as exc:
        raise KeyFormatError(f"The key is not usable JSON: {exc}") from None
    if not isinstance(obj, dict):
        raise KeyFormatError("A JWK or JWKS must be a JSON object.")
    if kind is KeyKind.JWKS or "keys" in obj:
        return load_jwks(obj)
    return [_load_jwk(obj)]


def load_any(material: str) -> list[VerificationKey]:
    """Guess the key kind: PEM, OpenSSH, JWKS or JWK; anything else is an HMAC secret."""
    text = material.strip()
    if text.startswith(("-----BEGIN", "ssh-", "ecdsa-")):
        return load_keys(KeyKind.PEM, text)
    if text.startswith("{"):
        return load_keys(KeyKind.JWK, text)
    return load_keys(KeyKind.HMAC_TEXT, text)


def load_hmac_bytes(raw: bytes) -> list[VerificationKey]:
    """An HMAC secret given as raw bytes (a binary secret file)."""
    if not raw:
        raise KeyFormatError("The HMAC secret is empty.")
    return [VerificationKey(raw, _HMAC_ALGS, None, "HMAC secret (bytes)")]


def load_key_file(raw: bytes) -> list[VerificationKey]:
    """The contents of a `--key` file: DER (public key, certificate or unencrypted private key),
    or any text form `load_any` reads (PEM, OpenSSH, JWK, JWKS, HMAC secret)."""
    if len(raw) > MAX_KEY_FILE_BYTES:
        raise KeyFormatError(f"The key file is larger than {MAX_KEY_FILE_BYTES // 1024} KiB.")
    if raw[:1] == b"\x30":  # an ASN.1 SEQUENCE: DER is tried first, whatever else it could be
        der = _load_der(raw)
        if der is not None:
            return [der]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise KeyFormatError(
            "The key file is neither text (PEM, JWK, JWKS) nor a DER key or certificate."
        ) from None
    return load_any(text)


@contextmanager
def _deprecations_quiet() -> Iterator[None]:
    """Reading a DSA key makes cryptography (51+) warn that it will drop DSA: TokenDeck refuses
    DSA keys by name anyway (`_algorithms_for`), so the library's notice is not shown."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CryptographyDeprecationWarning)
        yield


def _load_der(raw: bytes) -> VerificationKey | None:
    loaders: tuple[tuple[str, Any], ...] = (
        ("DER public key", serialization.load_der_public_key),
        ("DER certificate", lambda data: x509.load_der_x509_certificate(data).public_key()),
        (
            "public half of a DER private key",
            lambda data: _public_half(serialization.load_der_private_key(data, password=None)),
        ),
    )
    for description, loader in loaders:
        try:
            with _deprecations_quiet():
                loaded = loader(raw)
        except Exception:  # noqa: S112 - cryptography raises several types; the next form is tried
            continue
        return VerificationKey(loaded, _algorithms_for(loaded), None, description)
    return None


def _load_pem(text: str) -> VerificationKey:
    try:
        with _deprecations_quiet():
            loaded, description = _read_pem(text)
    except (ValueError, TypeError, binascii.Error) as exc:
        raise KeyFormatError(
            "Could not read the PEM key: expected a public key, a certificate or an unencrypted "
            "private key."
        ) from exc
    except Exception as exc:  # cryptography raises its own types for unsupported material
        raise KeyFormatError(f"Unsupported PEM key ({type(exc).__name__}).") from exc
    return VerificationKey(loaded, _algorithms_for(loaded), None, description)


def _read_pem(text: str) -> tuple[Any, str]:
    """The key a PEM (or OpenSSH) text holds, and what it was; raises what cryptography raises."""
    data = text.encode("utf-8")  # a lone surrogate raises UnicodeEncodeError, a ValueError
    first_line = text.split("\n", 1)[0]
    if "CERTIFICATE" in first_line:
        return x509.load_pem_x509_certificate(data).public_key(), "certificate"
    if "PRIVATE KEY" in first_line:
        private = serialization.load_pem_private_key(data, password=None)
        return _public_half(private), "public half of a private key"
    if text.startswith(("ssh-", "ecdsa-")):
        return serialization.load_ssh_public_key(data), "OpenSSH public key"
    return serialization.load_pem_public_key(data), "public key"


def _load_jwk(obj: Mapping[str, Any]) -> VerificationKey:
    kty = obj.get("kty")
    kid = obj.get("kid") if isinstance(obj.get("kid"), str) else None
    declared = obj.get("alg") if isinstance(obj.get("alg"), str) else None
    try:
        if kty == "oct":
            k = obj.get("k")
            if not isinstance(k, str):
                raise KeyFormatError("An 'oct' JWK needs a string 'k'.")
            key: Any = base64.urlsafe_b64decode(k + "=" * (-len(k) % 4))
            allowed = _HMAC_ALGS
        else:
            jwk = jwt.PyJWK(dict(obj), algorithm=declared)
            key = _public_half(jwk.key)
            allowed = _algorithms_for(key)
    except KeyFormatError:
        raise
    except binascii.Error as exc:  # a ValueError, so caught before the clause below
        raise KeyFormatError("The JWK has invalid base64url values.") from exc
    except (
        jwt.exceptions.PyJWKError,
        jwt.exceptions.InvalidKeyError,
        ValueError,
        TypeError,
    ) as exc:
        raise KeyFormatError(f"Could not read the JWK (kty={kty!s:.20}).") from exc
    if declared is not None:
        narrowed = allowed & {declared}
        if not narrowed:
            raise KeyFormatError(
                f"The JWK declares alg {declared!s:.20}, which its key type cannot use."
            )
        allowed = frozenset(narrowed)
    if obj.get("use") not in (None, "sig"):
        raise KeyFormatError("The JWK is marked for encryption (use != sig).")
    return VerificationKey(key, allowed, kid, f"JWK ({kty})")


def load_jwks(obj: Mapping[str, Any]) -> list[VerificationKey]:
    keys = obj.get("keys")
    if not isinstance(keys, list):
        raise KeyFormatError("A JWKS needs a 'keys' list.")
    loaded: list[VerificationKey] = []
    for entry in keys:
        if not isinstance(entry, dict):
            continue
        try:  # an encryption key (use: enc) is refused by _load_jwk and skipped like any other
            loaded.append(_load_jwk(entry))
        except KeyFormatError:
            continue
    if not loaded:
        raise KeyFormatError("The JWKS holds no signing key TokenDeck can use.")
    return loaded


def verify(
    inspection: Inspection,
    keys: Sequence[VerificationKey],
    options: VerifyOptions | None = None,
) -> VerificationResult:
    """Check the signature (and `iss` / `aud` if asked) of a decoded JWS. Never raises."""
    options = options or VerifyOptions()
    if inspection.kind is not TokenKind.JWS:
        return VerificationResult(
            SignatureStatus.INVALID
            if inspection.kind is TokenKind.UNSECURED_JWT
            else SignatureStatus.NOT_VERIFIED,
            "An unsigned token (alg: none) can never be verified."
            if inspection.kind is TokenKind.UNSECURED_JWT
            else "Only signed JWTs (JWS) can be verified.",
        )
    if not keys:
        return NOT_VERIFIED
    header = inspection.header or {}
    crit = critical_header_problem(header)
    if crit is not None:
        return VerificationResult(
            SignatureStatus.INVALID,
            "Not verified: the token marks header extensions as critical, and TokenDeck "
            "implements none (RFC 7515 §4.1.11 requires rejecting it).",
            inspection.algorithm,
            header.get("kid") if isinstance(header.get("kid"), str) else None,
            (
                crit
                if crit.severity is Severity.ERROR
                else Problem("crit_unsupported", crit.message, Severity.ERROR),
            ),
        )
    alg = inspection.algorithm or ""
    kid = header.get("kid") if isinstance(header.get("kid"), str) else None
    candidates = list(keys)
    problems: list[Problem] = []
    if kid is not None and any(k.kid for k in candidates):
        matching = [k for k in candidates if k.kid == kid]
        if not matching:
            problems.append(
                Problem(
                    "kid_not_found",
                    f"No key with kid '{kid:.64}' among the keys given.",
                    Severity.ERROR,
                )
            )
            return VerificationResult(
                SignatureStatus.INVALID,
                f"No key matches the token's kid '{kid:.64}'.",
                alg,
                kid,
                tuple(problems),
            )
        candidates = matching
    usable = [k for k in candidates if alg in k.algorithms]
    if not usable:
        allowed = sorted(set().union(*(k.algorithms for k in candidates)))
        return VerificationResult(
            SignatureStatus.INVALID,
            f"The token says alg {alg:.20} but the key allows only {', '.join(allowed)}: refused.",
            alg,
            kid,
            (
                Problem(
                    "alg_mismatch", "Token algorithm does not fit the key type.", Severity.ERROR
                ),
            ),
        )
    token = inspection.token.reveal()
    signing_input, _, signature_b64 = token.rpartition(".")
    try:
        signature = base64.urlsafe_b64decode(signature_b64 + "=" * (-len(signature_b64) % 4))
    except (binascii.Error, ValueError):
        return VerificationResult(
            SignatureStatus.INVALID, "The signature is not valid base64url.", alg, kid
        )
    algorithm = get_default_algorithms().get(alg)
    if algorithm is None:
        return VerificationResult(
            SignatureStatus.INVALID, f"Unsupported algorithm {alg:.20}.", alg, kid
        )
    for candidate in usable:
        try:
            prepared = algorithm.prepare_key(candidate.key)
            weak = algorithm.check_key_length(prepared)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                ok = algorithm.verify(signing_input.encode("ascii"), prepared, signature)
        except Exception:  # noqa: S112 - a key the algorithm refuses is a failed match, not a crash
            continue
        if ok:
            if weak:
                problems.append(Problem("weak_hmac_key", weak))
            problems.extend(_check_claims(inspection, options))
            failed = any(p.severity is Severity.ERROR for p in problems)
            return VerificationResult(
                SignatureStatus.INVALID if failed else SignatureStatus.VERIFIED,
                f"Signature verified with {candidate.description or 'the key'} ({alg})."
                if not failed
                else "Signature is good, but the claims do not match: "
                + "; ".join(p.message for p in problems if p.severity is Severity.ERROR),
                alg,
                kid,
                tuple(problems),
            )
    return VerificationResult(
        SignatureStatus.INVALID,
        "Signature does not match: the token was altered or signed with another key.",
        alg,
        kid,
        (Problem("signature_invalid", "The signature does not match the key.", Severity.ERROR),),
    )


def _check_claims(inspection: Inspection, options: VerifyOptions) -> Iterable[Problem]:
    payload = inspection.payload or {}
    if options.issuer is not None and payload.get("iss") != options.issuer:
        yield Problem("issuer_mismatch", f"iss is not '{options.issuer:.100}'.", Severity.ERROR)
    if options.audience is not None:
        aud = payload.get("aud")
        auds = aud if isinstance(aud, list) else [aud]
        if options.audience not in auds:
            yield Problem(
                "audience_mismatch",
                f"aud does not include '{options.audience:.100}'.",
                Severity.ERROR,
            )
