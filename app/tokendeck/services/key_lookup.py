"""Verification keys from the network, for the Inspector and `tokendeck inspect`.

One `KeyLookup` lives as long as the app, so its cache survives between verifications; it is
closed on quit with everything else.
"""

from __future__ import annotations

from tokendeck.core.token_decode import Inspection
from tokendeck.core.token_verify import VerificationKey
from tokendeck.platforms.oidc_keys import KeyFetcher, KeyFetchError

__all__ = ["KeyLookup", "KeyLookupError"]


class KeyLookupError(Exception):
    """Keys could not be fetched; the message says why, for a person."""


class KeyLookup:
    def __init__(self, fetcher: KeyFetcher | None = None) -> None:
        self._fetcher = fetcher or KeyFetcher()

    async def from_jwks_url(self, url: str) -> list[VerificationKey]:
        if not url.strip():
            raise KeyLookupError("Enter the JWKS URL.")
        try:
            return await self._fetcher.jwks(url.strip())
        except KeyFetchError as exc:
            raise KeyLookupError(str(exc)) from exc

    async def from_issuer(self, inspection: Inspection) -> list[VerificationKey]:
        issuer = inspection.claim_text("iss")
        if not issuer:
            raise KeyLookupError("The token has no 'iss' claim to discover keys from.")
        try:
            return await self._fetcher.discover(issuer)
        except KeyFetchError as exc:
            raise KeyLookupError(str(exc)) from exc

    async def aclose(self) -> None:
        await self._fetcher.aclose()
