"""Small helpers the adapters share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from tokendeck.core.secret import Secret
from tokendeck.core.token_decode import TokenFormatError, inspect_token


def jwt_expiry(token: Secret) -> datetime | None:
    """`exp` of a JWT, read without verifying (only to schedule a refresh); None otherwise."""
    try:
        return inspect_token(token.reveal()).expires_at
    except TokenFormatError:
        return None


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
    seconds = value / 1000 if value > 10_000_000_000 else value
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def iso_any(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def bearer(token: Secret) -> dict[str, str]:
    return {"Authorization": f"Bearer {token.reveal()}"}
