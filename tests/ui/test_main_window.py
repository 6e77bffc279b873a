"""The main window as a person meets it: its three tabs and their empty pages, closing it with
and without a tray (the File menu), and what it remembers the next time. Sizes are taken
from the screen the test display has, never assumed."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtCore import QSize
from pytestqt.qtbot import QtBot

from tests.prompts import NoPrompt
from tests.ui.conftest import connect, new_window, run
from tests.ui.visible import click_tab, menu_bar_choose, resize_to, until, visible_labels
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile
from tokendeck.ui.main_window import MainWindow


def shown(qtbot: QtBot, window: MainWindow) -> MainWindow:
    window.show()
    qtbot.waitExposed(window)
    return window


def test_tabs_and_empty_states(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile
) -> None:
    assert window.windowTitle() == "TokenDeck"
    assert [window.tabs.tabText(i).replace("&", "") for i in range(3)] == [
        "Accounts",
        "API keys",
        "Tokens",
    ]
    # Before the services start, nothing claims the profile is empty.
    for tab, title in (
        ("Accounts", "Loading accounts…"),
        ("API keys", "Loading accounts…"),
        ("Tokens", "Loading tokens…"),
    ):
        click_tab(window.tabs, tab)
        assert title in visible_labels(window), (tab, visible_labels(window))
        assert "No accounts yet" not in visible_labels(window)
        assert "No tokens held yet" not in visible_labels(window)
    assert window.statusBar().isVisible()
    assert window.store_label.isVisible()
    assert window.store_label.text() == "Secret store: starting…"

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        try:
            connect(window, services)
            for tab, title in (
                ("Accounts", "No accounts yet"),
                ("API keys", "No account with API keys"),
                ("Tokens", "No tokens held yet"),
            ):
                click_tab(window.tabs, tab)
                await until(lambda title=title: title in visible_labels(window), title)
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_close_without_tray_requests_quit(
    qloop: asyncio.AbstractEventLoop, window: MainWindow
) -> None:
    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))

    async def scenario() -> None:
        await menu_bar_choose(window, "File", "Close window")
        await until(lambda: quits == [True], "quit requested")

    run(qloop, scenario())


def test_close_with_tray_hides_and_notices_once(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile
) -> None:
    window = shown(qtbot, new_window(qtbot, profile, has_tray=True))
    notices: list[str] = []
    window.tray_notice.connect(lambda title, _text: notices.append(title))
    quits: list[bool] = []
    window.quit_requested.connect(lambda: quits.append(True))

    async def scenario() -> None:
        await menu_bar_choose(window, "File", "Close window")
        await until(lambda: not window.isVisible(), "hidden in the tray")
        assert notices == ["TokenDeck is still running"]
        shown(qtbot, window)
        await menu_bar_choose(window, "File", "Close window")
        await until(lambda: not window.isVisible(), "hidden in the tray again")
        assert notices == ["TokenDeck is still running"], "said once"
        assert not quits

    run(qloop, scenario())


def test_window_state_is_remembered(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile
) -> None:
    """The tab shown and the window's size come back after Quit, whatever the screen."""
    window = shown(qtbot, new_window(qtbot, profile))

    async def scenario() -> QSize:
        room = window.screen().availableGeometry().size()
        wanted = QSize(room.width() * 3 // 4, room.height() * 3 // 4)
        size = await resize_to(window, wanted)
        assert size.width() <= room.width() and size.height() <= room.height()
        click_tab(window.tabs, "Tokens")
        await menu_bar_choose(window, "File", "Quit")
        return size

    size = run(qloop, scenario())
    again = shown(qtbot, new_window(qtbot, profile))
    assert again.tabs.tabText(again.tabs.currentIndex()).replace("&", "") == "Tokens"
    assert "Loading tokens…" in visible_labels(again)
    assert again.size() == size


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


def test_gc_guard_runs_a_full_collection_at_most_once_a_minute(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tokendeck.ui import gc_guard

    now = [1000.0]
    collected: list[int] = []
    guard = gc_guard.MainThreadGC(interval_ms=3_600_000, clock=lambda: now[0])
    try:
        with monkeypatch.context() as patch:
            patch.setattr(gc_guard.gc, "get_count", lambda: (10**6, 10**6, 10**6))
            patch.setattr(gc_guard.gc, "collect", collected.append)
            for _ in range(5):  # every check wants a full collection
                guard.check()
                now[0] += gc_guard.FULL_EVERY / 4
            guard.check()  # 1.25 minutes after the start
    finally:
        guard.stop()
    assert collected == [1, 1, 1, 1, 2, 1]


def test_column_widths_a_person_chose_are_remembered(qtbot: QtBot, profile: Profile) -> None:
    """A dragged width is what the column wants from then on; the name column takes the width
    left over, so a drag of it is not kept."""
    from tokendeck.ui.accounts_model import AccountColumn
    from tokendeck.ui.keys_model import KeyColumn

    window = new_window(qtbot, profile)
    window.accounts_tab.view.setColumnWidth(AccountColumn.STATUS, 150)
    window.accounts_tab.view.setColumnWidth(AccountColumn.NAME, 333)  # what is left: not kept
    window.keys_tab.view.setColumnWidth(KeyColumn.STATE, 222)
    window.save_state()
    again = new_window(qtbot, profile)
    again.show()
    qtbot.waitExposed(again)
    assert again.accounts_tab.columns.chosen() == {AccountColumn.STATUS: 150}
    qtbot.waitUntil(lambda: again.accounts_tab.view.columnWidth(AccountColumn.STATUS) == 150)
    again.show_tab(again.keys_tab)
    qtbot.waitUntil(lambda: again.keys_tab.view.columnWidth(KeyColumn.STATE) == 222)


def test_the_accounts_order_comes_back_before_the_first_rows(
    qtbot: QtBot, profile: Profile
) -> None:
    """The order a title's click gave is kept, and the next window's rows come in it before
    the event loop turns (the `Qt` namespace its header's order needs is made after the first
    rows: see ui/probes.py); the title shows the arrow once the loop has turned. A header state
    saved without the order beside it (an earlier release) still gives its order."""
    from PySide6.QtCore import Qt

    from tokendeck.ui.accounts_model import AccountColumn
    from tokendeck.ui.main_window import ACCOUNTS_SORT_KEY

    window = new_window(qtbot, profile)
    view = window.accounts_tab.view
    qtbot.waitUntil(view.isSortingEnabled)
    view.sortByColumn(AccountColumn.EXPIRY, Qt.SortOrder.DescendingOrder)
    assert window.accounts_tab.model.sorted_by() == (AccountColumn.EXPIRY, True)
    window.save_state()
    window._settings.sync()

    again = new_window(qtbot, profile)
    assert again.accounts_tab.model.sorted_by() == (AccountColumn.EXPIRY, True)
    assert not again.accounts_tab.view.isSortingEnabled()
    header = again.accounts_tab.view.horizontalHeader()
    qtbot.waitUntil(again.accounts_tab.view.isSortingEnabled)
    assert header.sortIndicatorSection() == AccountColumn.EXPIRY
    assert header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
    assert again.accounts_tab.model.sorted_by() == (AccountColumn.EXPIRY, True)

    again._settings.remove(ACCOUNTS_SORT_KEY)
    again._settings.sync()
    earlier = new_window(qtbot, profile)
    assert earlier.accounts_tab.model.sorted_by() == (AccountColumn.NAME, False)
    qtbot.waitUntil(earlier.accounts_tab.view.isSortingEnabled)
    assert earlier.accounts_tab.model.sorted_by() == (AccountColumn.EXPIRY, True)
    assert earlier.accounts_tab.view.horizontalHeader().sortIndicatorOrder() == (
        Qt.SortOrder.DescendingOrder
    )


def test_each_table_header_shows_its_models_titles(window: MainWindow) -> None:
    """The headers draw their titles from models of their own (ui/column_fit.py): the same
    titles the table's model gives accessibility."""
    from PySide6.QtCore import Qt

    for tab in (window.accounts_tab, window.keys_tab, window.tokens_tab):
        header = tab.view.horizontalHeader()
        model = tab.view.model()
        titles = [model.headerData(i, Qt.Orientation.Horizontal) for i in range(header.count())]
        drawn = [
            header.model().headerData(i, Qt.Orientation.Horizontal) for i in range(header.count())
        ]
        assert drawn == titles and all(titles)
        assert header.count() == model.columnCount()


def test_a_message_of_several_lines_keeps_the_status_bar_one_line_high(
    window: MainWindow,
) -> None:
    """Without a tray, a summary of several warnings comes to the status bar: it must not make
    the bar (and the window's minimum height) taller, nor hide its second line."""
    before = window.statusBar().sizeHint().height()
    summary = (
        "2 credentials need attention (2 expiring soon) — • Haut.AI: in 5 days\n"
        "• Customer token: in 6 days"
    )
    window.show_message(summary)
    assert window.status_message.full_text() == (
        "2 credentials need attention (2 expiring soon) — Haut.AI: in 5 days · "
        "Customer token: in 6 days"
    )
    assert window.status_message.tip_text() == summary
    assert "<br>" in window.status_message.toolTip()
    assert window.statusBar().sizeHint().height() == before


def test_a_message_in_a_tab_does_not_move_what_is_read(window: MainWindow, qtbot: QtBot) -> None:
    """The banner goes under the content (the table's top row and toolbar stay where they are),
    in every tab."""
    for tab in (window.accounts_tab, window.keys_tab, window.tokens_tab):
        window.show_tab(tab)
        qtbot.waitUntil(tab.isVisible)
        shown = tab.stack.currentWidget() if hasattr(tab, "stack") else tab.splitter
        before = shown.mapTo(window, shown.rect().topLeft())
        tab.runner.error("The platform answered 503 Service Unavailable: try again in a minute.")
        qtbot.waitUntil(tab.banner.isVisible)
        assert shown.mapTo(window, shown.rect().topLeft()) == before, tab.objectName()
        assert tab.banner.geometry().top() >= shown.geometry().bottom()
        tab.banner.hide()


def test_the_window_never_resizes_itself(
    qloop: asyncio.AbstractEventLoop, window: MainWindow
) -> None:
    """At its smallest, nothing the window does by itself makes it grow: the Inspector built
    and filled, every Inspector tab, a banner in every tab, a long status message."""
    from tests.tokens import claims, hs256
    from tokendeck.ui.main_window import MINIMUM_SIZE

    async def scenario() -> None:
        size = await resize_to(window, QSize(1, 1))
        assert size == MINIMUM_SIZE
        window.focus_inspector()
        token, _ = hs256(claims(lifetime=600, note="x" * 3000))
        window.inspector.set_text(f"Authorization: Bearer {token}")
        for index in range(window.inspector.lower_tabs.count()):
            window.inspector.lower_tabs.setCurrentIndex(index)
            await asyncio.sleep(0.05)
        for tab in (window.accounts_tab, window.keys_tab, window.tokens_tab):
            window.show_tab(tab)
            tab.runner.error("The platform answered 503 Service Unavailable. " * 6)
            await asyncio.sleep(0.05)
        window.show_message("A long status message that a narrow window cannot hold. " * 5)
        await asyncio.sleep(0.2)
        assert window.size() == size

    run(qloop, scenario())


def test_refresh_reloads_the_tab_shown(
    window: MainWindow, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    reloaded: list[str] = []
    for name in ("accounts", "keys", "tokens"):
        tab = getattr(window, f"{name}_tab")
        monkeypatch.setattr(tab, "reload", lambda name=name: reloaded.append(name))
    for name in ("keys", "tokens", "accounts"):
        click_tab(window.tabs, {"keys": "API keys"}.get(name, name.title()))
        window.refresh_action.trigger()
    assert reloaded == ["keys", "tokens", "accounts"]


def test_new_account_and_find_reach_the_accounts_tab_from_any_tab(
    qtbot: QtBot, window: MainWindow
) -> None:
    """File → New account and Edit → Find work on the Accounts page (a lazily built page that
    holds the tab): from the Tokens tab, New account shows Accounts; Find on Accounts is the
    accounts' search, not the tokens'."""
    from PySide6.QtWidgets import QDialog

    window.show_tab(window.tokens_tab)
    window.new_account_action.trigger()
    assert window.tabs.currentWidget() is window.accounts_page
    assert window.current_tab() is window.accounts_tab
    for dialog in window.findChildren(QDialog):
        dialog.reject()
    window.find_action.trigger()
    qtbot.waitUntil(lambda: window.focusWidget() is window.accounts_tab.search)
    assert window.tabs.currentWidget() is window.accounts_page


def test_qts_sort_of_the_accounts_takes_an_order_or_none(window: MainWindow) -> None:
    """Qt passes a `Qt.SortOrder`; a caller may pass its int or nothing (ascending)."""
    from PySide6.QtCore import Qt

    from tokendeck.ui.accounts_model import AccountColumn

    model = window.accounts_tab.model
    model.sort(AccountColumn.HOST, Qt.SortOrder.DescendingOrder)
    assert model.sorted_by() == (AccountColumn.HOST, True)
    model.sort(AccountColumn.USER, None)
    assert model.sorted_by() == (AccountColumn.USER, False)
    model.sort(AccountColumn.USER, 1)  # type: ignore[arg-type]
    assert model.sorted_by() == (AccountColumn.USER, True)
    window.accounts_tab.proxy.sort(AccountColumn.NAME)
    assert model.sorted_by() == (AccountColumn.NAME, False)


def test_the_accounts_tab_is_finished_on_the_loops_first_turn(
    window: MainWindow, qtbot: QtBot
) -> None:
    """What waits for the `Qt` namespace (after the first rows): the tab's shortcuts, its
    sorting, its filter's case, and the window's own shortcuts."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QKeySequence

    tab = window.accounts_tab
    qtbot.waitUntil(lambda: tab.finished)
    assert tab.test_action.shortcut().toString() == "Ctrl+T"
    assert tab.remove_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Delete)
    for action in (tab.test_action, tab.remove_action):
        assert action.shortcutContext() == Qt.ShortcutContext.WidgetWithChildrenShortcut
        assert action in tab.actions()
    assert tab.view.isSortingEnabled()
    assert tab.proxy.filterCaseSensitivity() == Qt.CaseSensitivity.CaseInsensitive
    assert window.new_account_action.shortcut() == QKeySequence(QKeySequence.StandardKey.New)
