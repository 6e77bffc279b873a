"""Where a token or credential stands; shared by the Inspector, the tables and the tray."""

from __future__ import annotations

from enum import StrEnum


class TokenStatus(StrEnum):
    VALID = "valid"
    EXPIRING_SOON = "expiring_soon"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    NO_EXPIRY = "no_expiry"
    UNKNOWN = "unknown"


STATUS_TEXT = {
    TokenStatus.VALID: "valid",
    TokenStatus.EXPIRING_SOON: "expiring soon",
    TokenStatus.EXPIRED: "expired",
    TokenStatus.NOT_YET_VALID: "not yet valid",
    TokenStatus.NO_EXPIRY: "no expiry",
    TokenStatus.UNKNOWN: "expiry unknown",
}
