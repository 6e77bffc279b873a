"""Settings persist, apply at once, and move every secret between the real keyring and the vault."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QComboBox, QDialog, QLineEdit, QPushButton

from tests.conftest import need_secret_service
from tests.storage.conftest import FAST_SCRYPT
from tests.ui.conftest import connect, run
from tests.ui.visible import (
    button,
    click,
    gone,
    menu_bar_choose,
    named,
    the_window,
    type_into,
    until,
    visible_labels,
)
from tokendeck.core.secret import Secret
from tokendeck.core.settings import format_thresholds, parse_thresholds
from tokendeck.services.app_services import AppServices
from tokendeck.services.store_choice import VaultAction
from tokendeck.storage.profile import Profile
from tokendeck.storage.vault import Vault
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.settings_store import load_settings


class Prompt:
    def __init__(self, password: str | None) -> None:
        self.password = password

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        return None if self.password is None else Secret(self.password)


def test_threshold_text() -> None:
    assert parse_thresholds("10m, 7d 1h,1d") == (
        timedelta(days=7),
        timedelta(days=1),
        timedelta(hours=1),
        timedelta(minutes=10),
    )
    assert format_thresholds(parse_thresholds("2w 90s")) == "2w, 90s"
    for bad in ("", "soon", "0h", "5x"):
        with pytest.raises(ValueError, match=r"threshold|duration"):
            parse_thresholds(bad)


def test_settings_persist_and_apply(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile
) -> None:
    async def scenario() -> None:
        await menu_bar_choose(window, "File", "Settings…")
        dialog = await the_window(QDialog, "settings-dialog", "the Settings dialog")
        type_into(named(dialog, "Warning thresholds"), "3d, 2h")
        type_into(named(dialog, "Clipboard timeout"), "45")
        click(button(dialog, "Start minimised to the tray"))
        click(button(dialog, "Save"))
        await until(lambda: gone(dialog), "the Settings dialog closed")
        assert window.status_message.text() == "Settings saved."
        assert window.clipboard.timeout_seconds == 45
        again = load_settings(QSettings(str(profile.settings_path), QSettings.Format.IniFormat))
        assert again.thresholds == (timedelta(days=3), timedelta(hours=2))
        assert again.clipboard_seconds == 45
        assert again.start_minimized

        await menu_bar_choose(window, "File", "Settings…")
        dialog = await the_window(QDialog, "settings-dialog", "the Settings dialog again")
        assert named(dialog, "Warning thresholds", QLineEdit).text() == "3d, 2h"
        type_into(named(dialog, "Warning thresholds"), "tomorrow")
        assert not button(dialog, "Save").isEnabled()
        assert any("threshold" in text or "duration" in text for text in visible_labels(dialog))
        click(button(dialog, "Cancel"))
        await until(lambda: gone(dialog), "the Settings dialog closed")

    run(qloop, scenario())


def test_the_theme_changes_the_whole_window_at_once_and_persists(
    qloop: asyncio.AbstractEventLoop, qapp: QApplication, window: MainWindow, profile: Profile
) -> None:
    """Settings → Theme: Dark makes the window dark (palette, the Inspector's verdict colour),
    Light light, System gives the desktop its say again; the choice is kept."""
    from tests.tokens import claims, hs256
    from tokendeck.core.settings import Theme
    from tokendeck.ui.status_style import is_dark, tone_color_on
    from tokendeck.ui.theme import DARK_COLORS, apply_theme

    ButtonText = QPalette.ColorRole.ButtonText  # noqa: N806

    before = QPalette(qapp.palette())
    token, _ = hs256(claims(lifetime=5400))
    window.inspector.set_text(token)

    async def choose(text: str) -> None:
        await menu_bar_choose(window, "File", "Settings…")
        dialog = await the_window(QDialog, "settings-dialog", "the Settings dialog")
        combo = named(dialog, "Theme", QComboBox)
        combo.setCurrentIndex(combo.findText(text))
        click(button(dialog, "Save"))
        await until(lambda: gone(dialog), "the Settings dialog closed")

    def ink(button: QPushButton) -> set[str]:
        image = (
            button.icon().pixmap(32, 32).toImage()
        )  # its Normal mode, at a size with solid lines
        return {
            image.pixelColor(x, y).name()
            for x in range(image.width())
            for y in range(image.height())
            if image.pixelColor(x, y).alpha() == 255
        }

    def verdict_color() -> str:
        return window.inspector.status_label.styleSheet()

    async def scenario() -> None:
        try:
            await choose("Dark")
            assert is_dark(qapp.palette())
            await until(lambda: is_dark(window.palette()), "the window in the dark palette")
            await until(
                lambda: tone_color_on("ok", dark=True).name() in verdict_color(),
                "the verdict in the dark palette's green",
            )
            saved = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
            assert load_settings(saved).theme is Theme.DARK
            await until(
                lambda: ink(window.accounts_tab.add_button) == {DARK_COLORS[ButtonText]},
                "the buttons' icons drawn in the dark palette's text colour",
            )
            await choose("Light")
            assert not is_dark(qapp.palette())
            await until(
                lambda: tone_color_on("ok", dark=False).name() in verdict_color(),
                "the verdict in the light palette's green",
            )
            await until(
                lambda: (
                    ink(window.accounts_tab.add_button) == {qapp.palette().color(ButtonText).name()}
                ),
                "the buttons' icons back in the light palette's text colour",
            )
            await choose("As the system (light or dark)")
            assert qapp.palette().color(QPalette.ColorRole.Window) == before.color(
                QPalette.ColorRole.Window
            )
        finally:
            apply_theme(qapp, Theme.SYSTEM)
            qapp.setPalette(before)

    run(qloop, scenario())


def test_move_secrets_keyring_to_vault_and_back(
    qloop: asyncio.AbstractEventLoop,
    window: MainWindow,
    profile: Profile,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    need_secret_service()
    from tokendeck.storage import vault as vault_module

    original_create = vault_module.Vault.create.__func__  # type: ignore[attr-defined]

    async def fast_create(cls: type[Vault], path, password, params=None):  # type: ignore[no-untyped-def]
        return await original_create(cls, path, password, FAST_SCRYPT)

    monkeypatch.setattr(vault_module.Vault, "create", classmethod(fast_create))
    qs = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)

    async def scenario() -> None:
        services = await AppServices.start(profile.catalog_path, profile.vault_path, Prompt(None))
        try:
            connect(window, services)
            assert services.store.description.startswith("System keyring")
            tokens = [f"tdtest-moved-{i}-" + "x" * 30 for i in range(3)]
            creds = [await services.tokens.track(f"t{i}", Secret(t)) for i, t in enumerate(tokens)]
            await menu_bar_choose(window, "File", "Settings…")
            dialog = await the_window(QDialog, "settings-dialog", "the Settings dialog")
            click(button(dialog, "Move all secrets to the encrypted vault…"))
            vault = await the_window(QDialog, "vault-dialog", "the vault password dialog")
            type_into(named(vault, "Master password"), "correct horse battery")
            type_into(named(vault, "Repeat master password"), "correct horse battery")
            click(button(vault, "Create vault"))
            await until(
                lambda: any(t.startswith("Moved 3 secret(s)") for t in visible_labels(dialog)),
                "moved to the vault",
            )
            assert services.store.description.startswith("Encrypted vault")
            await until(
                lambda: window.store_label.text().startswith("Secret store: Encrypted vault"),
                "the status bar names the vault",
            )
            for cred, token in zip(creds, tokens, strict=True):
                assert await services.keeper.read(cred) == Secret(token)
            assert load_settings(qs).store.value == "vault"
            click(button(dialog, "Move all secrets to the system keyring…"))
            await until(
                lambda: any(
                    t == "Moved 3 secret(s) to the system keyring." for t in visible_labels(dialog)
                ),
                "moved back to the keyring",
            )
            assert button(dialog, "Move all secrets to the encrypted vault…").isEnabled()
            assert services.store.description.startswith("System keyring")
            for cred, token in zip(creds, tokens, strict=True):
                assert await services.keeper.read(cred) == Secret(token)
                await services.tokens.forget(cred)
            click(button(dialog, "Cancel"))
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_an_unknown_theme_in_the_settings_file_reads_as_the_system_one(profile: Profile) -> None:
    from tokendeck.core.settings import Theme

    raw = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    raw.setValue("appearance/theme", "purple")
    raw.sync()
    assert load_settings(raw).theme is Theme.SYSTEM
    raw.setValue("appearance/theme", "dark")
    assert load_settings(raw).theme is Theme.DARK
