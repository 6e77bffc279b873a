from __future__ import annotations

from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from tokendeck.storage.profile import Profile
from tokendeck.ui.empty_state import EmptyState
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.ticker import Ticker


def _window(qtbot: QtBot, profile: Profile, *, has_tray: bool) -> MainWindow:
    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    window = MainWindow(Ticker(), settings, has_tray=has_tray)
    qtbot.addWidget(window)
    return window


def test_tabs_and_empty_states(qtbot: QtBot, profile: Profile) -> None:
    window = _window(qtbot, profile, has_tray=False)
    window.show()
    qtbot.waitExposed(window)
    assert window.windowTitle() == "TokenDeck"
    assert [window.tabs.tabText(i).replace("&", "") for i in range(3)] == [
        "Accounts",
        "API keys",
        "Tokens",
    ]
    titles = [w.accessibleName() for w in window.findChildren(EmptyState)]
    assert "No accounts yet" in titles
    assert "No account with API keys" in titles
    assert "No tokens held yet" in titles
    assert window.statusBar().isVisible()


def test_close_without_tray_requests_quit(qtbot: QtBot, profile: Profile) -> None:
    window = _window(qtbot, profile, has_tray=False)
    window.show()
    with qtbot.waitSignal(window.quit_requested, timeout=1000):
        window.close()


def test_close_with_tray_hides_and_notices_once(qtbot: QtBot, profile: Profile) -> None:
    window = _window(qtbot, profile, has_tray=True)
    window.show()
    with qtbot.waitSignal(window.tray_notice, timeout=1000):
        window.close()
    assert not window.isVisible()
    window.show()
    with qtbot.assertNotEmitted(window.tray_notice):
        window.close()
    assert not window.isVisible()


def test_window_state_is_remembered(qtbot: QtBot, profile: Profile) -> None:
    window = _window(qtbot, profile, has_tray=False)
    window.resize(900, 640)
    window.tabs.setCurrentIndex(2)
    window.save_state()
    again = _window(qtbot, profile, has_tray=False)
    assert again.tabs.currentIndex() == 2
    assert again.size().width() == 900


def test_gc_guard_collects_on_the_gui_thread(qtbot: QtBot) -> None:
    import gc

    from tokendeck.ui.gc_guard import MainThreadGC

    guard = MainThreadGC(interval_ms=10)
    try:
        assert not gc.isenabled()
        garbage = []
        for _ in range(2000):
            cycle: list[object] = []
            cycle.append(cycle)
            garbage.append(cycle)
        del garbage, cycle
        qtbot.waitUntil(lambda: gc.get_count()[0] < 700, timeout=2000)
    finally:
        guard.stop()
    assert gc.isenabled()


def test_column_widths_are_remembered(qtbot: QtBot, profile: Profile) -> None:
    window = _window(qtbot, profile, has_tray=False)
    window.accounts_tab.view.setColumnWidth(0, 333)
    window.keys_tab.view.setColumnWidth(1, 222)
    window.save_state()
    again = _window(qtbot, profile, has_tray=False)
    assert again.accounts_tab.view.columnWidth(0) == 333
    assert again.keys_tab.view.columnWidth(1) == 222
