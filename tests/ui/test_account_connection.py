"""The Connection rows of the account form (a CA certificate file, a proxy), through the visible
widgets: a host whose certificate a company CA signed is refused with the message under the CA
field (the rows open by themselves), and saved once the CA file is given; a file that is not a
certificate, and a proxy with a password in its URL, are refused by their fields."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtWidgets import QToolButton

from tests.ui.conftest import run
from tests.ui.test_account_dialog_sign_in import new_user, open_add, start, stop
from tests.ui.visible import click, gone, type_into, until
from tokendeck.core.models import Account, AccountSettings, AccountStatus, Platform
from tokendeck.platforms.http import default_tls
from tokendeck.sandbox.tls import make_pki
from tokendeck.sandbox.world import build_world
from tokendeck.storage.profile import Profile
from tokendeck.ui.account_dialog import AccountDialog
from tokendeck.ui.main_window import MainWindow


def test_an_untrusted_certificate_opens_the_ca_row_and_the_ca_file_saves_it(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, tmp_path: Path
) -> None:
    pki = make_pki(tmp_path / "pki")
    default_tls.cache_clear()
    world = build_world().start(tls=pki)
    email = new_user(world, "right-password")

    async def scenario() -> None:
        services = await start(window, profile)
        try:
            dialog = await open_add(window)
            assert not dialog.connection.ca_bundle.isVisible(), "closed until needed"
            type_into(dialog.name, "Company Dataloop")
            type_into(dialog.host, world.urls["dataloop"])
            type_into(dialog.fields["username"], email)
            type_into(dialog.fields["password"], "right-password")
            click(dialog.save_button)
            await until(lambda: not dialog.runner.busy and dialog.body.isEnabled(), "answered")
            errors = dialog.visible_errors()
            assert list(errors) == ["ca_bundle"], errors
            assert errors["ca_bundle"].startswith("The TLS certificate of 127.0.0.1 is not trusted")
            assert dialog.connection.toggle.isChecked()
            assert dialog.connection.ca_bundle.isVisible()
            assert dialog.connection.ca_bundle.hasFocus()
            assert await services.accounts.all_accounts() == []

            type_into(dialog.connection.ca_bundle, str(pki.ca_file))
            click(dialog.save_button)
            await until(lambda: gone(dialog), what="kept once the CA is given")
            [account] = await services.accounts.all_accounts()
            assert account.status is AccountStatus.SIGNED_IN
            assert account.settings.ca_bundle == str(pki.ca_file)
            assert account.settings.proxy == ""
        finally:
            await stop(window, services)
            world.stop()

    run(qloop, scenario())


def _add_dialog(qtbot) -> AccountDialog:  # type: ignore[no-untyped-def]
    dialog = AccountDialog(None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_the_ca_file_and_the_proxy_are_checked_by_their_fields(qtbot, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dialog = _add_dialog(qtbot)
    type_into(dialog.name, "Checked")
    not_pem = tmp_path / "notes.txt"
    not_pem.write_text("hello")
    click(dialog.connection.toggle)
    for given, expected in (
        (str(not_pem), "notes.txt holds no PEM certificate"),
        ("ca.pem", "full path"),
        (str(tmp_path / "missing.pem"), "Could not read missing.pem"),
    ):
        type_into(dialog.connection.ca_bundle, given)
        click(dialog.save_button)
        assert expected in dialog.visible_errors().get("ca_bundle", ""), (
            given,
            dialog.visible_errors(),
        )
    type_into(dialog.connection.ca_bundle, "")
    for given, expected in (
        ("http://user:hunter2@proxy.example:3128", "cannot be kept"),
        ("proxy.example:3128", "Give the proxy as a URL"),
    ):
        type_into(dialog.connection.proxy, given)
        click(dialog.save_button)
        assert expected in dialog.visible_errors().get("proxy", ""), (
            given,
            dialog.visible_errors(),
        )
    assert "hunter2" not in "".join(dialog.visible_errors().values())
    type_into(dialog.connection.proxy, "http://proxy.example:3128")
    assert "proxy" not in dialog.problems()
    assert dialog.draft().account.settings.proxy == "http://proxy.example:3128"


def test_a_pasted_token_has_no_connection_and_an_edit_shows_what_is_set(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = _add_dialog(qtbot)
    dialog.platform.setCurrentIndex(dialog.platform.findData(Platform.MANUAL.value))
    assert not dialog.findChild(QToolButton, "account-connection-toggle").isVisible()
    assert dialog.draft().account.settings.ca_bundle == ""
    existing = Account(
        id="a1",
        name="Behind a proxy",
        platform=Platform.HAUT,
        host="https://saas.haut.ai",
        settings=AccountSettings(proxy="http://proxy.example:3128"),
    )
    edit = AccountDialog(None, existing)
    qtbot.addWidget(edit)
    edit.show()
    qtbot.waitExposed(edit)
    assert edit.connection.toggle.isChecked()
    assert edit.connection.proxy.isVisible()
    assert edit.connection.proxy.text() == "http://proxy.example:3128"
    assert edit.draft().account.settings.proxy == "http://proxy.example:3128"
