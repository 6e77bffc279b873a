"""Instants from outside: every time a token or a platform gives TokenDeck goes through here.

A token's `exp`, a platform's `expiresAt`, an OAuth `expires_in` or an ISO 8601 string becomes an
aware UTC `datetime` inside the calendar Python can represent, or `None`. Nothing here raises on
data: a 309-digit number, `inf`, `NaN`, `-1e300`, `9999-12-31T23:59:59-23:59` or a lifetime of
1e12 seconds is simply "no time known" (`None`).

Everything returned is in UTC, so later conversions (`astimezone(UTC)`, comparisons, differences)
never leave the calendar. Adding a duration can: callers that must add one use `shift`, and the
adapters keep platform times inside `PLATFORM_WINDOW` so the services' arithmetic (an hour
before expiry, 80 % of a lifetime) stays in range.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

UNIX_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Epoch seconds of datetime.min and of the last whole second of datetime.max (UTC).
EARLIEST_SECONDS = -62_135_596_800
LATEST_SECONDS = 253_402_300_799
# Times a platform may plausibly report: from the Unix epoch to the year 9000. Anything outside
# is "no time known", which leaves a thousand years of room for the services' arithmetic.
PLATFORM_WINDOW = (UNIX_EPOCH, datetime(9000, 1, 1, tzinfo=UTC))
# Longest lifetime (`expires_in`, `lifetimeSeconds`, a leeway) taken at face value: 100 years.
MAX_LIFETIME_SECONDS = 100 * 366 * 86_400
# ISO 8601 strings longer than this are not times (the longest valid form is about 32 characters).
_MAX_ISO_CHARS = 64


def from_epoch(value: object) -> datetime | None:
    """Seconds since 1970 (int or float, not bool) as UTC; None if not a number or not a date."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int):
        # Compared as ints: a 309-digit number never meets float().
        if not EARLIEST_SECONDS <= value <= LATEST_SECONDS:
            return None
        return UNIX_EPOCH + timedelta(seconds=value)
    if not math.isfinite(value) or not EARLIEST_SECONDS <= value < LATEST_SECONDS + 1:
        return None
    try:
        return UNIX_EPOCH + timedelta(seconds=value)
    except OverflowError:  # rounding to microseconds carried it past 9999-12-31
        return None


def from_iso(value: object) -> datetime | None:
    """An ISO 8601 string (any offset; no offset means UTC) as UTC; None if it is not one."""
    if not isinstance(value, str) or not value or len(value) > _MAX_ISO_CHARS:
        return None
    text = value[:-1] + "+00:00" if value[-1:] in ("Z", "z") else value
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    try:
        return parsed.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00+01:00 is in the year 0 in UTC
        return None


def lifetime(value: object) -> timedelta | None:
    """A lifetime in seconds (number, or a string of digits as some servers send) as a duration.

    None unless it is finite and between 0 and `MAX_LIFETIME_SECONDS`.
    """
    if isinstance(value, str) and 0 < len(value) <= 12 and value.isascii() and value.isdigit():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if not 0 <= value <= MAX_LIFETIME_SECONDS:
        return None
    return timedelta(seconds=value)


def shift(at: datetime, delta: timedelta) -> datetime | None:
    """`at + delta`, or None when the sum leaves the calendar."""
    try:
        return at + delta
    except OverflowError:
        return None


def within(at: datetime | None, window: tuple[datetime, datetime]) -> datetime | None:
    """`at` if it lies inside `window` (inclusive), else None."""
    if at is None:
        return None
    return at if window[0] <= at <= window[1] else None
