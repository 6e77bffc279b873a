"""Accounts and API keys tabs end to end against the sandbox: add an account on each platform
through the dialog, sign in, test, list keys, create (reveal, copy), revoke, rotate."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QDialog, QMessageBox
from pytestqt.qtbot import QtBot

from tests.conftest import need_desktop
from tests.prompts import NoPrompt
from tests.ui.conftest import run, xclip
from tests.ui.visible import button, click, the_window
from tokendeck.core.models import AccountStatus, Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld, build_world
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.ticker import Ticker


@pytest.fixture(scope="module")
def world() -> Iterator[SandboxWorld]:
    sandbox = build_world().start()
    yield sandbox
    sandbox.stop()


@pytest.fixture
def window(qtbot: QtBot, profile: Profile) -> MainWindow:
    settings = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    win = MainWindow(Ticker(), settings, has_tray=False)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


async def until(condition: object, timeout: float = 15, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not condition():  # type: ignore[operator]
        if time.monotonic() > deadline:
            raise AssertionError(f"{what} not met in time")
        await asyncio.sleep(0.05)


def test_every_platform_through_the_dialog_then_keys(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    world: SandboxWorld,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    need_desktop("xclip")
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    client_id, client_secret = next(iter(world.oauth2.state.clients.items()))
    plans = [
        (
            Platform.ENCORD,
            "Encord",
            world.urls["encord"],
            {"private_key": world.encord_key, "project_hash": world.encord_project},
        ),
        (
            Platform.DATALOOP,
            "Dataloop",
            world.urls["dataloop"],
            {"username": DEMO_USER, "password": world.password},
        ),
        (
            Platform.HAUT,
            "Haut",
            world.urls["haut"],
            {"username": DEMO_USER, "password": world.password},
        ),
        (
            Platform.VISUAL_LAYER,
            "VL",
            world.urls["visual_layer"],
            {"api_key": world.vl_pair[0], "api_secret": world.vl_pair[1]},
        ),
        (
            Platform.TRIFACTA,
            "Trifacta",
            world.urls["trifacta"],
            {"username": "demo", "password": world.password},
        ),
        (
            Platform.OAUTH2,
            "OIDC",
            world.urls["oauth2"],
            {"client_id": client_id, "client_secret": client_secret},
        ),
    ]

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        tab = window.accounts_tab
        try:
            window.attach(services)
            for platform, name, host, fields in plans:
                dialog = tab.add_account()
                assert dialog is not None
                dialog.platform.setCurrentIndex(dialog.platform.findData(platform.value))
                dialog.name.setText(name)
                dialog.host.setText(host)
                click(dialog.save_button)
                assert dialog.result() != QDialog.DialogCode.Accepted, "missing fields are refused"
                assert dialog.visible_errors()
                for field, value in fields.items():
                    dialog.set_field(field, value)
                assert not dialog.problems(), dialog.problems()
                click(dialog.save_button)  # signs in first; the dialog closes once kept
                await until(
                    lambda n=name: any(
                        a.name == n and a.status is AccountStatus.SIGNED_IN
                        for a in (tab.model.account(r) for r in range(tab.model.rowCount()))
                    ),
                    what=f"{name} signed in",
                )
                tab.select(
                    next(
                        a.id
                        for a in (tab.model.account(r) for r in range(tab.model.rowCount()))
                        if a.name == name
                    )
                )
                tab.test_selected()
                await until(lambda: not tab.runner.busy)
                assert (
                    "200 OK" in tab.banner.text.text() or "not expired" in tab.banner.text.text()
                ), tab.banner.text.text()

            keys = window.keys_tab
            window.tabs.setCurrentWidget(keys)
            dataloop = next(
                a
                for a in (tab.model.account(r) for r in range(tab.model.rowCount()))
                if a.name == "Dataloop"
            )
            keys.follow(dataloop)
            keys.reload()
            await until(
                lambda: not keys.runner.busy and keys.create_button.isEnabled(), what="keys listed"
            )
            dialog = keys.create_key()
            assert dialog is not None
            assert "0 of at most 10" in dialog.limits.text()
            dialog.name.setText("CI key")
            click(dialog.ok)
            await until(
                lambda: keys.reveal is not None and keys.reveal.isVisible(), what="reveal dialog"
            )
            reveal = keys.reveal
            assert reveal is not None
            secret = reveal.value.toPlainText()
            assert secret.startswith("eyJ")
            held = [
                c
                for c in await services.accounts.credentials(dataloop)
                if c.meta.get("role") == "key"
            ]
            assert held, "stored before the dialog opened"
            assert await services.store.get(held[0].secret_ref or "") == Secret(secret)
            reveal.copy()
            assert (await xclip("-o", "-selection", "clipboard")).stdout == secret
            reveal.accept()
            await until(
                lambda: keys.model.rowCount() == 1 and not keys.runner.busy, what="key listed"
            )
            assert keys.model.key(0).secret_held
            keys.view.selectRow(0)
            keys.rotate_selected()
            click(button(await the_window(QMessageBox), "Create the new key"))  # asks first
            await until(
                lambda: (
                    keys.reveal is not reveal
                    and keys.reveal is not None
                    and keys.reveal.isVisible()
                ),
                what="rotated",
            )
            keys.reveal.accept()
            click(button(await the_window(QMessageBox), "Revoke the old key"))
            await until(
                lambda: keys.model.rowCount() == 2 and not keys.runner.busy,
                what="old revoked after rotation",
            )
            states = sorted(keys.model.data(keys.model.index(r, 7)) for r in range(2))
            assert states == ["active", "revoked"]
        finally:
            window.clipboard.clear("test")
            await services.aclose()

    run(qloop, scenario())


def test_pinned_account_token_is_copied_from_the_tray_action(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    need_desktop("xclip")

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        try:
            window.attach(services)
            from tokendeck.core.models import Account

            account = await services.accounts.add(
                Account(
                    id="", name="Pinned DL", platform=Platform.DATALOOP, host=world.urls["dataloop"]
                ),
                {"username": DEMO_USER},
                {"password": Secret(world.password)},
            )
            account = await services.accounts.sign_in(account)
            account = await services.accounts.set_pinned(account, True)
            assert account.settings.get("pinned")
            window.copy_account_token(account.id)
            await until(lambda: window.clipboard.active, what="token copied")
            token = await services.accounts.current_token(account)
            assert (await xclip("-o", "-selection", "clipboard")).stdout == token.reveal()
        finally:
            window.clipboard.clear("test")
            await services.aclose()

    run(qloop, scenario())
