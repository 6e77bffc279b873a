"""Human phrases for times and durations ("expires in 3 h 12 min", "expired 2 days ago")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

_UNITS = (("day", 86400), ("h", 3600), ("min", 60), ("s", 1))


def format_duration(delta: timedelta, *, parts: int = 2) -> str:
    """`timedelta(hours=3, minutes=12)` -> "3 h 12 min": `parts` units from the largest non-zero one."""
    remaining = int(abs(delta.total_seconds()))
    if remaining == 0:
        return "0 s"
    counts: list[tuple[str, int]] = []
    for name, size in _UNITS:
        count, remaining = divmod(remaining, size)
        counts.append((name, count))
    first = next(i for i, (_, count) in enumerate(counts) if count)
    return " ".join(
        f"{count} {name}s" if name == "day" and count != 1 else f"{count} {name}"
        for name, count in counts[first : first + parts]
        if count
    )


def relative_phrase(at: datetime, now: datetime, *, future: str, past: str) -> str:
    """`relative_phrase(exp, now, future="expires", past="expired")` -> "expires in 3 h 12 min"."""
    delta = at - now
    if delta.total_seconds() >= 0:
        return f"{future} in {format_duration(delta)}"
    return f"{past} {format_duration(delta)} ago"


def countdown(at: datetime, now: datetime) -> str:
    """Compact form for table cells: "in 3 h 12 min" / "2 days ago"."""
    delta = at - now
    text = format_duration(delta)
    return f"in {text}" if delta.total_seconds() >= 0 else f"{text} ago"


def utc_iso(at: datetime) -> str:
    """ISO 8601 in UTC with a Z, seconds precision."""
    return at.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def local_text(at: datetime) -> str:
    return at.astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
