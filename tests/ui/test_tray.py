"""The tray on the real system tray (trayer): state, next expiries, pinned accounts, messages."""

from __future__ import annotations

import asyncio

from pytestqt.qtbot import QtBot

from tests.conftest import need_desktop
from tests.prompts import NoPrompt
from tests.tokens import claims, hs256
from tests.ui.conftest import run
from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.services.app_services import AppServices
from tokendeck.services.events import RefreshFailed
from tokendeck.storage.profile import Profile
from tokendeck.ui.icons import TrayState
from tokendeck.ui.tray import Tray
from tokendeck.ui.tray_status import TrayStatus


def test_tray_follows_the_credentials(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile
) -> None:
    need_desktop("trayer")
    qtbot.waitUntil(Tray.available, timeout=10_000)
    tray = Tray()
    tray.show()
    copied: list[str] = []
    tray.copy_token_requested.connect(copied.append)

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        try:
            status = TrayStatus(tray, services)
            await status._refresh()
            assert tray.state is TrayState.OK
            token, _ = hs256(claims(lifetime=3600))
            await services.tokens.track("Soon", Secret(token))
            token, _ = hs256(claims(lifetime=20 * 86400))
            await services.tokens.track("Later", Secret(token))
            account = await services.accounts.add(
                Account(id="", name="Pinned", platform=Platform.MANUAL, host=""),
                {},
                {"token": Secret(token)},
            )
            await services.accounts.set_pinned(account, True)
            await status._refresh()
            assert tray.state is TrayState.WARNING
            assert "Soon" in tray.icon.toolTip()
            texts = [a.text() for a in tray.expiry_actions]
            assert texts[0].startswith("Soon")
            assert [a.text() for a in tray.pinned_actions] == ["Pinned"]
            tray.pinned_actions[0].trigger()
            assert copied == [account.id]
            status.on_refresh_failed(
                RefreshFailed("a1", "Dataloop prod", "Refresh: the platform had an internal error.")
            )
            assert tray.messages[-1][0] == "Could not renew “Dataloop prod”"
        finally:
            await services.aclose()
            tray.hide()

    run(qloop, scenario())


def test_tray_shows_the_clipboard_countdown_and_toggles_the_window(qtbot: QtBot) -> None:
    need_desktop("trayer")
    tray = Tray()
    tray.set_state(TrayState.OK, "TokenDeck: next expiry in 3 h")
    tray.set_clipboard_countdown(12)
    assert tray.icon.toolTip() == "TokenDeck: next expiry in 3 h\nClipboard clears in 12 s"
    assert tray.clear_action.text() == "Clear clipboard now (12 s left)"
    tray.set_clipboard_countdown(0)
    assert tray.icon.toolTip() == "TokenDeck: next expiry in 3 h"
    tray.set_window_visible(True)
    assert tray.show_action.text() == "Hide TokenDeck"
    tray.set_window_visible(False)
    assert tray.show_action.text() == "Show TokenDeck"
