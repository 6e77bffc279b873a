"""The notification fallback chain when no desktop notification service runs (the test session
has none): the tray, then the window. The D-Bus route itself is not exercised here."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from tests.conftest import need_desktop
from tokendeck.ui.notifier import Notifier
from tokendeck.ui.tray import Tray


def test_falls_back_to_the_tray_then_the_window(qtbot: QtBot) -> None:
    need_desktop("trayer")
    shown: list[str] = []
    qtbot.waitUntil(Tray.available, timeout=10_000)
    tray = Tray()
    tray.show()
    notifier = Notifier(tray, shown.append)
    assert notifier.notify("title", "text", "cred-2") == "tray"
    assert tray.messages[-1] == ("title", "text")
    tray.hide()
    windowless = Notifier(None, shown.append)
    assert windowless.notify("only", "here") == "window"
    assert shown == ["only — here"]
