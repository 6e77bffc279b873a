"""Small helpers the adapters share.

Every time an adapter reads from a platform's answer (an epoch number, an ISO 8601 string, an
`expires_in`, a JWT's `exp`) goes through `core.instants` here and is kept inside
`instants.PLATFORM_WINDOW`: a number out of range (309 digits, 1e12 seconds from now, NaN, a
negative epoch) is "no expiry known" (`None`), never an OverflowError or ValueError.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from tokendeck.core import instants
from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import TokenFormatError, inspect_token

# Epoch values above this are milliseconds (10^10 s is the year 2286).
_MILLISECONDS_FROM = 10_000_000_000


def jwt_expiry(token: Secret) -> datetime | None:
    """`exp` of a JWT, read without verifying (only to schedule a refresh); None otherwise."""
    try:
        expires = inspect_token(token.reveal()).expires_at
    except TokenFormatError:
        return None
    return instants.within(expires, instants.PLATFORM_WINDOW)


def jwt_claim(token: Secret, name: str) -> Any:
    try:
        payload = inspect_token(token.reveal()).payload
    except TokenFormatError:
        return None
    return payload.get(name) if payload else None


def epoch_any(value: Any) -> datetime | None:
    """Epoch seconds or milliseconds (Dataloop's unit is unconfirmed: accept both)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value > _MILLISECONDS_FROM:
        # Integer division for ints: a 309-digit number must not meet float division.
        value = value // 1000 if isinstance(value, int) else value / 1000
    return instants.within(instants.from_epoch(value), instants.PLATFORM_WINDOW)


def iso_any(value: Any) -> datetime | None:
    """An ISO 8601 time (any offset) as UTC, inside the platform window; None otherwise."""
    return instants.within(instants.from_iso(value), instants.PLATFORM_WINDOW)


def expires_after(now: datetime, seconds: Any) -> datetime | None:
    """`now + expires_in` for an answer's lifetime in seconds; None when it is not a usable one."""
    lifetime = instants.lifetime(seconds)
    if lifetime is None:
        return None
    return instants.within(instants.shift(now, lifetime), instants.PLATFORM_WINDOW)


def bearer(token: Secret) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.reveal()}"}
