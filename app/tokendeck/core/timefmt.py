"""Human phrases for times and durations ("expires in 3 h 12 min", "expired 2 days ago").

Every function here is total over aware datetimes from `datetime.min` to `datetime.max` with any
UTC offset (-23:59 .. +23:59), and over every `timedelta`: a time the local calendar cannot show
(9999-12-31T23:59:59Z seen from east of UTC) reads "far future (after 9999-12-31)", never an
OverflowError. Naive datetimes are taken as UTC.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_UNITS = (("day", 86400), ("h", 3600), ("min", 60), ("s", 1))
# From this many days on, a duration reads in years ("in 7973 years"): hours are noise there.
_YEARS_FROM_DAYS = 3650
_DAYS_PER_YEAR = 365.2425
FAR_FUTURE = "far future (after 9999-12-31)"
FAR_PAST = "far past (before 0001-01-01)"


def format_duration(delta: timedelta, *, parts: int = 2) -> str:
    """`timedelta(hours=3, minutes=12)` -> "3 h 12 min": `parts` units from the largest non-zero one."""
    remaining = int(abs(delta.total_seconds()))
    if remaining == 0:
        return "0 s"
    if remaining >= _YEARS_FROM_DAYS * 86400:
        return f"{int(remaining / 86400 / _DAYS_PER_YEAR)} years"
    counts: list[tuple[str, int]] = []
    for name, size in _UNITS:
        count, remaining = divmod(remaining, size)
        counts.append((name, count))
    first = next(i for i, (_, count) in enumerate(counts) if count)
    return " ".join(
        f"{count} {name}s" if name == "day" and count != 1 else f"{count} {name}"
        for name, count in counts[first : first + max(1, parts)]
        if count
    )


def _difference(at: datetime, now: datetime) -> timedelta:
    """`at - now`, with naive datetimes taken as UTC (aware differences never overflow)."""
    return _aware(at) - _aware(now)


def _aware(at: datetime) -> datetime:
    return at if at.tzinfo is not None and at.utcoffset() is not None else at.replace(tzinfo=UTC)


def relative_phrase(at: datetime, now: datetime, *, future: str, past: str) -> str:
    """`relative_phrase(exp, now, future="expires", past="expired")` -> "expires in 3 h 12 min"."""
    delta = _difference(at, now)
    if delta.total_seconds() >= 0:
        return f"{future} in {format_duration(delta)}"
    return f"{past} {format_duration(delta)} ago"


def countdown(at: datetime, now: datetime) -> str:
    """Compact form for table cells: "in 3 h 12 min" / "2 days ago"."""
    delta = _difference(at, now)
    text = format_duration(delta)
    return f"in {text}" if delta.total_seconds() >= 0 else f"{text} ago"


def _far(at: datetime) -> str:
    return FAR_FUTURE if at.year > 5000 else FAR_PAST


def _stamp(at: datetime) -> str:
    # By hand: strftime's %Y is not zero-padded below the year 1000 on every platform.
    return (
        f"{at.year:04d}-{at.month:02d}-{at.day:02d} {at.hour:02d}:{at.minute:02d}:{at.second:02d}"
    )


def utc_iso(at: datetime) -> str:
    """ISO 8601 in UTC with a Z, seconds precision; clamped to the calendar (always ISO 8601)."""
    aware = _aware(at)
    try:
        utc = aware.astimezone(UTC)
    except OverflowError:
        return "9999-12-31T23:59:59Z" if aware.year > 5000 else "0001-01-01T00:00:00Z"
    return _stamp(utc).replace(" ", "T") + "Z"


def local_text(at: datetime) -> str:
    """Local wall-clock time with the zone's name; "far future (...)" beyond the calendar."""
    aware = _aware(at)
    try:
        local = aware.astimezone()
    except (OverflowError, OSError, ValueError):
        return _far(aware)
    return f"{_stamp(local)} {local.tzname() or ''}".rstrip()


def lifetime_text(lifetime: timedelta) -> str:
    """A key's lifetime as people say it: "1 year", "90 days", "1 day" (a lifetime read from a
    creation and an expiry time is a whole number of days give or take a little, a year 365
    or 366 days); anything else as `format_duration` says it."""
    seconds = lifetime.total_seconds()
    days = round(seconds / 86400)
    if days < 1 or abs(seconds - days * 86400) >= 3600:
        return format_duration(lifetime)
    years, spare = divmod(days, 365)
    if years and spare <= years // 4 + 1:  # leap days
        return "1 year" if years == 1 else f"{years} years"
    return "1 day" if days == 1 else f"{days} days"
