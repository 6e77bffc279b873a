"""The real `tokendeck` process on the real X display, with trayer as the system tray."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QGuiApplication
from pytestqt.qtbot import QtBot

from tests.conftest import ROOT, need_desktop
from tests.e2e.desktop import (
    RunningApp,
    launch,
    press,
    tray_icon_embedded,
    unexpected_stderr,
    viewable,
    wait_for_window,
    wait_until,
    xdotool,
)

pytestmark = pytest.mark.e2e
SHOTS = ROOT / "bench" / "out"


@pytest.fixture
def apps() -> Iterator[list[RunningApp]]:
    started: list[RunningApp] = []
    yield started
    for app in started:
        app.kill()


def test_window_and_tray_then_clean_quit(
    tmp_path: Path, qtbot: QtBot, apps: list[RunningApp]
) -> None:
    need_desktop("xdotool", "xwininfo", "trayer")
    app = launch(tmp_path / "profile")
    apps.append(app)
    window = wait_for_window()
    assert xdotool("getwindowname", str(window)) == "TokenDeck"
    wait_until(tray_icon_embedded, "the tray icon embedded in trayer's panel", 10)
    wait_until(lambda: viewable(window), "the window viewable", 10)
    screen = QGuiApplication.primaryScreen()
    shot = screen.grabWindow(window)
    assert not shot.isNull() and shot.width() > 600
    SHOTS.mkdir(parents=True, exist_ok=True)
    assert shot.save(str(SHOTS / "e2e-launch.png"))
    press(window, "ctrl+q")
    code, err = app.stop()
    assert code == 0, err
    assert unexpected_stderr(err) == []
    log = (tmp_path / "profile" / "logs" / "tokendeck.log").read_text()
    assert "window shown (tray: yes)" in log
    assert "TokenDeck stopped" in log
    assert "Traceback" not in log


def test_second_launch_raises_the_first_and_exits_0(tmp_path: Path, apps: list[RunningApp]) -> None:
    need_desktop("xdotool")
    first = launch(tmp_path / "profile")
    apps.append(first)
    window = wait_for_window()
    press(window, "ctrl+w")
    wait_until(
        lambda: not xdotool("search", "--onlyvisible", "--name", "^TokenDeck$"),
        "Ctrl+W hid the window",
        10,
    )
    second = launch(tmp_path / "profile")
    apps.append(second)
    code, err = second.stop(timeout=20)
    assert code == 0
    assert "already running" in err
    assert wait_for_window(timeout=10) == window
    press(window, "ctrl+q")
    code, err = first.stop()
    assert code == 0, err


def test_sigterm_quits_cleanly(tmp_path: Path, apps: list[RunningApp]) -> None:
    need_desktop("xdotool")
    app = launch(tmp_path / "profile")
    apps.append(app)
    wait_for_window()
    app.process.terminate()
    code, err = app.stop()
    assert code == 0
    assert unexpected_stderr(err) == []
