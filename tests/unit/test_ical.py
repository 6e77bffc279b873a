"""The iCalendar writer (core/ical), read back with a calendar library (icalendar): hostile labels
(separators, newlines, control characters, HTML, long and wide text) come back as written,
folded lines stay within 75 octets, durations are RFC 5545's."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from tokendeck.core.ical import FOLD_AT, CalendarEvent, duration, to_ical

STAMP = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
AT = datetime(2026, 12, 20, 9, 30, tzinfo=UTC)


def _read(text: str) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(text)


def _event(summary: str, description: str = "", alarm: timedelta | None = None) -> CalendarEvent:
    return CalendarEvent("k1-1@tokendeck", summary, description, AT, alarm)


def test_an_event_reads_back_with_its_alarm() -> None:
    text = to_ical([_event("API key “CI” expires", "Platform: Dataloop", timedelta(days=7))], STAMP)
    calendar = _read(text)
    assert calendar["PRODID"] == "-//TokenDeck//Expiries//EN"
    [event] = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "API key “CI” expires"
    assert str(event["DESCRIPTION"]) == "Platform: Dataloop"
    assert event.decoded("DTSTART") == AT
    assert event.decoded("DTSTAMP") == STAMP
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=7)
    assert str(alarm["ACTION"]) == "DISPLAY"
    assert text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")


def test_no_alarm_when_none_is_asked() -> None:
    [event] = _read(to_ical([_event("x")], STAMP)).walk("VEVENT")
    assert not event.walk("VALARM")


@pytest.mark.parametrize(
    "label",
    [
        "a, b; c \\ d",
        "line one\nline two\r\nline three",
        '<script>alert(1)</script> & "quotes"',
        "BEGIN:VEVENT\nEND:VCALENDAR",
        "emoji 🔑 and 中文 " * 12,
    ],
)
def test_hostile_text_comes_back_as_written(label: str) -> None:
    [event] = _read(to_ical([_event(label, label)], STAMP)).walk("VEVENT")
    expected = label.replace("\r\n", "\n")
    assert str(event["SUMMARY"]) == expected
    assert str(event["DESCRIPTION"]) == expected


def test_control_characters_are_dropped_not_written() -> None:
    text = to_ical([_event("bell\x07 esc\x1b[31m nul\x00 rtl\u202e end")], STAMP)
    [event] = _read(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == "bell esc[31m nul rtl end"
    assert not any(ord(c) < 32 and c not in "\r\n" for c in text)


@given(st.text(max_size=400))
def test_any_label_folds_within_75_octets_and_reads_back(label: str) -> None:
    text = to_ical([_event(label, label)], STAMP)
    for line in text.split("\r\n"):
        assert len(line.encode()) <= FOLD_AT
    [event] = _read(text).walk("VEVENT")
    assert str(event["UID"]) == "k1-1@tokendeck"


@pytest.mark.parametrize(
    ("span", "text"),
    [
        (timedelta(days=7), "P7D"),
        (timedelta(hours=1), "PT1H"),
        (timedelta(days=1, hours=2, minutes=30), "P1DT2H30M"),
        (timedelta(seconds=90), "PT1M30S"),
        (timedelta(0), "PT0S"),
    ],
)
def test_durations(span: timedelta, text: str) -> None:
    assert duration(span) == text
    assert icalendar.vDuration.from_ical(text) == span
