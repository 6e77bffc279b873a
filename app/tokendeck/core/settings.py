"""User settings (no secrets here): warning thresholds, clipboard timeout, start-up, store, theme."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import timedelta
from enum import StrEnum

_UNIT_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_PART = re.compile(r"^(\d+)\s*([wdhms])$")


class StorePreference(StrEnum):
    AUTO = "auto"
    VAULT = "vault"


class Theme(StrEnum):
    SYSTEM = "system"  # follow the desktop's light or dark
    LIGHT = "light"
    DARK = "dark"


DEFAULT_THRESHOLDS = (
    timedelta(days=7),
    timedelta(days=1),
    timedelta(hours=1),
    timedelta(minutes=10),
)


@dataclass(frozen=True, slots=True)
class AppSettings:
    thresholds: tuple[timedelta, ...] = DEFAULT_THRESHOLDS
    clipboard_seconds: int = 20
    start_minimized: bool = False
    auto_refresh: bool = True
    store: StorePreference = StorePreference.AUTO
    theme: Theme = Theme.SYSTEM
    extra: dict[str, str] = field(default_factory=dict)


def parse_thresholds(text: str) -> tuple[timedelta, ...]:
    """ "7d, 1d, 1h, 10m" -> thresholds, longest first. Raises ValueError with a clear message."""
    parts = [p.strip().lower() for p in re.split(r"[,\s]+", text) if p.strip()]
    if not parts:
        raise ValueError("Give at least one threshold, e.g. 7d, 1d, 1h, 10m.")
    out: set[timedelta] = set()
    for part in parts:
        match = _PART.match(part)
        if not match or int(match.group(1)) == 0:
            raise ValueError(f"'{part}' is not a duration like 7d, 12h, 30m or 90s.")
        out.add(timedelta(seconds=int(match.group(1)) * _UNIT_SECONDS[match.group(2)]))
    if len(out) > 12:
        raise ValueError("At most 12 thresholds.")
    return tuple(sorted(out, reverse=True))


def format_thresholds(thresholds: tuple[timedelta, ...]) -> str:
    def one(delta: timedelta) -> str:
        seconds = int(delta.total_seconds())
        for unit in ("w", "d", "h", "m"):
            if seconds % _UNIT_SECONDS[unit] == 0:
                return f"{seconds // _UNIT_SECONDS[unit]}{unit}"
        return f"{seconds}s"

    return ", ".join(one(t) for t in thresholds)
