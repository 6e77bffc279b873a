"""Upcoming expiries as a calendar: `tokendeck calendar` and the window's export (the door) write
one event per key or token a person replaces within the horizon, with an alarm at its first
warning threshold, and never a secret; read back with a calendar library."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
import jwt
import pytest

from tokendeck.cli import DEFAULT_CALENDAR_DAYS, MAX_CALENDAR_DAYS
from tokendeck.core.errors import LocalStorageError
from tokendeck.core.models import Account, AccountSettings, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.settings import DEFAULT_THRESHOLDS
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services import expiry_calendar
from tokendeck.services.app_services import AppServices
from tokendeck.services.door import Door
from tokendeck.services.standing import ExpiryPolicy
from tokendeck.storage.profile import Profile

DAY = 86400


def _pasted(days: float, subject: str) -> Secret:
    now = int(time.time())
    claims = {"sub": subject, "iat": now, "exp": now + int(days * DAY)}
    return Secret(jwt.encode(claims, "calendar-test-" + "k" * 32, algorithm="HS256"))


def _calendar(profile: Path, *options: str) -> tuple[icalendar.Calendar, str, str]:
    done = subprocess.run(
        [sys.executable, "-m", "tokendeck", "--profile", str(profile), "calendar", *options],
        capture_output=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = done.stdout.decode()
    return icalendar.Calendar.from_ical(text), text, done.stderr.decode()


def _summaries(calendar: icalendar.Calendar) -> list[str]:
    return [str(e["SUMMARY"]) for e in calendar.walk("VEVENT")]


async def _catalog(services: AppServices, world: SandboxWorld) -> dict[str, Secret]:
    """A signed-in account whose session renews itself, with its own thresholds and an API key
    (1 year); pasted tokens expiring in 10 and 200 days, and one expired."""
    account = await services.accounts.add(
        Account(
            id="",
            name="Dataloop prod",
            platform=Platform.DATALOOP,
            host=world.urls["dataloop"],
            settings=AccountSettings(warn_thresholds=(3 * DAY, 3600)),
        ),
        {"username": DEMO_USER},
        {"password": Secret(world.password)},
    )
    account = await services.sessions.sign_in(account)
    _, key = await services.keys.create_key(account, "CI bot", None, ())
    soon, later, gone = _pasted(10, "soon"), _pasted(200, "later"), _pasted(-1, "gone")
    await services.tokens.track("Customer token, soon", soon)
    await services.tokens.track("Customer token, later", later)
    await services.tokens.track("Customer token, gone", gone)
    return {"key": key, "soon": soon, "later": later, "gone": gone}


def _no_secret_in(text: str, secrets: dict[str, Secret], services_password: str) -> None:
    for secret in [*secrets.values(), Secret(services_password)]:
        assert secret.reveal() not in text
        assert secret.reveal()[:24] not in text.replace("\r\n ", "")


async def test_the_command_writes_what_a_person_replaces_within_the_days(
    services: AppServices, world: SandboxWorld, profile: Profile
) -> None:
    secrets = await _catalog(services, world)
    calendar, text, said = _calendar(profile.data_dir)
    assert _summaries(calendar) == ["Pasted token “Customer token, soon” expires"]
    [event] = calendar.walk("VEVENT")
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == -timedelta(days=7)  # Settings' widest threshold
    assert "1 expiry in the next 90 days" in said
    _no_secret_in(text, secrets, world.password)

    year, text, _ = _calendar(profile.data_dir, "--days", "400")
    assert _summaries(year) == [
        "Pasted token “Customer token, soon” expires",
        "Pasted token “Customer token, later” expires",
        "API key “CI bot” of Dataloop prod expires",
    ]
    key_event = year.walk("VEVENT")[2]
    assert key_event.walk("VALARM")[0].decoded("TRIGGER") == -timedelta(days=3)  # the account's
    assert "Platform: Dataloop" in str(key_event["DESCRIPTION"])
    _no_secret_in(text, secrets, world.password)


async def test_the_windows_export_writes_the_same_file(
    services: AppServices, world: SandboxWorld, tmp_path: Path
) -> None:
    await _catalog(services, world)
    door = Door.of(services)
    path = tmp_path / "expiries.ics"
    assert await door.export_calendar(path, 400) == 3
    calendar = icalendar.Calendar.from_ical(path.read_bytes())
    assert len(_summaries(calendar)) == 3
    assert path.stat().st_mode & 0o077 == 0
    # With automatic refresh off a session warns, but its hourly (here daily) expiry is not
    # a calendar event: it would be stale at its next sign-in.
    services.apply(DEFAULT_THRESHOLDS, auto_refresh=False)
    assert await door.export_calendar(path, 400) == 3


def test_a_long_label_is_cut_in_the_title() -> None:
    held = ExpiryPolicy().hold(
        Credential(
            id="c1",
            kind=CredentialKind.PASTED_TOKEN,
            label="x" * 5000,
            expires_at=datetime.now(UTC) + timedelta(days=2),
        ),
        None,
    )
    event = expiry_calendar.event_of(held)
    assert len(event.summary) < expiry_calendar.LABEL_AT_MOST + 40
    assert "…" in event.summary


async def test_a_file_that_cannot_be_written_says_why(
    services: AppServices, tmp_path: Path
) -> None:
    door = Door.of(services)
    with pytest.raises(LocalStorageError, match=r"Could not write expiries\.ics"):
        await door.export_calendar(tmp_path / "missing" / "expiries.ics", 90)


def test_the_command_line_knows_the_services_limits() -> None:
    assert DEFAULT_CALENDAR_DAYS == expiry_calendar.DEFAULT_DAYS
    assert MAX_CALENDAR_DAYS == expiry_calendar.MAX_DAYS
