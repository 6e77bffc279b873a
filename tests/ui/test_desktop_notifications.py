"""With a real notification daemon on the test display (dunst, started here on the private bus
of scripts/desktop-session) and the tray still there: an expiry warning goes to the desktop's
notifications, not to a tray balloon, while the tray icon keeps following the credentials; and
the notification's action, invoked through the daemon (`dunstctl action`, as a click on it),
opens the window on the Tokens tab with that token selected."""

from __future__ import annotations

import asyncio
import logging
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.conftest import need_secret_service
from tests.notification_daemon import dunstctl, running_dunst
from tests.ui.conftest import new_window, run
from tests.ui.test_tray import (
    app_services,
    keep_tokens,
    shows_soon_selected,
    stop_app,
    tray,  # noqa: F401 - the fixture
    wire_like_bootstrap,
)
from tests.ui.visible import balloon, until
from tokendeck.storage.profile import Profile
from tokendeck.ui.icons import TrayState
from tokendeck.ui.tray import Tray


@pytest.fixture
def dunst(tmp_path: Path) -> Iterator[subprocess.Popen[str]]:
    with running_dunst(tmp_path) as daemon:
        yield daemon


def test_a_warning_goes_to_the_desktop_and_its_action_opens_the_token(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    profile: Profile,
    tray: Tray,  # noqa: F811 - the fixture
    dunst: subprocess.Popen[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    need_secret_service()
    asyncio.run(keep_tokens(profile))
    window = new_window(qtbot, profile, has_tray=True)
    wire_like_bootstrap(window, tray)

    async def scenario() -> None:
        assert not window.isVisible(), "started hidden, in the tray"
        services = await app_services(profile, window, tray)
        try:
            caplog.set_level(logging.INFO, "tokendeck.ui.expiry_alerts")
            await until(lambda: dunstctl("count", "displayed") == "1", "the desktop's notice")
            # Sent, and its id known to desktop-notifier: an action the daemon reports before
            # the answer to Notify has been handled is dropped by desktop-notifier (its map
            # from the daemon's id to the notification is written after that answer).
            await until(lambda: "notification (desktop)" in caplog.text, "the send finished")
            await until(lambda: tray.state is TrayState.WARNING, "the tray turned orange")
            assert tray.messages == [], "no balloon as well"
            assert balloon() is None
            await until(lambda: window.tokens_tab.model.rowCount() > 1, "the tokens listed")
            assert not window.isVisible()
            dunstctl("action", "0")  # what a click on the notification does
            await until(lambda: shows_soon_selected(window), "the window open on the token")
        finally:
            await stop_app(services)

    run(qloop, scenario())
