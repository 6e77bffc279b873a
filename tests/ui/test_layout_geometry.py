"""Every dialog and every tab, checked with the generic layout checker (tests/ui/geometry.py) at
the smallest size the window or dialog allows and at a large one, on a light and a dark palette.

The window holds data: the demo set-up (tokendeck.demo: one signed-in account per platform on
the in-process sandbox, keys created) fills the tables, and the Inspector has a token pasted.
Set TOKENDECK_LAYOUT_SHOTS=DIR to save a screenshot of every state checked, to look at them."""

from __future__ import annotations

import asyncio
import json
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QPalette
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QDialog,
    QLabel,
    QMessageBox,
    QToolButton,
    QWidget,
)
from pytestqt.qtbot import QtBot

from tests.prompts import NoPrompt
from tests.tokens import claims, hs256
from tests.ui.conftest import connect
from tests.ui.geometry import (
    foreign_platform_widgets,
    layout_problems,
    leaves,
    text_problems,
)
from tests.ui.visible import button, click, resize_to, settle, the_window, until, visible_windows
from tokendeck.core.models import AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.services import account_forms
from tokendeck.services.app_services import AppServices
from tokendeck.services.door import Door
from tokendeck.services.store_choice import VaultAction
from tokendeck.storage.profile import Profile
from tokendeck.ui import theme
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.ticker import Ticker

LARGE_WINDOW = QSize(1600, 1000)
LARGE_DIALOG = QSize(1400, 950)
SHOTS = os.environ.get("TOKENDECK_LAYOUT_SHOTS")


def light_palette() -> QPalette:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    return theme.light_palette(app)


def dark_palette() -> QPalette:
    return theme.dark_palette()  # what Settings → Theme → Dark gives


@pytest.fixture(params=["light", "dark"])
def palette(request: pytest.FixtureRequest, qapp: QApplication) -> Iterator[str]:
    """The whole application on a light or a dark palette; the original one comes back after."""
    before = QPalette(qapp.palette())
    qapp.setPalette(light_palette() if request.param == "light" else dark_palette())
    yield str(request.param)
    qapp.setPalette(before)


@pytest.fixture
def window(qtbot: QtBot, profile: Profile, palette: str) -> Iterator[MainWindow]:
    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    win = MainWindow(Door(), Ticker(), settings, has_tray=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.clipboard.clear("test end")


def drive(loop: asyncio.AbstractEventLoop, coro: Any, timeout: float = 240) -> Any:
    return loop.run_until_complete(asyncio.wait_for(coro, timeout))


class Report:
    """Everything found, per state, so one run lists every problem at once."""

    def __init__(self, palette: str) -> None:
        self.palette = palette
        self.problems: list[str] = []
        self.checked: list[str] = []

    def check(self, top: QWidget, where: str, extra: list[str] | None = None) -> None:
        where = f"[{self.palette}] {where} at {top.width()}×{top.height()}"
        self.checked.append(where)
        found = layout_problems(top) + text_problems(top) + (extra or [])
        self.problems.extend(f"{where}: {problem}" for problem in found)
        if SHOTS:
            Path(SHOTS).mkdir(parents=True, exist_ok=True)
            slug = re.sub(r"[^A-Za-z0-9]+", "-", where).strip("-")
            top.grab().save(str(Path(SHOTS) / f"{slug}.png"))

    async def at_both_sizes(
        self, top: QWidget, where: str, large: QSize, extra: Callable[[], list[str]] | None = None
    ) -> None:
        for label, size in (("minimum size", QSize(1, 1)), ("large", large)):
            await resize_to(top, size)
            self.check(top, f"{where}, {label}", extra() if extra else None)

    def assert_clean(self) -> None:
        assert self.checked
        assert not self.problems, "\n".join(
            [f"{len(self.problems)} layout problem(s):", *self.problems]
        )


def platform_fields(dialog: QWidget) -> tuple[Platform, set[str]]:
    combo = next(
        leaf.widget
        for leaf in leaves(dialog)
        if isinstance(leaf.widget, QComboBox) and leaf.widget.accessibleName() == "Platform"
    )
    platform = Platform(str(combo.currentData()))
    return platform, {f.name for f in account_forms.capabilities(platform).fields}


# -- the checker itself ------------------------------------------------------------------------


def test_checker_sees_two_overlapping_labels(qtbot: QtBot) -> None:
    top = QWidget()
    qtbot.addWidget(top)
    top.resize(300, 100)
    first = QLabel("Secrets: System keyring", top)
    first.setGeometry(10, 10, 200, 24)
    second = QLabel("clears in 12 s", top)
    second.setGeometry(150, 10, 120, 24)
    top.show()
    qtbot.waitExposed(top)
    problems = layout_problems(top)
    assert len(problems) == 1, problems
    assert "overlap by 60×24 px" in problems[0]
    second.setGeometry(215, 10, 80, 24)
    assert layout_problems(top) == []


def test_checker_sees_cut_and_hidden_text_and_ignores_other_pages(qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QStackedWidget, QVBoxLayout

    top = QWidget()
    qtbot.addWidget(top)
    layout = QVBoxLayout(top)
    stack = QStackedWidget()
    stack.addWidget(QLabel("page one"))
    stack.addWidget(QLabel("page two, drawn at the same place"))
    layout.addWidget(stack)
    top.show()
    qtbot.waitExposed(top)
    assert layout_problems(top) == [], "only the current page of a stack counts"
    squeezed = QLabel("a label with no room", top)
    squeezed.setGeometry(0, 0, 120, 3)
    squeezed.show()
    found = layout_problems(top)
    assert any("needs" in p and "cut" in p for p in found), found
    squeezed.setGeometry(0, 0, 0, 20)
    assert any("is visible but 0×20 px" in p for p in layout_problems(top))
    squeezed.hide()
    emoji = QLabel("📋 on the clipboard", top)
    emoji.setGeometry(0, 0, 200, 30)
    stack.hide()
    emoji.show()
    assert any("no font can draw" in p for p in text_problems(top)), text_problems(top)


def test_checker_sees_columns_that_run_past_a_tables_edge(qtbot: QtBot) -> None:
    from PySide6.QtGui import QStandardItemModel
    from PySide6.QtWidgets import QVBoxLayout

    from tokendeck.ui.column_fit import Column, ColumnFit, FittedTable

    top = QWidget()
    qtbot.addWidget(top)
    view = FittedTable()
    QVBoxLayout(top).addWidget(view)
    model = QStandardItemModel(3, 4, view)
    model.setHorizontalHeaderLabels(["Name", "Status", "Expiry", "Host"])
    view.setModel(model)
    for column in range(4):
        view.setColumnWidth(column, 150)
    top.resize(420, 200)
    top.show()
    qtbot.waitExposed(top)
    found = layout_problems(top)
    assert len(found) == 1 and "(Name, Status, Expiry, Host) run" in found[0], found
    fit = ColumnFit(view, [Column(0, 100), Column(1, 90), Column(2, 90), Column(3, 200)], stretch=0)
    fit.fit()
    assert layout_problems(top) == []
    assert fit.shown() == [0, 1, 2], "the least important column goes first"
    assert view.columnWidth(0) + 180 == view.viewport().width(), "the name takes what is left"
    top.resize(900, 200)
    qtbot.waitUntil(lambda: fit.shown() == [0, 1, 2, 3])
    assert sum(view.columnWidth(c) for c in range(4)) == view.viewport().width()
    view.setColumnWidth(1, 400)  # a person drags Status wider: the others fit around it
    qtbot.waitUntil(lambda: view.horizontalHeader().length() == view.viewport().width())
    assert view.columnWidth(1) == 400 and fit.chosen() == {1: 400}
    assert layout_problems(top) == []


# -- the Add account dialog --------------------------------------------------------------------


def test_add_account_dialog_on_every_platform_both_ways(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, palette: str
) -> None:
    report = Report(palette)

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        try:
            connect(window, services)
            await until(lambda: window.add_account_button.isEnabled(), "Add account enabled")
            click(window.add_account_button)
            dialog = await the_window(QDialog, "account-dialog", "the Add account dialog")
            combo = next(
                leaf.widget
                for leaf in leaves(dialog)
                if isinstance(leaf.widget, QComboBox) and leaf.widget.accessibleName() == "Platform"
            )
            assert isinstance(combo, QComboBox)
            order = list(range(combo.count()))
            for step, index in enumerate([*order, *reversed(order[:-1])]):
                combo.setCurrentIndex(index)
                await settle()
                platform, fields = platform_fields(dialog)
                await report.at_both_sizes(
                    dialog,
                    f"Add account, {platform.value} (step {step + 1})",
                    LARGE_DIALOG,
                    lambda fields=fields: foreign_platform_widgets(dialog, fields),
                )
            toggle = dialog.findChild(QToolButton, "account-connection-toggle")
            assert isinstance(toggle, QToolButton)
            click(toggle)  # the Connection rows open: CA certificate file, proxy
            await settle()
            platform, fields = platform_fields(dialog)
            await report.at_both_sizes(
                dialog,
                f"Add account, {platform.value}, Connection open",
                LARGE_DIALOG,
                lambda fields=fields: foreign_platform_widgets(dialog, fields),
            )
            dialog.reject()
        finally:
            await services.aclose()

    drive(qloop, scenario())
    report.assert_clean()


# -- every tab of a new profile -------------------------------------------------------------------


def test_every_tab_of_a_new_profile(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, palette: str
) -> None:
    """What a person sees first: each tab's empty page, whole at the smallest window too."""
    report = Report(palette)

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        try:
            connect(window, services)
            await until(lambda: window.add_account_button.isEnabled(), "Add account enabled")
            for page in (window.accounts_tab, window.keys_tab, window.tokens_tab):
                window.show_tab(page)
                await settle()
                await report.at_both_sizes(
                    window, f"{page.objectName()} (new profile)", LARGE_WINDOW
                )
        finally:
            await services.aclose()

    drive(qloop, scenario())
    report.assert_clean()


def test_the_columns_that_matter_stay_in_view_at_the_smallest_window(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    world: SandboxWorld,
    palette: str,
) -> None:
    from tokendeck.ui.accounts_model import AccountColumn
    from tokendeck.ui.credentials_model import Column
    from tokendeck.ui.keys_model import KeyColumn

    async def scenario() -> None:
        services = await seeded(window, profile, world)
        try:
            must = {
                window.accounts_tab: {
                    AccountColumn.NAME,
                    AccountColumn.STATUS,
                    AccountColumn.EXPIRY,
                },
                window.keys_tab: {KeyColumn.NAME, KeyColumn.STATE, KeyColumn.COUNTDOWN},
                window.tokens_tab: {Column.LABEL, Column.STATUS, Column.COUNTDOWN},
            }
            for tab, columns in must.items():
                window.show_tab(tab)
                await resize_to(window, QSize(1, 1))
                shown = set(tab.columns.shown())
                assert columns <= shown, f"{tab.objectName()}: only {sorted(shown)} at the minimum"
                await resize_to(window, LARGE_WINDOW)
                # The tokens share the width with the Inspector: when and whether held may wait.
                wide = set(range(tab.view.model().columnCount())) - (
                    {Column.EXPIRES, Column.SECRET} if tab is window.tokens_tab else set()
                )
                assert wide <= set(tab.columns.shown()), f"{tab.objectName()} at 1600×1000"
            platform = window.accounts_tab.view
            trifacta = next(
                r
                for r in range(platform.model().rowCount())
                if "Trifacta" in str(platform.model().index(r, AccountColumn.PLATFORM).data())
            )
            text = str(platform.model().index(trifacta, AccountColumn.PLATFORM).data())
            needed = platform.fontMetrics().horizontalAdvance(text)
            assert platform.columnWidth(AccountColumn.PLATFORM) > needed, "platform name cut"
        finally:
            await services.aclose()

    drive(qloop, scenario())


# -- every other dialog and every tab, with data -------------------------------------------------


async def seeded(window: MainWindow, profile: Profile, world: SandboxWorld) -> AppServices:
    """The demo set-up: one signed-in account per platform, keys created, tables filled."""
    from tokendeck.demo import seed

    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
    )
    connect(window, services)
    await seed(services, world)
    window.accounts_tab.reload()
    window.tokens_tab.reload()
    # Seven rows show while the demo is still signing them in (each change reloads the table):
    # wait for the last reload, where every demo account is signed in.
    await until(
        lambda: (
            window.accounts_tab.model.rowCount() == 7
            and all(
                window.accounts_tab.model.account(r).status is AccountStatus.SIGNED_IN
                for r in range(7)
            )
        ),
        "seven demo accounts, signed in",
    )
    await until(lambda: window.tokens_tab.model.rowCount() > 0, "held tokens listed")
    return services


def test_edit_account_dialog_on_every_platform(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    world: SandboxWorld,
    palette: str,
) -> None:
    report = Report(palette)

    async def scenario() -> None:
        services = await seeded(window, profile, world)
        accounts_tab = window.accounts_tab
        accounts = [accounts_tab.model.account(r) for r in range(7)]
        try:
            # Edit account, for every platform.
            window.show_tab(accounts_tab)
            await resize_to(window, LARGE_WINDOW)
            for account in accounts:
                accounts_tab.select(account.id)
                await settle()
                click(accounts_tab.edit_button)
                dialog = await the_window(QDialog, "account-dialog", "the Edit account dialog")
                _, fields = platform_fields(dialog)
                await report.at_both_sizes(
                    dialog,
                    f"Edit account, {account.platform.value}",
                    LARGE_DIALOG,
                    lambda dialog=dialog, fields=fields: foreign_platform_widgets(dialog, fields),
                )
                dialog.reject()
                await settle()
        finally:
            await services.aclose()

    drive(qloop, scenario())
    report.assert_clean()


def test_every_other_dialog_and_tab_with_data(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    world: SandboxWorld,
    palette: str,
) -> None:
    from tokendeck.ui.vault_dialog import VaultDialog

    report = Report(palette)
    token, _ = hs256(claims(lifetime=5400, sub="support@example.test", scope="read write"))

    async def scenario() -> None:
        services = await seeded(window, profile, world)
        accounts_tab, keys_tab, tokens_tab = window.accounts_tab, window.keys_tab, window.tokens_tab
        accounts = [accounts_tab.model.account(r) for r in range(7)]
        try:
            # The three tabs, with the status bar busy: a message, the clipboard countdown.
            window.show_message(
                "Demo: every account talks to a local sandbox; secrets stay in memory."
            )
            window.clipboard.copy_secret(Secret("layout-test"), "CI pipeline")
            accounts_tab.view.selectRow(0)
            window.show_tab(accounts_tab)
            await report.at_both_sizes(window, "Accounts tab", LARGE_WINDOW)

            window.show_tab(keys_tab)
            dataloop = next(a for a in accounts if a.platform is Platform.DATALOOP)
            keys_tab.follow(dataloop)
            # The tab may have listed Dataloop's keys while the demo was still creating them
            # (the tab is not told of keys made elsewhere): refresh, as a person would.
            await until(lambda: keys_tab.refresh_button.isEnabled(), "the keys tab is idle")
            click(keys_tab.refresh_button)
            await until(
                lambda: keys_tab.model.rowCount() > 0 and not keys_tab.runner.busy,
                "Dataloop keys listed",
            )
            keys_tab.view.selectRow(0)
            await report.at_both_sizes(window, "API keys tab", LARGE_WINDOW)
            keys_tab.runner.error(
                "Listing the keys of “Dataloop (demo)” failed. The platform answered 503 "
                "Service Unavailable: try again in a minute; nothing was changed."
            )
            await report.at_both_sizes(window, "API keys tab with an error", LARGE_WINDOW)
            keys_tab.banner.hide()

            window.show_tab(tokens_tab)
            tokens_tab.view.selectRow(0)
            window.inspector.set_text(f"Authorization: Bearer {token}")
            await settle()
            lower = window.inspector.lower_tabs
            for index in range(lower.count()):
                lower.setCurrentIndex(index)
                await report.at_both_sizes(
                    window, f"Tokens tab, Inspector, {lower.tabText(index)}", LARGE_WINDOW
                )
            lower.setCurrentIndex(0)
            window.clipboard.clear("test")

            # Create key on every platform that creates keys; Rotate; Reveal.
            window.show_tab(keys_tab)
            for account in accounts:
                if not account_forms.capabilities(account.platform).create_keys:
                    continue
                keys_tab.follow(account)
                await until(
                    lambda: keys_tab.create_button.isEnabled(), f"{account.name}: Create enabled"
                )
                click(keys_tab.create_button)
                dialog = await the_window(QDialog, "create-key-dialog", "the Create key dialog")
                await report.at_both_sizes(
                    dialog, f"Create key, {account.platform.value}", LARGE_DIALOG
                )
                dialog.reject()
                await settle()

            keys_tab.follow(dataloop)
            # The tab may have listed Dataloop's keys while the demo was still creating them
            # (the tab is not told of keys made elsewhere): refresh, as a person would.
            await until(lambda: keys_tab.refresh_button.isEnabled(), "the keys tab is idle")
            click(keys_tab.refresh_button)
            await until(
                lambda: keys_tab.model.rowCount() > 0 and not keys_tab.runner.busy,
                "Dataloop keys listed again",
            )
            keys_tab.view.selectRow(0)
            click(keys_tab.rotate_button)
            box = await the_window(QMessageBox, what="the Rotate confirmation")
            await settle()
            report.check(box, "Rotate confirmation")  # a message box sizes itself
            click(button(box, "Cancel"))
            await settle()

            click(keys_tab.create_button)
            dialog = await the_window(QDialog, "create-key-dialog", "the Create key dialog")
            name = next(
                leaf.widget for leaf in leaves(dialog) if leaf.widget.accessibleName() == "Key name"
            )
            QTest.keyClicks(name, "layout check")
            click(button(dialog, "Create key"))
            reveal = await the_window(QDialog, "reveal-dialog", "the Reveal dialog")
            await report.at_both_sizes(reveal, "Reveal", LARGE_DIALOG)
            click(button(reveal, "Copy"))
            await settle()
            report.check(reveal, "Reveal after Copy")
            click(button(reveal, "Done"))
            await settle()

            # Settings, and the vault password dialog in both modes.
            window.settings_action.trigger()
            settings = await the_window(QDialog, "settings-dialog", "the Settings dialog")
            await report.at_both_sizes(settings, "Settings", LARGE_DIALOG)
            thresholds = next(
                leaf.widget
                for leaf in leaves(settings)
                if leaf.widget.accessibleName() == "Warning thresholds"
            )
            thresholds.setFocus()
            QTest.keyClicks(thresholds, " and soon")
            await settle()
            await report.at_both_sizes(settings, "Settings with an error", LARGE_DIALOG)
            settings.reject()
            for action, error in (
                (VaultAction.CREATE, None),
                (VaultAction.UNLOCK, None),
                (VaultAction.UNLOCK, "Wrong password: the vault did not open."),
            ):
                vault = VaultDialog(
                    window,
                    action,
                    "No secure system keyring is available (backend: fail Keyring).",
                    error,
                )
                vault.open()
                await settle()
                await report.at_both_sizes(
                    vault,
                    f"Vault password, {action.value}{' with an error' if error else ''}",
                    LARGE_DIALOG,
                )
                vault.reject()
                vault.deleteLater()
        finally:
            window.clipboard.clear("test")
            for box in visible_windows(QMessageBox):
                box.close()
            await services.aclose()

    drive(qloop, scenario())
    report.assert_clean()


def test_import_and_activity_windows(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    palette: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """File > Import (what it found, what became of each, the question before taking copies
    out, and nothing found) and View > Activity after it, whole at the smallest size too."""
    from tests.flows.test_plaintext_import import jwt_token, openssh_key

    report = Report(palette)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("DATALOOP_PATH", raising=False)
    monkeypatch.chdir(tmp_path)
    cookie = tmp_path / ".dataloop" / "cookie.json"
    cookie.parent.mkdir()
    login = {
        "token": jwt_token(email="support.engineer@example.test"),
        "refresh_token": "r-" + "x" * 30,
        "gate_url": "https://gate.dataloop.ai",
    }
    cookie.write_text(json.dumps({"login_parameters": {"https://gate.dataloop.ai/api/v1": login}}))
    key = openssh_key().replace("\n", "\\n")
    (tmp_path / ".env").write_text(
        f'DATALOOP_TOKEN={jwt_token(exp=1_000_000)}\nENCORD_SSH_KEY="{key}"\n'
        "ENCORD_API_KEY=legacy-key-without-its-project-id-0123456789\n"
    )

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        try:
            connect(window, services)
            await until(lambda: window.add_account_button.isEnabled(), "Add account enabled")
            dialog = window.open_import()
            await until(lambda: dialog.model.rowCount() == 3, "the usual places read")
            await report.at_both_sizes(dialog, "Import, found", LARGE_DIALOG)
            click(dialog.import_button)
            await until(lambda: dialog.remove_button.isEnabled(), "imported")
            await report.at_both_sizes(dialog, "Import, imported", LARGE_DIALOG)
            click(dialog.remove_button)
            box = await the_window(QMessageBox, "import-question", "the question")
            await settle()
            report.check(box, "Import, take the copies out?")
            click(button(box, "Cancel"))
            dialog.close()
            await settle()

            activity = window.open_activity()
            await until(lambda: activity.model.rowCount() > 3, "the activity read")
            await report.at_both_sizes(activity, "Activity", LARGE_DIALOG)
            activity.close()

            monkeypatch.chdir(tmp_path / ".dataloop")
            cookie.unlink()
            (tmp_path / ".env").unlink()
            empty = window.open_import()
            await until(lambda: "Nothing found" in empty.found.text(), "nothing found")
            await report.at_both_sizes(empty, "Import, nothing found", LARGE_DIALOG)
            empty.close()
        finally:
            await services.aclose()

    drive(qloop, scenario())
    report.assert_clean()
