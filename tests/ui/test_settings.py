"""Settings persist, apply at once, and move every secret between the real keyring and the vault."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from PySide6.QtCore import QSettings
from pytestqt.qtbot import QtBot

from tests.conftest import need_secret_service
from tests.storage.conftest import FAST_SCRYPT
from tests.ui.conftest import run
from tokendeck.core.secret import Secret
from tokendeck.core.settings import format_thresholds, parse_thresholds
from tokendeck.services.app_services import AppServices
from tokendeck.services.store_choice import VaultAction
from tokendeck.storage.profile import Profile
from tokendeck.storage.vault import Vault
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.settings_store import load_settings
from tokendeck.ui.ticker import Ticker


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


def test_settings_persist_and_apply(qtbot: QtBot, profile: Profile) -> None:
    qs = QSettings(str(profile.settings_path), QSettings.Format.IniFormat)
    window = MainWindow(Ticker(), qs, has_tray=False)
    qtbot.addWidget(window)
    dialog = window.open_settings()
    dialog.thresholds.setText("3d, 2h")
    dialog.clipboard_seconds.setValue(45)
    dialog.start_minimized.setChecked(True)
    dialog.save_button.click()
    assert window.clipboard.timeout_seconds == 45
    again = load_settings(QSettings(str(profile.settings_path), QSettings.Format.IniFormat))
    assert again.thresholds == (timedelta(days=3), timedelta(hours=2))
    assert again.clipboard_seconds == 45
    assert again.start_minimized
    dialog = window.open_settings()
    dialog.thresholds.setText("tomorrow")
    assert not dialog.save_button.isEnabled()
    assert dialog.thresholds_error.isVisible()
    dialog.reject()


def test_move_secrets_keyring_to_vault_and_back(
    qloop: asyncio.AbstractEventLoop,
    qtbot: QtBot,
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
    window = MainWindow(Ticker(), qs, has_tray=False)
    qtbot.addWidget(window)

    async def scenario() -> None:
        services = await AppServices.start(profile.catalog_path, profile.vault_path, Prompt(None))
        try:
            window.attach(services)
            assert services.store.description.startswith("System keyring")
            tokens = [f"tdtest-moved-{i}-" + "x" * 30 for i in range(3)]
            creds = [await services.tokens.track(f"t{i}", Secret(t)) for i, t in enumerate(tokens)]
            dialog = window.open_settings()
            await dialog.move_all_secrets(Prompt("correct horse battery"))
            assert services.store.description.startswith("Encrypted vault")
            assert "Moved 3 secret(s)" in dialog.move_status.text()
            assert window.store_label.text().startswith("Secrets: Encrypted vault")
            for cred, token in zip(creds, tokens, strict=True):
                assert await services.keeper.read(cred) == Secret(token)
            assert load_settings(qs).store.value == "vault"
            await dialog.move_all_secrets()
            assert services.store.description.startswith("System keyring")
            for cred, token in zip(creds, tokens, strict=True):
                assert await services.keeper.read(cred) == Secret(token)
                await services.tokens.forget(cred)
            dialog.reject()
        finally:
            await services.aclose()

    run(qloop, scenario())
