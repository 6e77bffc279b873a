"""Decode whatever a user pastes into a structured `Inspection`.

`inspect_token(text)` accepts a bare JWT, `Bearer <jwt>`, `Authorization: Bearer <jwt>`, a JSON
object holding a token (`{"access_token": "eyJ..."}`), surrounding quotes and whitespace, a JWT
wrapped over several lines, a JWE (five parts), an unsecured `alg: none` JWT, a Trifacta access
token (base64 of `{"tokenId", "secret"}`) and any opaque single-line string.

Contract: for *any* `str` it returns an `Inspection` or raises `TokenFormatError`; nothing else.
`tests/unit/test_token_fuzz.py` proves it with hypothesis.

Time-dependent judgements (expired, expiring soon, ...) are not made here: see `token_assess`.

Longer than most modules (~500 lines): every accepted input shape and its bounds are one contract
(above), proved by one fuzz test; split, the contract would have no single home.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from tokendeck.core import instants, safe_json
from tokendeck.core.problems import Problem, Severity
from tokendeck.core.secret import Secret

MAX_INPUT_CHARS = 256 * 1024


class TokenFormatError(ValueError):
    """The input is not a token TokenDeck can read. `code` is stable; `str()` is for people.

    The message never contains the input itself (it may be a secret).
    """

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


class TokenKind(StrEnum):
    JWS = "jws"
    UNSECURED_JWT = "unsecured_jwt"
    JWE = "jwe"
    TRIFACTA = "trifacta"
    OPAQUE = "opaque"


STANDARD_TIME_CLAIMS = ("exp", "nbf", "iat", "auth_time", "updated_at")

CLAIM_DOCS: Mapping[str, str] = {
    "iss": "Issuer: who created and signed the token (RFC 7519 §4.1.1).",
    "sub": "Subject: the user or client the token is about (RFC 7519 §4.1.2).",
    "aud": "Audience: the services the token is meant for (RFC 7519 §4.1.3).",
    "exp": "Expiration time: the token must not be accepted on or after this (RFC 7519 §4.1.4).",
    "nbf": "Not before: the token must not be accepted before this (RFC 7519 §4.1.5).",
    "iat": "Issued at: when the token was created (RFC 7519 §4.1.6).",
    "jti": "JWT ID: a unique id, used to prevent replay (RFC 7519 §4.1.7).",
    "auth_time": "When the user last authenticated (OpenID Connect Core §2).",
    "updated_at": "When the user's profile was last updated (OpenID Connect Core §5.1).",
    "azp": "Authorized party: the client the token was issued to (OpenID Connect Core §2).",
    "nonce": "Value that binds the token to the client's login request (OpenID Connect Core §2).",
    "scope": "Space-separated scopes the token grants (RFC 8693 §4.2).",
    "scp": "Scopes the token grants (Microsoft / Okta form).",
    "client_id": "The OAuth client the token was issued to (RFC 9068 §2.2).",
    "email": "The user's e-mail address (OpenID Connect Core §5.1).",
    "email_verified": "Whether the issuer has verified the e-mail address.",
    "name": "The user's full name.",
    "nickname": "The user's casual name.",
    "picture": "URL of the user's profile picture.",
    "locale": "The user's locale.",
    "sid": "Session id at the issuer (OpenID Connect Front-Channel Logout).",
    "roles": "Roles granted to the subject.",
    "alg": "Signature or encryption algorithm (RFC 7515 §4.1.1). 'none' means unsigned.",
    "typ": "Media type of the whole token, usually JWT (RFC 7515 §4.1.9).",
    "cty": "Content type of the payload; 'JWT' means a nested token (RFC 7515 §4.1.10).",
    "kid": "Key id: which of the issuer's keys signed the token (RFC 7515 §4.1.4).",
    "crit": "Header extensions the receiver must understand or reject the token (RFC 7515 §4.1.11).",
    "jku": "URL of the JWK Set holding the signing key (RFC 7515 §4.1.2); never trust it blindly.",
    "x5u": "URL of the X.509 certificate for the signing key (RFC 7515 §4.1.5).",
    "x5c": "X.509 certificate chain of the signing key (RFC 7515 §4.1.6).",
    "x5t": "SHA-1 thumbprint of the signing certificate (RFC 7515 §4.1.7).",
    "enc": "Content encryption algorithm of a JWE (RFC 7516 §4.1.2).",
    "zip": "Compression applied before encryption (RFC 7516 §4.1.3).",
}

# Numbers in this range (2000-01-01 .. 2100-01-01, in seconds) under a claim that is not a standard
# time claim are shown as "looks like a time".
_PLAUSIBLE_EPOCH = (946_684_800, 4_102_444_800)
_B64URL = re.compile(r"^[A-Za-z0-9_-]*={0,2}$")
_OPAQUE = re.compile(r"^[\x21-\x7e]+$")
_PREFIX = re.compile(r"^(?:authorization\s*:\s*)?(?:(?:bearer|token|jwt)\s+)?", re.IGNORECASE)
_PART_NAMES = {
    3: ("header", "payload", "signature"),
    5: ("header", "encrypted key", "initialisation vector", "ciphertext", "authentication tag"),
}
_JSON_TOKEN_FIELDS = ("access_token", "id_token", "token", "jwt", "tokenValue", "refresh_token")


@dataclass(frozen=True, slots=True)
class TimeClaim:
    name: str
    at: datetime
    standard: bool

    @property
    def epoch(self) -> float:
        return self.at.timestamp()


@dataclass(frozen=True, slots=True)
class Inspection:
    kind: TokenKind
    token: Secret
    header: Mapping[str, Any] | None = None
    payload: Mapping[str, Any] | None = None
    payload_text: str | None = None
    time_claims: tuple[TimeClaim, ...] = ()
    trifacta_token_id: str | None = None
    notes: tuple[str, ...] = ()
    problems: tuple[Problem, ...] = field(default=())

    def claim_time(self, name: str) -> datetime | None:
        return next((c.at for c in self.time_claims if c.name == name), None)

    @property
    def expires_at(self) -> datetime | None:
        return self.claim_time("exp")

    @property
    def issued_at(self) -> datetime | None:
        return self.claim_time("iat")

    @property
    def not_before(self) -> datetime | None:
        return self.claim_time("nbf")

    @property
    def lifetime(self) -> timedelta | None:
        start = self.not_before or self.issued_at
        end = self.expires_at
        return end - start if start and end else None

    @property
    def algorithm(self) -> str | None:
        alg = self.header.get("alg") if self.header else None
        return alg if isinstance(alg, str) else None

    @property
    def is_jwt(self) -> bool:
        return self.kind in (TokenKind.JWS, TokenKind.UNSECURED_JWT)

    def claim_text(self, name: str) -> str | None:
        """`iss`, `sub`, `aud`... as display text (lists joined by ', ')."""
        value = self.payload.get(name) if self.payload else None
        if isinstance(value, str):
            return value
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return ", ".join(value)
        return None


def inspect_token(text: str) -> Inspection:
    """Decode `text`; see the module docstring for the contract."""
    if not isinstance(text, str):
        raise TokenFormatError("not_text", "Expected text.")
    if len(text) > MAX_INPUT_CHARS:
        raise TokenFormatError(
            "too_long", f"The input is longer than {MAX_INPUT_CHARS // 1024} KiB: not a token."
        )
    candidate, notes = _normalise(text)
    if not candidate:
        raise TokenFormatError("empty", "Nothing to inspect: paste a token.")
    parts = candidate.split(".")
    if (
        len(parts) in (3, 5)
        and candidate.startswith("eyJ")
        and not all(_B64URL.match(p) for p in parts)
    ):
        raise TokenFormatError(
            "malformed_jwt",
            "This looks like a JWT, but a part has characters that base64url does not use.",
        )
    if len(parts) in (3, 5) and all(_B64URL.match(p) for p in parts):
        decoded_header = _json_object(parts[0])
        if decoded_header is not None:
            header, replaced = decoded_header
            broken = next((i for i, p in enumerate(parts) if _b64url_decode(p) is None), None)
            if broken is not None:
                raise TokenFormatError(
                    "malformed_jwt",
                    f"The {_PART_NAMES[len(parts)][broken]} of this token is not valid base64url.",
                )
            if len(parts) == 5:
                return _jwe(candidate, header, notes, replaced)
            return _jws(candidate, parts, header, notes, replaced)
        if candidate.startswith("eyJ"):
            raise TokenFormatError(
                "malformed_jwt",
                "This looks like a JWT, but its header is not valid base64url JSON.",
            )
    trifacta = _trifacta(candidate, notes)
    if trifacta is not None:
        return trifacta
    if _OPAQUE.match(candidate):
        return Inspection(
            kind=TokenKind.OPAQUE,
            token=Secret(candidate),
            notes=(*notes, "Opaque token: it carries no readable claims or expiry."),
        )
    raise TokenFormatError(
        "not_a_token",
        "This is not a token: it has spaces or control characters in the middle, "
        "and is neither a JWT, a JWE nor a Trifacta token.",
    )


def _normalise(text: str) -> tuple[str, tuple[str, ...]]:
    notes: list[str] = []
    s = text.strip().strip("\ufeff").strip()
    if s.startswith("{"):
        found = _token_from_json(s)
        if found is not None:
            field_name, s = found
            notes.append(f"Read the token from the JSON field '{field_name}'.")
    for _ in range(2):
        s = s.strip().strip("\"'`").strip()
        match = _PREFIX.match(s)
        if match and match.end():
            notes.append(f"Removed the prefix '{match.group(0).strip()}'.")
            s = s[match.end() :]
    s = s.strip().strip("\"'`").strip().rstrip(",;")
    if re.search(r"\s", s):
        squeezed = re.sub(r"\s+", "", s)
        if squeezed.count(".") in (2, 4) and squeezed.startswith("eyJ"):
            notes.append("Joined a token that was split over several lines.")
            s = squeezed
    return s, tuple(notes)


def _token_from_json(s: str) -> tuple[str, str] | None:
    try:
        obj = safe_json.loads(s)
    except safe_json.JsonError as exc:
        if exc.too_deep:
            raise TokenFormatError("too_deep", str(exc)) from None
        return None
    if not isinstance(obj, dict):
        return None
    for name in _JSON_TOKEN_FIELDS:
        value = obj.get(name)
        if isinstance(value, str) and value.strip():
            return name, value
    return None


def _b64url_decode(part: str) -> bytes | None:
    try:
        return base64.urlsafe_b64decode(part.rstrip("=") + "=" * (-len(part.rstrip("=")) % 4))
    except (binascii.Error, ValueError):
        return None


def _json_object(part: str) -> tuple[dict[str, Any], bool] | None:
    """A part's JSON object with lone surrogates replaced, and whether any were."""
    raw = _b64url_decode(part)
    if raw is None:
        return None
    try:
        obj = safe_json.loads(raw.decode())
    except UnicodeDecodeError:
        return None
    except safe_json.JsonError as exc:
        if exc.too_deep:
            raise TokenFormatError("too_deep", f"The token's header: {exc}") from None
        return None
    return safe_json.clean(obj) if isinstance(obj, dict) else None


_REPLACED_UNICODE = Problem(
    "invalid_unicode",
    "The token's JSON holds invalid Unicode (lone surrogates); shown as \ufffd.",
)


def _jwe(token: str, header: dict[str, Any], notes: tuple[str, ...], replaced: bool) -> Inspection:
    return Inspection(
        kind=TokenKind.JWE,
        token=Secret(token),
        header=header,
        notes=(*notes, "Encrypted token (JWE): only the header is readable."),
        problems=(
            Problem(
                "encrypted",
                "The payload is encrypted; its claims and expiry cannot be read without the key.",
                Severity.INFO,
            ),
            *((_REPLACED_UNICODE,) if replaced else ()),
        ),
    )


def _jws(
    token: str,
    parts: list[str],
    header: dict[str, Any],
    notes: tuple[str, ...],
    replaced: bool,
) -> Inspection:
    problems: list[Problem] = []
    raw_payload = _b64url_decode(parts[1])
    assert raw_payload is not None  # inspect_token decoded every part before
    payload: dict[str, Any] | None = None
    payload_text: str | None = None
    try:
        text = raw_payload.decode()
        decoded = safe_json.loads(text)
        if isinstance(decoded, dict):
            payload = decoded
        else:
            payload_text = text
    except UnicodeDecodeError:
        payload_text = raw_payload.hex()
        problems.append(
            Problem("binary_payload", "The payload is binary, shown as hex.", Severity.INFO)
        )
    except safe_json.JsonError as exc:
        if exc.too_deep:
            raise TokenFormatError("too_deep", f"The token's payload: {exc}") from None
        payload_text = text
    if payload is not None:
        payload, payload_replaced = safe_json.clean(payload)
        replaced = replaced or payload_replaced
    if replaced:
        problems.append(_REPLACED_UNICODE)
    if payload is None:  # then payload_text holds what the payload is instead
        problems.append(
            Problem(
                "payload_not_json",
                "The payload is not a JSON object: a signed blob, not a JWT.",
                Severity.ERROR,
            )
        )

    alg = header.get("alg")
    kind = TokenKind.JWS
    if not isinstance(alg, str):
        problems.append(Problem("no_alg", "The header has no 'alg' string.", Severity.ERROR))
    elif alg.lower() == "none":
        kind = TokenKind.UNSECURED_JWT
        problems.append(
            Problem(
                "alg_none",
                "Unsigned token (alg: none): anyone can forge it. Never accept it.",
                Severity.ERROR,
            )
        )
        if parts[2]:
            problems.append(
                Problem("alg_none_with_signature", "alg is 'none' but a signature is present.")
            )
    elif not parts[2]:
        problems.append(Problem("no_signature", "The signature part is empty.", Severity.ERROR))
    crit_problem = critical_header_problem(header)
    if crit_problem is not None:
        problems.append(crit_problem)
    if header.get("cty") == "JWT" or header.get("cty") == "jwt":
        notes = (*notes, "Nested token (cty: JWT): the payload is itself a token.")

    claims, claim_problems = _time_claims(payload or {})
    problems.extend(claim_problems)
    return Inspection(
        kind=kind,
        token=Secret(token),
        header=header,
        payload=payload,
        payload_text=payload_text,
        time_claims=claims,
        notes=notes,
        problems=tuple(problems),
    )


# Header parameters RFC 7515 / 7516 / 7518 define: `crit` must never list them (RFC 7515 §4.1.11).
REGISTERED_HEADERS = frozenset(
    {
        "alg", "jku", "jwk", "kid", "x5u", "x5c", "x5t", "x5t#S256", "typ", "cty", "crit",
        "enc", "zip", "epk", "apu", "apv", "iv", "tag", "p2s", "p2c",
    }
)  # fmt: skip


def critical_header_problem(header: Mapping[str, Any]) -> Problem | None:
    """What `crit` (RFC 7515 §4.1.11) means for TokenDeck, which understands no extension.

    A malformed `crit` (not a non-empty list of distinct strings, naming a registered header or
    one the header lacks) makes the token invalid; a well-formed one names extensions TokenDeck
    does not implement, so it can never verify the token (`token_verify` refuses it).
    """
    if "crit" not in header:
        return None
    crit = header["crit"]
    if (
        not isinstance(crit, list)
        or not crit
        or not all(isinstance(name, str) and name for name in crit)
        or len(set(crit)) != len(crit)
    ):
        return Problem(
            "invalid_crit",
            "The 'crit' header must be a non-empty list of distinct extension names "
            "(RFC 7515 §4.1.11): the token is invalid.",
            Severity.ERROR,
        )
    names = ", ".join(f"{name:.40}" for name in crit[:8])
    registered = [name for name in crit if name in REGISTERED_HEADERS]
    if registered:
        return Problem(
            "invalid_crit",
            f"The 'crit' header lists standard parameters ({', '.join(registered[:8])}), which "
            "RFC 7515 §4.1.11 forbids: the token is invalid.",
            Severity.ERROR,
        )
    if any(name not in header for name in crit):
        return Problem(
            "invalid_crit",
            f"The 'crit' header names extensions ({names}) the header does not carry: "
            "the token is invalid.",
            Severity.ERROR,
        )
    return Problem(
        "critical_header",
        f"Critical header extensions ({names}) must be understood by the receiver; TokenDeck "
        "implements none of them, so it will never verify this token.",
    )


def _to_datetime(value: Any) -> datetime | None:
    """A claim's value as UTC: epoch seconds (any number) or an ISO 8601 string; else None."""
    if isinstance(value, str):
        return instants.from_iso(value)
    return instants.from_epoch(value)


def _time_claims(payload: Mapping[str, Any]) -> tuple[tuple[TimeClaim, ...], list[Problem]]:
    claims: list[TimeClaim] = []
    problems: list[Problem] = []
    for name in STANDARD_TIME_CLAIMS:
        if name not in payload:
            continue
        at = _to_datetime(payload[name])
        numeric = isinstance(payload[name], (int, float)) and not isinstance(payload[name], bool)
        if at is None or (name in ("exp", "nbf", "iat") and not numeric):
            problems.append(
                Problem(
                    "invalid_claim",
                    f"'{name}' is not a valid time (RFC 7519 wants seconds since 1970).",
                    Severity.ERROR,
                )
            )
            if at is None:
                continue
        claims.append(TimeClaim(name, at, standard=True))
    for name, value in payload.items():
        if name in STANDARD_TIME_CLAIMS or isinstance(value, bool):
            continue
        if isinstance(value, (int, float)) and _PLAUSIBLE_EPOCH[0] <= value <= _PLAUSIBLE_EPOCH[1]:
            at = _to_datetime(value)
            if at is not None:
                claims.append(TimeClaim(name, at, standard=False))
    return tuple(claims), problems


def _trifacta(candidate: str, notes: tuple[str, ...]) -> Inspection | None:
    # (No JSON object with a tokenId and a secret is too short to be worth a length check.)
    if not re.fullmatch(r"[A-Za-z0-9+/_-]+={0,2}", candidate):
        return None
    raw = _b64url_decode(candidate)  # urlsafe_b64decode reads "+" and "/" as well
    if raw is None:
        return None
    try:
        obj = safe_json.loads(raw.decode())
    except (UnicodeDecodeError, safe_json.JsonError):
        return None
    if not isinstance(obj, dict) or not isinstance(obj.get("tokenId"), str) or "secret" not in obj:
        return None
    token_id, _ = safe_json.clean(obj["tokenId"])
    return Inspection(
        kind=TokenKind.TRIFACTA,
        token=Secret(candidate),
        payload={"tokenId": token_id, "secret": "••••••••"},
        trifacta_token_id=token_id,
        notes=(
            *notes,
            "Trifacta / Alteryx / Dataprep access token: not a JWT. Its expiry is known only to the "
            "platform (list the account's access tokens to see it).",
        ),
    )
