"""A token that expires soon makes the real app (its own process, started hidden in the real
tray) show a notification balloon; clicking the balloon with the X mouse opens the window.

Which tab and row that window then shows is not visible from outside the process: that the
click opens it on the Tokens tab with that token selected and on screen is checked in-process,
through the same balloon and the tray menu, by tests/ui/test_tray.py."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.conftest import ROOT, need_desktop, need_secret_service
from tests.e2e.desktop import (
    RunningApp,
    launch,
    unexpected_stderr,
    wait_until,
    window_tree,
    xdotool,
)
from tests.prompts import KeyringOnly as NoPrompt
from tests.tokens import claims, hs256
from tokendeck.core.secret import Secret
from tokendeck.services.app_services import AppServices

pytestmark = pytest.mark.e2e


@pytest.fixture
def apps() -> Iterator[list[RunningApp]]:
    started: list[RunningApp] = []
    yield started
    for app in started:
        app.kill()


async def _prepare(profile: Path) -> None:
    services = await AppServices.start(
        profile / "catalog.sqlite3", profile / "vault.tdvault", NoPrompt()
    )
    token, _ = hs256(claims(lifetime=300, sub="ci-bot"))
    await services.tokens.track("CI deploy token", Secret(token))
    await services.aclose()


def _balloon() -> int | None:
    """The notification balloon: a small top-level TokenDeck window outside the tray panel."""
    for line in window_tree().splitlines():
        indent = len(line) - len(line.lstrip())
        if indent != 5 or '("tokendeck" "TokenDeck")' not in line:
            continue
        size = next((p for p in line.split() if "x" in p and "+" in p), "")
        width, height = (int(v) for v in size.split("+")[0].split("x"))
        if 100 < width < 800 and 30 < height < 200:
            return int(line.split()[0], 16)
    return None


def test_notification_on_the_real_tray_and_click_opens_the_window(
    tmp_path: Path, qtbot: QtBot, apps: list[RunningApp]
) -> None:
    need_desktop("xdotool", "xwininfo", "trayer")
    need_secret_service()
    profile = tmp_path / "profile"
    asyncio.run(_prepare(profile))
    app = launch(profile, "--minimized")
    apps.append(app)
    log = profile / "logs" / "tokendeck.log"
    wait_until(
        lambda: "notification (" in (log.read_text() if log.exists() else ""), "a notification"
    )
    # No notification daemon runs in the test session: the tray's balloon is the route.
    assert "notification (tray): “CI deploy token” expires in" in log.read_text()
    assert not xdotool("search", "--onlyvisible", "--name", "^TokenDeck$"), "started hidden"
    balloon = wait_until(_balloon, "the notification balloon on screen")
    shot = QGuiApplication.primaryScreen().grabWindow(0)
    (ROOT / "bench" / "out").mkdir(parents=True, exist_ok=True)
    shot.save(str(ROOT / "bench" / "out" / "e2e-notification.png"))
    xdotool("mousemove", "--window", str(balloon), "40", "20", "click", "1")
    wait_until(
        lambda: xdotool("search", "--onlyvisible", "--name", "^TokenDeck$"),
        "the window opened by clicking the notification",
        10,
    )
    app.process.terminate()
    code, err = app.stop()
    assert code == 0
    assert unexpected_stderr(err) == []
