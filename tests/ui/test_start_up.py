"""Start-up as a person sees it: the catalog's rows at once, whatever the secret store is doing;
"Loading…" (never "No accounts yet") until they arrive; "Secret held" filled in by the bulk
check of the store."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from tests.ui.conftest import connect, run
from tests.ui.visible import until
from tokendeck.core.models import Account, Credential, CredentialKind, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.store_status import StoreKind, StoreStatus
from tokendeck.services.app_services import AppServices
from tokendeck.services.catalog_snapshot import CatalogSnapshot
from tokendeck.services.events import SecretsChecked, StoreChanged
from tokendeck.services.store_choice import VaultAction
from tokendeck.storage.catalog import Catalog
from tokendeck.storage.profile import Profile
from tokendeck.ui.accounts_model import READING_TEXT, READING_TIP, AccountColumn
from tokendeck.ui.credentials_model import Column
from tokendeck.ui.main_window import MainWindow


class HeldPrompt:
    """A vault prompt nobody has answered yet: the store stays "starting" until `answer`."""

    def __init__(self) -> None:
        self.asked = asyncio.Event()
        self.answered = asyncio.Event()

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        self.asked.set()
        await self.answered.wait()
        return None


def _seed(profile: Profile, accounts: int) -> None:
    catalog = Catalog(profile.catalog_path)
    try:
        soon = datetime.now(UTC) + timedelta(days=3)
        for i in range(accounts):
            account = catalog.add_account(
                Account(
                    id="",
                    name=f"Account {i:03d}",
                    platform=Platform.HAUT,
                    host="https://haut.example.test",
                    auth_method="private_token",
                )
            )
            catalog.upsert_credential(
                Credential(
                    id=f"key-{i}",
                    kind=CredentialKind.API_KEY,
                    label=f"Key {i}",
                    account_id=account.id,
                    expires_at=soon,
                    secret_ref=f"ref-{i}",
                )
            )
    finally:
        catalog.close()


def test_rows_are_on_screen_while_the_secret_store_is_still_opening(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    _seed(profile, 40)
    assert window.accounts_tab.stack.currentWidget() is window.accounts_tab.loading
    assert window.tokens_tab.held.currentWidget() is window.tokens_tab.loading
    prompt = HeldPrompt()

    async def scenario() -> None:
        services = await AppServices.open(
            profile.catalog_path, profile.vault_path, prompt, prefer_vault=True
        )
        stores: list[StoreChanged] = []
        checks: list[SecretsChecked] = []
        services.bus.subscribe(StoreChanged, stores.append)
        services.bus.subscribe(SecretsChecked, checks.append)
        try:
            connect(window, services)
            services.start_background(watch_interval=3600)
            await prompt.asked.wait()
            await until(lambda: window.accounts_tab.model.rowCount() == 40)
            await until(lambda: window.tokens_tab.model.rowCount() == 40)
            assert window.accounts_tab.stack.currentWidget() is not window.accounts_tab.empty
            assert window.accounts_tab.view.isVisible()
            assert window.store_label.full_text() == "Secret store: starting…"
            model = window.tokens_tab.model
            assert model.data(model.index(0, Column.SECRET)) == "checking…"
            assert stores == [] and checks == [], "the store is still waiting for its password"
            prompt.answered.set()  # the person declines the vault: no store
            await until(lambda: bool(stores) and bool(checks))
            assert stores == [StoreChanged(StoreStatus(StoreKind.NONE, "No secret store"))]
            assert checks[-1].held and checks[-1].report.held_unknown
            assert model.data(model.index(0, Column.SECRET)) == "unknown"
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_an_empty_profile_says_no_accounts_yet_only_once_it_has_loaded(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    assert window.accounts_tab.stack.currentWidget() is window.accounts_tab.loading
    assert window.accounts_tab.loading.text() == "Loading accounts…"

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, HeldPrompt(), memory_store=True
        )
        try:
            connect(window, services)
            await until(
                lambda: window.accounts_tab.stack.currentWidget() is window.accounts_tab.empty
            )
            await until(lambda: window.tokens_tab.held.currentWidget() is window.tokens_tab.empty)
            assert window.accounts_tab.empty_add.isEnabled()
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_secret_held_says_missing_for_a_secret_the_store_lost_and_copy_is_off(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    _seed(profile, 3)

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, HeldPrompt(), memory_store=True
        )
        try:
            for i in (0, 2):
                await services.store.set(f"ref-{i}", Secret(f"tdtest-value-{i}"))
            said: list[str] = []
            show_message = window.show_message

            def recorded(text: str, timeout_ms: int = 8000) -> None:
                said.append(text)
                show_message(text, timeout_ms)

            window.show_message = recorded  # type: ignore[method-assign]
            connect(window, services)
            services.start_background(watch_interval=3600)
            tab = window.tokens_tab
            await until(lambda: tab.model.rowCount() == 3)
            await until(lambda: tab.model.presence.missing is not None)
            shown = {
                tab.model.credential(r).id: tab.model.data(tab.model.index(r, Column.SECRET))
                for r in range(3)
            }
            assert shown == {"key-0": "yes", "key-1": "missing", "key-2": "yes"}
            row = next(r for r in range(3) if tab.model.credential(r).id == "key-1")
            tab.view.selectRow(row)
            assert not tab.copy_button.isEnabled()
            # Said in the status bar (an expiry summary may follow it there: no tray here).
            await until(
                lambda: any("1 secret(s) missing from the store (Key 1)" in t for t in said)
            )
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_the_secret_store_and_the_keys_tab_start_once_the_first_rows_are_painted(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    """The store's imports and D-Bus calls, and the platforms' adapters the API keys tab loads,
    come after the rows a person waits for, not before them."""
    _seed(profile, 12)
    prompt = HeldPrompt()
    order: list[str] = []
    given = window.keys_tab.set_accounts

    def keys_given(accounts: list[Account]) -> None:
        order.append("keys" if window.accounts_tab.rows_were_shown else "keys before the rows")
        given(accounts)

    window.keys_tab.set_accounts = keys_given  # type: ignore[method-assign]

    async def scenario() -> None:
        rows_shown = asyncio.Event()
        window.accounts_tab.rows_shown.connect(rows_shown.set)
        window.accounts_tab.rows_shown.connect(lambda: order.append("rows"))
        services = await AppServices.open(
            profile.catalog_path,
            profile.vault_path,
            prompt,
            prefer_vault=True,
            store_after=rows_shown,
        )
        try:
            connect(window, services)
            await prompt.asked.wait()
            order.append("store")
            await until(lambda: "keys" in order)
            assert order.index("rows") < order.index("store")
            assert "keys before the rows" not in order
            assert order.count("rows") == 1
            assert window.accounts_tab.model.rowCount() == 12
            window.accounts_tab.reload()  # later loads reach the keys tab as before
            await until(lambda: order.count("keys") == 2)
            assert order.count("rows") == 1, "said once"
        finally:
            prompt.answered.set()
            await services.aclose()

    run(qloop, scenario())


def test_the_secret_store_opens_anyway_when_no_rows_are_painted(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    profile: Profile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A window minimized to the tray paints nothing: the store does not wait for it forever."""
    from tokendeck.services import app_services

    monkeypatch.setattr(app_services, "STORE_WAITS_AT_MOST", 0.2)
    prompt = HeldPrompt()

    async def scenario() -> None:
        never = asyncio.Event()
        began = asyncio.get_running_loop().time()
        services = await AppServices.open(
            profile.catalog_path, profile.vault_path, prompt, prefer_vault=True, store_after=never
        )
        try:
            await asyncio.sleep(0.05)
            assert not prompt.asked.is_set(), "waiting for the rows"
            await prompt.asked.wait()
            assert asyncio.get_running_loop().time() - began >= 0.15
        finally:
            prompt.answered.set()
            await services.aclose()

    run(qloop, scenario())


def test_the_first_paint_waits_for_no_engine_library(tmp_path: Path) -> None:
    """The real app, to its first paint: asyncio (50 ms with ssl), SQLite, the HTTP stack,
    the Secret Service client and cryptography all load after it (ui/probes.py lists them)."""
    line = _probe_line(tmp_path / "profile", "1", "FIRST_PAINT")
    assert line.split()[-1] == "heavy=none"


def _probe_line(profile: Path, probe: str, starts: str) -> str:
    """The real app on `profile`, offscreen, with the start-up probe `probe`: its line."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, TOKENDECK_STARTUP_PROBE=probe, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-m", "tokendeck", "--profile", str(profile)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    ).stdout
    return next(x for x in out.splitlines() if x.startswith(starts))


def test_the_first_rows_wait_for_no_qt_namespace(tmp_path: Path, profile: Profile) -> None:
    """The real app, to its first rows: PySide's `Qt` namespace (93 enums, 25 ms) is made after
    them (ui/probes.py), so nothing on their way uses it: the door, the Accounts tab, its
    table, header, banner and loading page (see ui/enum_properties.py, ui/item_roles.py)."""
    _seed(profile, 3)
    _, _, rows, heavy = _probe_line(tmp_path / "profile", "rows", "ROWS_SHOWN").split()
    assert rows == "3"
    assert "Qt-namespace" not in heavy.removeprefix("heavy=").split(",")


def test_painting_an_account_row_makes_no_qt_namespace(tmp_path: Path, profile: Profile) -> None:
    """Every cell of an account row, in every role a table paints, in a fresh interpreter:
    none makes PySide's `Qt` namespace (the probe above sees up to the first paint's start)."""
    import os
    import subprocess
    import sys

    _seed(profile, 2)
    script = f"""
from pathlib import Path
from PySide6.QtWidgets import QApplication
app = QApplication([])
from tokendeck.storage.catalog import Catalog
from tokendeck.ui.accounts_model import AccountsModel
catalog = Catalog(Path({str(profile.catalog_path)!r}))
model = AccountsModel()
model.set_accounts([(a, None) for a in catalog.list_accounts()])
seen = [model.data(model.index(r, c), role) for r in range(2) for c in range(7)
        for role in range(14)]
import PySide6.QtCore
print("made" if "Qt" in vars(PySide6.QtCore) else "not made", sum(v is not None for v in seen))
"""
    out = subprocess.run(
        [sys.executable, "-c", script],
        capture_output=True,
        text=True,
        env=dict(os.environ, QT_QPA_PLATFORM="offscreen"),
        timeout=60,
        check=True,
    ).stdout.split()
    assert out[0:2] == ["not", "made"] and int(out[2]) > 14


def test_accounts_are_on_screen_before_every_credential_is_read(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    window: MainWindow,
    profile: Profile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The first load shows the accounts from their one short query; "Next expiry" says it is
    being read until the read of every credential (the snapshot) answers."""
    _seed(profile, 5)
    release = asyncio.Event()
    snapshot = window.door.catalog_snapshot

    async def slow_snapshot() -> CatalogSnapshot:
        await release.wait()
        return await snapshot()

    monkeypatch.setattr(window.door, "catalog_snapshot", slow_snapshot)
    tab = window.accounts_tab

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, HeldPrompt(), memory_store=True
        )
        try:
            connect(window, services)
            await until(lambda: tab.model.rowCount() == 5)
            assert tab.stack.currentWidget() is not tab.loading
            expiry = tab.model.index(0, AccountColumn.EXPIRY)
            assert tab.model.data(expiry) == READING_TEXT
            assert tab.model.data(expiry, Qt.ItemDataRole.ToolTipRole) == READING_TIP
            assert tab.model.data(tab.model.index(0, AccountColumn.NAME)) == "Account 000"
            assert not tab.rows_were_shown, "the store waits for the whole first load"
            tab.select(tab.model.account(3).id)  # chosen before the API keys tab is built
            chosen = tab.selected()
            assert chosen is not None and not window.keys_page.built
            release.set()
            await until(lambda: tab.model.data(expiry) not in (READING_TEXT, None))
            assert tab.model.data(expiry).startswith("in ")
            await until(lambda: tab.rows_were_shown)
            keys = window.keys_tab
            await until(lambda: keys.current_account() is not None)
            assert keys.current_account() == chosen, "the keys tab follows the choice made"
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_the_other_tabs_are_built_after_the_first_rows_and_keep_what_they_were_told(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    """API keys and Tokens are not built before the first paint: once the first rows are on
    screen. Built later, they start from what the window already knew (the bulk check of the
    secret store), and a window closed before they were built keeps their saved columns."""
    _seed(profile, 3)
    window._settings.setValue("columns/tokens/widths", "1:123")
    window.save_state()
    assert window._settings.value("columns/tokens/widths") == "1:123", "kept, never built"
    assert not window.keys_page.built and not window.tokens_page.built

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, HeldPrompt(), memory_store=True
        )
        try:
            await services.store.set("ref-0", Secret("tdtest-value-0"))
            services.start_background(watch_interval=3600)
            await until(lambda: services.held_report is not None)
            connect(window, services)
            await until(lambda: window.accounts_tab.rows_were_shown)
            await until(lambda: window.keys_page.built and window.tokens_page.built)
            tokens = window.tokens_tab
            await until(lambda: tokens.model.rowCount() == 3)
            assert tokens.columns.chosen() == {1: 123}
            held = {
                tokens.model.credential(r).id: tokens.model.data(
                    tokens.model.index(r, Column.SECRET)
                )
                for r in range(3)
            }
            assert held == {"key-0": "yes", "key-1": "missing", "key-2": "missing"}
            await until(lambda: window.keys_tab.current_account() is not None)
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_the_tab_the_window_reopens_on_is_built_before_it_paints(
    qtbot: QtBot, profile: Profile
) -> None:
    from PySide6.QtCore import QSettings

    from tests.ui.conftest import new_window

    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    settings.setValue("window/tab", 2)
    settings.sync()
    window = new_window(qtbot, profile)
    assert window.current_tab() is window.tokens_tab
    window.show()
    qtbot.waitExposed(window)
    assert window.tokens_tab.isVisible()
    assert not window.keys_page.built


@pytest.mark.parametrize("store", ["keyring", "no keyring"])
def test_qt_s_own_quit_closes_the_services_in_order(tmp_path: Path, store: str) -> None:
    """`QApplication.quit()`, as the desktop session ending calls it, right as the first rows
    are shown (the secret store starting to open; with no keyring, its vault prompt): TokenDeck
    quits in order (services closed, exit 0) instead of Qt stopping the loop under it."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, TOKENDECK_STARTUP_PROBE="qt-quit")
    if store == "no keyring":
        env.update(QT_QPA_PLATFORM="offscreen", DBUS_SESSION_BUS_ADDRESS="unix:path=/nonexistent")
    profile = tmp_path / "profile"
    _seed(Profile(profile, profile / "logs"), 2)
    done = subprocess.run(
        [sys.executable, "-m", "tokendeck", "--profile", str(profile)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    log = (profile / "logs" / "tokendeck.log").read_text()
    assert done.returncode == 0, (done.stderr, log)
    assert "quit: services closed" in log
    assert "Traceback" not in done.stderr + log


def test_a_failed_read_of_the_credentials_says_so_and_lets_the_rest_start(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
    window: MainWindow,
    profile: Profile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _seed(profile, 2)

    async def broken_snapshot() -> CatalogSnapshot:
        raise RuntimeError("database disk image is malformed")

    monkeypatch.setattr(window.door, "catalog_snapshot", broken_snapshot)
    tab = window.accounts_tab

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, HeldPrompt(), memory_store=True
        )
        try:
            connect(window, services)
            await until(lambda: tab.model.rowCount() == 2)
            await until(lambda: tab.banner.isVisible())
            assert "Loading the accounts failed" in tab.banner.text.text()
            await until(lambda: tab.rows_were_shown)
            await until(lambda: window.keys_page.built and window.tokens_page.built)
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_the_frame_paints_first_then_the_first_read_fills_the_table(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile
) -> None:
    """What bootstrap does: the frame is on screen before any tab exists, every menu action
    waits for the tabs (a shortcut pressed meanwhile does nothing), then the accounts the first
    read found are on screen before the engine opens, and the engine's read completes them."""
    from PySide6.QtCore import QSettings

    from tokendeck.services.door import Door
    from tokendeck.storage.first_read import FirstRead
    from tokendeck.ui.ticker import Ticker

    _seed(profile, 30)
    read = FirstRead.start(profile.catalog_path)
    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    window = MainWindow(None, None, settings, has_tray=False)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert not window.furnished and not window.accounts_page.built
    assert window.accounts_page.findChild(QLabel).text() == "Loading accounts…"
    assert window.menuBar().actions(), "the menus are there"
    assert not any(a.isEnabled() for a in window._menu_actions)
    assert window.store_label.full_text() == "Secret store: starting…"
    ticker = Ticker()
    try:
        window.furnish(Door(), ticker)
        assert all(a.isEnabled() for a in window._menu_actions)
        # The shortcuts (the Qt namespace) on the loop's first turn, after the first rows.
        assert window.quit_action.shortcut().isEmpty()
        assert read.wait(10)
        accounts = read.accounts()
        assert accounts is not None and len(accounts) == 30
        window.accounts_tab.show_first(accounts)
        tab = window.accounts_tab
        assert tab.model.rowCount() == 30 and tab.stack.currentWidget() is not tab.loading
        from tokendeck.bootstrap import _repaint_now

        queued: list[int] = []
        QTimer.singleShot(0, lambda: queued.append(1))  # as a tab's call for the running loop
        _repaint_now(QApplication.instance(), window)  # as bootstrap, before any loop runs
        assert tab.view.viewport().height() > 100 and tab.view.rowAt(0) == 0, "laid out"
        assert queued == [], "the paint ran nothing else of what is queued"
        qtbot.waitUntil(lambda: queued == [1])
        assert window.quit_action.shortcut().toString() == "Ctrl+Q"
        assert tab.model.data(tab.model.index(0, AccountColumn.EXPIRY)) == READING_TEXT

        async def scenario() -> None:
            services = await AppServices.start(
                profile.catalog_path, profile.vault_path, HeldPrompt(), memory_store=True
            )
            try:
                connect(window, services)
                await until(
                    lambda: (
                        tab.model.data(tab.model.index(0, AccountColumn.EXPIRY)) != READING_TEXT
                    ),
                    "the engine's read",
                )
                assert tab.model.rowCount() == 30
                tab.show_first(accounts[:1])  # too late: the engine's rows stay
                tab.show_first([])
                assert tab.model.rowCount() == 30 and tab.stack.currentWidget() is not tab.empty
            finally:
                await services.aclose()

        run(qloop, scenario())
    finally:
        ticker.stop()
        window.clipboard.clear("test end")


def test_an_empty_catalog_read_first_says_no_accounts_yet_at_once(
    qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    from tokendeck.storage.first_read import read_accounts

    Catalog(profile.catalog_path).close()
    accounts = read_accounts(profile.catalog_path)
    assert accounts == []
    tab = window.accounts_tab
    assert tab.stack.currentWidget() is tab.loading and not tab.empty_add.isEnabled()
    tab.show_first(accounts)
    assert tab.stack.currentWidget() is tab.empty and tab.empty_add.isEnabled()
