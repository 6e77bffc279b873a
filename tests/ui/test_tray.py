"""The tray on the real system tray (trayer), used as a person does: the icon's state and
tooltip, its menu (right-click on the embedded icon, then a click on an item), and its
notification balloon (a click on it).

The services are started and wired to the window and the tray by the app's own composition
root (`bootstrap._start_services`), on the real Secret Service; only the three `Tray → window`
connections `bootstrap._run_qt` makes are repeated here, each named where it is made."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot

from tests.conftest import need_desktop, need_secret_service
from tests.prompts import KeyringOnly
from tests.tokens import claims, hs256
from tests.ui.conftest import new_window, run, xclip
from tests.ui.visible import (
    balloon,
    button,
    cell_texts,
    choose_in_menu,
    click,
    click_row,
    click_tab,
    menu_bar_choose,
    open_tray_menu,
    row_is_on_screen,
    row_of,
    selected_texts,
    settle,
    until,
)
from tokendeck.bootstrap import _start_services
from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.services.events import EventBus, RefreshFailed
from tokendeck.storage.profile import Profile
from tokendeck.ui.accounts_model import AccountColumn
from tokendeck.ui.credentials_model import Column
from tokendeck.ui.icons import TrayState
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.tray import Tray
from tokendeck.ui.wiring import wire

SOON = "CI deploy token"
LATER = [f"Later {n:02}" for n in range(40)]


@pytest.fixture
def tray(qtbot: QtBot) -> Iterator[Tray]:
    need_desktop("trayer")
    qtbot.waitUntil(Tray.available, timeout=10_000)
    icon = Tray()
    icon.show()
    yield icon
    icon.menu.hide()
    icon.hide()


def wire_like_bootstrap(window: MainWindow, tray: Tray) -> None:
    """The `Tray → window` connections of `bootstrap._run_qt`."""
    tray.notification_clicked.connect(window.show_credential)
    tray.show_requested.connect(
        lambda: window.hide() if window.isVisible() else window.bring_to_front()
    )
    window.visibility_changed.connect(tray.set_window_visible)


async def app_services(profile: Profile, window: MainWindow, tray: Tray) -> AppServices:
    _test_tasks.clear()
    _test_tasks.update(asyncio.all_tasks())  # the test's own (its scenario, its time limit)
    wire(window.door, window, tray)
    services = await _start_services(
        argparse.Namespace(demo=False), profile, window, window.door, EventBus()
    )
    assert services is not None
    return services


_test_tasks: set[asyncio.Task[object]] = set()


async def stop_app(services: AppServices) -> None:
    """Quit as `bootstrap` does: cancel what the UI still runs, then close the services."""
    pending = [
        t for t in asyncio.all_tasks() if t is not asyncio.current_task() and t not in _test_tasks
    ]
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    await services.aclose()


async def keep_tokens(profile: Profile) -> None:
    """What the profile held before the app started: one token about to expire (its expiry
    warning is due at start), and 40 that expire in 20 days."""
    services = await AppServices.start(profile.catalog_path, profile.vault_path, KeyringOnly())
    try:
        token, _ = hs256(claims(lifetime=300, sub="ci-bot"))
        await services.tokens.track(SOON, Secret(token))
        for label in LATER:
            token, _ = hs256(claims(lifetime=20 * 86400, sub=label))
            await services.tokens.track(label, Secret(token))
    finally:
        await services.aclose()


def shows_soon_selected(window: MainWindow) -> bool:
    view = window.tokens_tab.view
    return (
        window.isVisible()
        and window.tabs.currentWidget() is window.tokens_page
        and selected_texts(view, Column.LABEL) == [SOON]
        and row_is_on_screen(view, row_of(view, Column.LABEL, SOON))
    )


def test_a_clicked_notification_opens_the_window_on_its_token(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile, tray: Tray
) -> None:
    """The balloon of an expiry warning, then the same token in the tray menu's next expiries:
    each click shows the window on the Tokens tab with that token's row selected and on screen,
    whichever tab was showing and whichever row was selected before."""
    need_secret_service()
    asyncio.run(keep_tokens(profile))
    window = new_window(qtbot, profile, has_tray=True)
    wire_like_bootstrap(window, tray)

    async def scenario() -> None:
        assert not window.isVisible(), "started hidden, in the tray"
        services = await app_services(profile, window, tray)
        try:
            await until(balloon, "the expiry warning's balloon")
            assert tray.messages[-1][0].startswith(f"“{SOON}” expires in")
            shown = balloon()
            assert shown is not None
            await until(
                lambda: window.tokens_tab.model.rowCount() == 1 + len(LATER), "the tokens listed"
            )
            click(shown)
            await until(lambda: shows_soon_selected(window), "the window open on the token")
            view = window.tokens_tab.view
            assert window.tokens_tab.copy_button.isEnabled()

            # Another row selected, the order reversed so the token is far below, another tab:
            # the tray menu's entry for the token still opens the window on it.
            header = view.horizontalHeader()
            assert isinstance(header, QHeaderView)
            middle = QPoint(
                header.sectionViewportPosition(Column.LABEL)
                + header.sectionSize(Column.LABEL) // 2,
                header.height() // 2,
            )
            assert header.isVisible() and header.viewport().rect().contains(middle)
            for _ in range(2):  # sort by label, then reversed: the token is last
                QTest.mouseClick(header.viewport(), Qt.MouseButton.LeftButton, pos=middle)
                await settle()
            assert cell_texts(view, Column.LABEL)[-1] == SOON
            view.scrollToTop()
            click_row(view, Column.LABEL, LATER[-1])
            assert selected_texts(view, Column.LABEL) == [LATER[-1]]
            assert not row_is_on_screen(view, row_of(view, Column.LABEL, SOON))
            click_tab(window.tabs, "Accounts")
            await menu_bar_choose(window, "File", "Close window")
            await until(lambda: not window.isVisible(), "the window hidden in the tray")

            await open_tray_menu(tray.menu)
            entry = next(a.text() for a in tray.expiry_actions if a.text().startswith(SOON))
            await choose_in_menu(tray.menu, entry)
            await until(lambda: shows_soon_selected(window), "the window open on the token again")
        finally:
            await stop_app(services)

    run(qloop, scenario())


def test_tray_follows_the_credentials(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile, tray: Tray
) -> None:
    need_secret_service()
    window = new_window(qtbot, profile, has_tray=True)
    wire_like_bootstrap(window, tray)

    async def scenario() -> None:
        services = await app_services(profile, window, tray)
        try:
            await until(lambda: tray.state is TrayState.OK and tray.expiry_actions, "tray set")
            assert tray.icon.toolTip() == "TokenDeck: nothing needs you"
            assert [a.text() for a in tray.expiry_actions] == ["Nothing expires soon"]
            assert not tray.expiry_actions[0].isEnabled()
            token, _ = hs256(claims(lifetime=3600))
            await services.tokens.track("Soon", Secret(token))
            token, _ = hs256(claims(lifetime=20 * 86400))
            await services.tokens.track("Later", Secret(token))
            await until(lambda: tray.state is TrayState.WARNING, "the tray turned orange")
            assert "Soon" in tray.icon.toolTip()
            texts = [a.text() for a in tray.expiry_actions]
            assert texts[0].startswith("Soon — "), texts
            assert not any(t.startswith("Later") for t in texts), "only what expires soon"
            services.bus.publish(
                RefreshFailed("a1", "Dataloop prod", "Refresh: the platform had an internal error.")
            )
            await until(lambda: balloon() is not None, "the renewal failure's balloon")
            assert tray.messages[-1][0] == "Could not renew “Dataloop prod”"
        finally:
            await stop_app(services)

    run(qloop, scenario())


def test_pinned_account_token_is_copied_from_the_tray_menu(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    profile: Profile,
    tray: Tray,
    world: SandboxWorld,
) -> None:
    """Pin to tray on the Accounts tab, then the account's item in the tray menu copies its
    current token to the real X clipboard."""
    need_secret_service()
    need_desktop("xclip")
    window = new_window(qtbot, profile, has_tray=True)
    wire_like_bootstrap(window, tray)
    window.show()
    qtbot.waitExposed(window)

    async def scenario() -> None:
        services = await app_services(profile, window, tray)
        try:
            account = await services.accounts.add(
                Account(
                    id="", name="Pinned DL", platform=Platform.DATALOOP, host=world.urls["dataloop"]
                ),
                {"username": DEMO_USER},
                {"password": Secret(world.password)},
            )
            account = await services.sessions.sign_in(account)
            tab = window.accounts_tab
            click_tab(window.tabs, "Accounts")
            await until(lambda: "Pinned DL" in cell_texts(tab.view, AccountColumn.NAME), "listed")
            click_row(tab.view, AccountColumn.NAME, "Pinned DL")
            await until(lambda: tab.pin_button.isEnabled(), "Pin to tray enabled")
            click(button(tab, "Pin to tray"))
            await until(
                lambda: [a.text() for a in tray.pinned_actions] == ["Pinned DL"], "pinned in tray"
            )
            await open_tray_menu(tray.menu)
            await choose_in_menu(tray.menu, "Pinned DL")
            await until(lambda: window.clipboard.active, "token copied")
            await until(lambda: not tab.runner.busy, "copy finished")
            token = await services.sessions.current_token(await services.accounts.get(account.id))
            assert (await xclip("-o", "-selection", "clipboard")).stdout == token.reveal()
            assert window.clipboard_label.isVisible()
            assert "Pinned DL" in window.clipboard_label.text()
        finally:
            window.clipboard.clear("test")
            await stop_app(services)

    run(qloop, scenario())


def test_tray_shows_the_clipboard_countdown_and_toggles_the_window(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile, tray: Tray
) -> None:
    window = new_window(qtbot, profile, has_tray=True)
    wire_like_bootstrap(window, tray)

    async def scenario() -> None:
        tray.set_state(TrayState.OK, "TokenDeck: next expiry in 3 h")
        tray.set_clipboard_countdown(12)
        assert tray.icon.toolTip() == "TokenDeck: next expiry in 3 h\nClipboard clears in 12 s"
        assert tray.clear_action.text() == "Clear clipboard now (12 s left)"
        tray.set_clipboard_countdown(0)
        assert tray.icon.toolTip() == "TokenDeck: next expiry in 3 h"
        await open_tray_menu(tray.menu)
        await choose_in_menu(tray.menu, "Show TokenDeck")
        await until(window.isVisible, "the window shown")
        await open_tray_menu(tray.menu)
        await choose_in_menu(tray.menu, "Hide TokenDeck")
        await until(lambda: not window.isVisible(), "the window hidden")

    run(qloop, scenario())
