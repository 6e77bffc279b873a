"""A call the main window defers to the next turn of the loop (recolouring after a palette
change, handing the accounts to a tab) dies with the window: a window deleted before it runs
(a theme change as it closes) must not raise "Internal C++ object already deleted" (seen in CI,
test_layout_geometry's dark pass)."""

from __future__ import annotations

import shiboken6
from PySide6.QtCore import QEvent, QSettings
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tokendeck.services.door import Door
from tokendeck.storage.profile import Profile
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.ticker import Ticker


def test_a_palette_change_then_deletion_runs_nothing_on_the_dead_window(
    qtbot: QtBot, profile: Profile
) -> None:
    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    ticker = Ticker()
    window = MainWindow(Door(), ticker, settings, has_tray=False)  # deleted by the test itself
    QApplication.sendEvent(window, QEvent(QEvent.Type.PaletteChange))
    shiboken6.delete(window)
    qtbot.wait(50)  # pytest-qt fails the test on an exception raised in the loop meanwhile
    ticker.stop()
