"""Checking a token's signature, the one way the Inspector and `tokendeck inspect` both do it:
get the key from where the person points (typed, a file, a JWKS URL, the issuer's discovery
document), then verify the token with it and the expected issuer / audience.

The two differ only in how they ask for the key and show the answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from tokendeck.core.token_decode import Inspection
from tokendeck.core.token_verify import (
    KeyFormatError,
    KeyKind,
    VerificationKey,
    VerificationResult,
    VerifyOptions,
    load_hmac_bytes,
    load_key_file,
    load_keys,
    verify,
)
from tokendeck.services.key_lookup import KeyLookup, KeyLookupError


class KeyFrom(StrEnum):
    """Where the key comes from, besides the text kinds of `KeyKind` (typed or pasted)."""

    SECRET_FILE = "secret_file"  # noqa: S105 (a file holding an HMAC secret: text, else bytes)
    KEY_FILE = "key_file"  # a PEM / DER / JWK / JWKS file
    JWKS_URL = "jwks_url"
    DISCOVER = "discover"  # the issuer's OpenID discovery document, then its JWKS


@dataclass(frozen=True, slots=True)
class KeySource:
    kind: KeyKind | KeyFrom
    text: str = ""  # typed key material, or the JWKS URL
    raw: bytes = b""  # a file's bytes


class KeyUnavailableError(Exception):
    """The key could not be had: no verdict on the token. `fetching` says whether it was the
    network's fault (a URL or discovery) rather than the key's."""

    def __init__(self, message: str, *, fetching: bool) -> None:
        super().__init__(message)
        self.fetching = fetching


async def keys_from(
    source: KeySource, inspection: Inspection, lookup: Callable[[], KeyLookup] | None
) -> list[VerificationKey]:
    try:
        if isinstance(source.kind, KeyKind):
            return load_keys(source.kind, source.text)
        if source.kind is KeyFrom.SECRET_FILE:
            try:
                return load_keys(KeyKind.HMAC_TEXT, source.raw.decode("utf-8-sig"))
            except UnicodeDecodeError:  # not text: the bytes are the secret
                return load_hmac_bytes(source.raw)
        if source.kind is KeyFrom.KEY_FILE:
            return load_key_file(source.raw)
    except KeyFormatError as exc:
        raise KeyUnavailableError(f"Could not read the key: {exc}", fetching=False) from exc
    if lookup is None:
        raise KeyUnavailableError("Fetching keys is not available here.", fetching=True)
    try:
        if source.kind is KeyFrom.JWKS_URL:
            return await lookup().from_jwks_url(source.text)
        return await lookup().from_issuer(inspection)
    except KeyLookupError as exc:
        raise KeyUnavailableError(str(exc), fetching=True) from exc


async def check_signature(
    inspection: Inspection,
    source: KeySource,
    options: VerifyOptions,
    lookup: Callable[[], KeyLookup] | None = None,
) -> VerificationResult:
    """The token's signature checked with the key `source` points to. Raises
    `KeyUnavailableError` when there is no key to check with (nothing is then said of the
    token); a key that does not verify it is an INVALID result, not an error."""
    keys = await keys_from(source, inspection, lookup)
    return verify(inspection, keys, options)
