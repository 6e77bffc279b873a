"""File > Export expiries to calendar…: the file chosen in the save dialog gets the calendar
(".ics" added when no suffix is typed), the status bar says how many expiries; a file that
cannot be written is said in the banner and nothing is lost."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import icalendar
import jwt
import pytest

from tests.ui.conftest import run
from tests.ui.test_account_dialog_sign_in import start, stop
from tests.ui.visible import answer_save_dialogs, until
from tokendeck.core.secret import Secret
from tokendeck.storage.profile import Profile
from tokendeck.ui.main_window import MainWindow


def _token(days: int) -> Secret:
    now = int(time.time())
    claims = {"sub": "calendar", "iat": now, "exp": now + days * 86400}
    return Secret(jwt.encode(claims, "calendar-ui-" + "k" * 32, algorithm="HS256"))


def test_the_menu_exports_the_calendar_to_the_file_chosen(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    chosen = tmp_path / "my-expiries"
    answer_save_dialogs(monkeypatch, chosen)

    async def scenario() -> None:
        services = await start(window, profile)
        try:
            await services.tokens.track("Partner token", _token(5))
            window.calendar_action.trigger()
            written = chosen.with_suffix(".ics")
            await until(lambda: "Exported 1 expiry" in window.status_message.text(), "said")
            assert str(written) in window.status_message.text()
            [event] = icalendar.Calendar.from_ical(written.read_bytes()).walk("VEVENT")
            assert "Partner token" in str(event["SUMMARY"])

            answer_save_dialogs(monkeypatch, tmp_path / "no-such-dir" / "x.ics")
            window.calendar_action.trigger()
            banner = window.accounts_tab.banner
            await until(lambda: "Could not write x.ics" in banner.text.text(), "the banner says")
            assert banner.isVisible()
        finally:
            await stop(window, services)

    run(qloop, scenario())


def test_the_window_s_calendar_days_are_the_door_s() -> None:
    """The frame names the days without importing the door (ui/main_window.py)."""
    from tokendeck.services import door
    from tokendeck.ui import main_window

    assert main_window.CALENDAR_DAYS == door.CALENDAR_DAYS
