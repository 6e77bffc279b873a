"""An iCalendar file (RFC 5545) of expiries: one event per credential, with an alarm.

Written by hand (it is a dozen properties) rather than with a library, and read back in the
tests with one (`icalendar`). Text is escaped (backslash, semicolon, comma, newlines), other
control characters are dropped (a credential's label can hold anything a platform sent), lines
are folded at 75 octets on character boundaries, and every line ends with CRLF."""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

PRODID = "-//TokenDeck//Expiries//EN"
CALENDAR_NAME = "TokenDeck expiries"
EVENT_LENGTH = timedelta(minutes=15)  # an expiry is a moment; calendars draw a short event
FOLD_AT = 75  # octets per line, the CRLF not counted (RFC 5545 §3.1)


@dataclass(frozen=True, slots=True)
class CalendarEvent:
    uid: str
    summary: str
    description: str
    at: datetime  # timezone-aware
    alarm_before: timedelta | None  # None: no alarm


def to_ical(events: Sequence[CalendarEvent], stamp: datetime) -> str:
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{_text(CALENDAR_NAME)}",
    ]
    for event in events:
        lines += [
            "BEGIN:VEVENT",
            f"UID:{_text(event.uid)}",
            f"DTSTAMP:{_utc(stamp)}",
            f"DTSTART:{_utc(event.at)}",
            f"DTEND:{_utc(event.at + EVENT_LENGTH)}",
            f"SUMMARY:{_text(event.summary)}",
            f"DESCRIPTION:{_text(event.description)}",
            "CATEGORIES:TokenDeck",
            "TRANSP:TRANSPARENT",  # an expiry does not make a person busy
        ]
        if event.alarm_before is not None:
            lines += [
                "BEGIN:VALARM",
                "ACTION:DISPLAY",
                f"DESCRIPTION:{_text(event.summary)}",
                f"TRIGGER:-{duration(event.alarm_before)}",
                "END:VALARM",
            ]
        lines.append("END:VEVENT")
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def duration(span: timedelta) -> str:
    """An RFC 5545 duration of a non-negative span, e.g. P7D, PT1H, P1DT2H30M."""
    seconds = max(0, int(span.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    clock = "".join(
        f"{value}{unit}" for value, unit in ((hours, "H"), (minutes, "M"), (seconds, "S")) if value
    )
    if days and not clock:
        return f"P{days}D"
    return f"P{days}DT{clock}" if days else f"PT{clock or '0S'}"


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _text(value: str) -> str:
    """A TEXT value: escaped, newlines as \\n, every other control or format character gone."""
    out = []
    for char in value.replace("\r\n", "\n"):
        if char == "\n":
            out.append("\\n")
        elif char in "\\;,":
            out.append("\\" + char)
        elif unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp"):
            continue
        else:
            out.append(char)
    return "".join(out)


def _fold(line: str) -> str:
    """Lines of at most FOLD_AT octets, continued with CRLF + one space, never inside a
    character's UTF-8 bytes."""
    parts: list[str] = []
    current: list[str] = []
    size, limit = 0, FOLD_AT
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            parts.append("".join(current))
            current, size, limit = [], 0, FOLD_AT - 1  # the leading space counts
        current.append(char)
        size += width
    parts.append("".join(current))
    return "\r\n ".join(parts)
