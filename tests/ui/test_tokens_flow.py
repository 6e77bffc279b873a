"""Track a pasted token, see it in the Tokens tab, copy it to the real X clipboard, remove it.

Runs on the real Secret Service (gnome-keyring) and the real X clipboard, checked with xclip."""

from __future__ import annotations

import asyncio

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox, QLineEdit
from pytestqt.qtbot import QtBot

from tests.conftest import need_desktop, need_secret_service
from tests.prompts import KeyringOnly as NoPrompt
from tests.tokens import claims, hs256
from tests.ui.conftest import connect, new_window, run, xclip
from tests.ui.visible import (
    button,
    choose,
    click,
    click_tab,
    menu_bar_choose,
    named,
    paste_into,
    type_into,
)
from tests.ui.visible import until as _until
from tokendeck.core.secret import Secret
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile
from tokendeck.ui.main_window import MainWindow


def test_track_copy_clear_remove(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    need_secret_service()
    need_desktop("xclip")
    token, _ = hs256(claims(lifetime=5400, sub="support@example.test"))

    async def scenario() -> None:
        services = await AppServices.start(profile.catalog_path, profile.vault_path, NoPrompt())
        try:
            connect(window, services)
            assert "System keyring" in window.store_label.text()
            window.focus_inspector()
            window.inspector.set_text(f"Authorization: Bearer {token}")
            assert window.inspector.inspection is not None
            window.inspector.track_requested.emit("Support token", Secret(token))
            await _until(lambda: window.tokens_tab.model.rowCount() == 1)
            credential = window.tokens_tab.model.credential(0)
            assert credential.label == "Support token"
            assert credential.expires_at is not None
            assert await services.keeper.read(credential) == Secret(token)
            assert token not in profile.catalog_path.read_bytes().decode("latin-1")

            window.clipboard.timeout_seconds = 2
            window.tokens_tab.view.selectRow(0)
            assert window.tokens_tab.copy_button.isEnabled()
            window.tokens_tab.copy_button.click()
            await _until(lambda: window.clipboard.active)
            targets = (await xclip("-o", "-selection", "clipboard", "-t", "TARGETS")).stdout.split()
            assert "x-kde-passwordManagerHint" in targets
            assert "text/plain" in targets or "UTF8_STRING" in targets
            assert (await xclip("-o", "-selection", "clipboard")).stdout == token
            assert (await xclip("-o", "-selection", "primary")).stdout == token
            hint = await xclip("-o", "-selection", "clipboard", "-t", "x-kde-passwordManagerHint")
            assert hint.stdout == "secret"
            assert window.clipboard_label.isVisible()
            await _until(lambda: not window.clipboard.active, timeout=5)
            after = await xclip("-o", "-selection", "clipboard")
            assert token not in after.stdout

            await services.tokens.forget(credential)
            assert await services.keeper.read(credential) is None
        finally:
            await services.aclose()

    run(qloop, scenario())


def test_inspector_verifies_hmac_and_jwks_url(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, profile: Profile
) -> None:
    from tokendeck.sandbox.oidc import OidcIssuer
    from tokendeck.sandbox.server import SandboxServer
    from tokendeck.services.key_lookup import KeyLookup

    lookup = KeyLookup()
    window = new_window(qtbot, profile, key_lookup=lambda: lookup)
    window.show()
    qtbot.waitExposed(window)
    token, secret = hs256(claims(lifetime=7200))

    async def verified(before: str) -> str:
        click(button(inspector, "Verify"))
        await _until(
            lambda: inspector.signature_label.text() not in (before, "verifying…"), "verified"
        )
        return str(inspector.signature_label.text())

    async def scenario() -> None:
        await menu_bar_choose(window, "View", "Inspect a token")
        paste_into(named(inspector, "Token to inspect"), token)
        await _until(lambda: inspector.inspection is not None, "inspected")
        assert inspector.signature_label.text() == "signature not verified"
        click_tab(inspector.lower_tabs, "Verify signature")
        await choose(named(inspector, "Key kind", QComboBox), hmac_text)
        field = named(inspector, "HMAC secret", QLineEdit)
        assert field.echoMode() == QLineEdit.EchoMode.Password, "a shared secret is masked"
        paste_into(field, secret)
        assert "verified with" in await verified("signature not verified")
        assert inspector.status_label.text().startswith("active")
        assert inspector.track_button.isVisible() and inspector.track_button.isEnabled()
        paste_into(named(inspector, "HMAC secret"), "wrong secret")
        assert "does not match" in await verified(inspector.signature_label.text())
        assert "signature_invalid" in inspector.problem_codes()
        verdict = inspector.status_label.text()
        assert verdict.startswith("invalid"), "never 'valid' above 'does not match'"
        assert not inspector.track_button.isEnabled(), "an invalid token cannot be tracked"
        oidc = OidcIssuer()
        with SandboxServer({"oauth2": oidc.app}) as server:
            paste_into(named(inspector, "Token to inspect"), oidc.mint("tokendeck-demo"))
            await _until(lambda: "not verified" in inspector.signature_label.text(), "new token")
            click_tab(inspector.lower_tabs, "Verify signature")
            await choose(named(inspector, "Key kind", QComboBox), jwks_text)
            type_into(named(inspector, "JWKS URL"), f"{server.urls['oauth2']}/jwks.json")
            assert "verified with" in await verified(inspector.signature_label.text())
        await lookup.aclose()

    inspector = window.inspector
    hmac_text = inspector.key_kind.itemText(inspector.key_kind.findData("hmac"))
    jwks_text = inspector.key_kind.itemText(inspector.key_kind.findData("jwks_url"))
    run(qloop, scenario())


def test_token_derived_text_is_plain_text_in_the_inspector(window: MainWindow) -> None:
    fake = "<b>x</b><br>sub: admin@victim.test"
    token, _ = hs256(claims(iss=fake, sub="real-user"))
    window.inspector.set_text(token)
    identity = window.inspector.identity_label
    assert identity.textFormat() == Qt.TextFormat.PlainText
    assert fake in identity.text() and "real-user" in identity.text()
    for label in (
        window.inspector.status_label,
        window.inspector.signature_label,
        window.inspector.expiry_label,
        window.inspector.kind_label,
    ):
        assert label.textFormat() == Qt.TextFormat.PlainText


def test_a_reload_keeps_the_selected_row_and_the_scroll_and_an_early_select_waits(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot, window: MainWindow, profile: Profile
) -> None:
    """A session renewed or a warning fired reloads the list: the row a person selected stays
    selected and the list stays where they scrolled it. A row asked for before the list has it
    (a notification opened at start) is selected once it comes."""
    labels = [f"Token {n:02}" for n in range(40)]

    async def scenario() -> None:
        services = await AppServices.start(
            profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
        )
        try:
            for label in labels[:-1]:
                token, _ = hs256(claims(lifetime=86400, sub=label))
                await services.tokens.track(label, Secret(token))
            connect(window, services)
            tab = window.tokens_tab
            window.show_tab(window.tokens_page)
            await _until(lambda: tab.model.rowCount() == len(labels) - 1, "listed")
            row = next(
                r
                for r in range(tab.model.rowCount())
                if tab.model.credential(r).label == "Token 30"
            )
            tab.select(tab.model.credential(row).id)
            bar = tab.view.verticalScrollBar()
            await _until(lambda: bar.maximum() > 0, "the list scrolls")
            bar.setValue(0)
            token, _ = hs256(claims(lifetime=86400, sub=labels[-1]))
            last = await services.tokens.track(labels[-1], Secret(token))
            await _until(lambda: tab.model.rowCount() == len(labels), "reloaded")
            selected = tab.selected()
            assert selected is not None and selected.label == "Token 30"
            assert bar.value() == 0, "the list stayed where it was scrolled"

            unknown = "credential-not-listed-yet"
            tab.select(unknown)
            assert tab.selected() is not None and tab.selected().label == "Token 30"
            tab.select(last.id)
            selected = tab.selected()
            assert selected is not None and selected.id == last.id
        finally:
            await services.aclose()

    run(qloop, scenario())
