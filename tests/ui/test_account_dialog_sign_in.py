"""Signing in never leaves a person stuck, against the sandbox, through the visible widgets:

- Add: Save signs in first, with the dialog open and busy; a wrong password shows by the
  password field and keeps nothing; the right one keeps the account, signed in; Cancel stops
  the sign-in; a host that does not answer shows by the host field; "Save without signing in"
  keeps it as needs login.
- Sign in on an account that needs login, or whose stored password is refused, asks for the
  password; a wrong one stores nothing, the right one signs in and is stored."""

from __future__ import annotations

import asyncio
import socket

from PySide6.QtWidgets import QLineEdit

from tests.prompts import NoPrompt
from tests.ui.conftest import connect, run
from tests.ui.visible import click, gone, stays, type_into, until
from tokendeck.core.models import Account, AccountStatus, Platform
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile
from tokendeck.ui.account_dialog import AccountDialog
from tokendeck.ui.main_window import MainWindow
from tokendeck.ui.sign_in_dialog import SignInDialog

_users = iter(range(1000))


def new_user(world: SandboxWorld, password: str) -> str:
    """A Dataloop user of this test alone (the sandbox is shared by the module)."""
    email = f"signin-{next(_users)}@sandbox.test"
    world.dataloop.add_user(email, password)
    return email


async def stored_inputs(services: AppServices, account: Account) -> dict[str, str]:
    out: dict[str, str] = {}
    for credential in await services.accounts.credentials(account):
        if credential.role == "input" and credential.secret_ref:
            value = await services.store.get(credential.secret_ref)
            out[str(credential.meta["field"])] = value.reveal() if value else ""
    return out


async def roles(services: AppServices, account: Account) -> list[str]:
    return sorted(str(c.role) for c in await services.accounts.credentials(account))


async def start(window: MainWindow, profile: Profile) -> AppServices:
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
    )
    connect(window, services)
    await until(lambda: window.accounts_tab.add_button.isEnabled(), what="services attached")
    return services


async def stop(window: MainWindow, services: AppServices) -> None:
    """Close the services once the tabs are idle (the keys tab lists the selected account's)."""
    await until(
        lambda: not window.accounts_tab.runner.busy and not window.keys_tab.runner.busy,
        what="tabs idle",
    )
    await services.aclose()


async def open_add(window: MainWindow) -> AccountDialog:
    tab = window.accounts_tab
    visible_add = tab.empty_add if tab.empty_add.isVisible() else tab.add_button
    click(visible_add)
    await until(lambda: tab.account_dialog is not None and tab.account_dialog.isVisible())
    assert tab.account_dialog is not None
    return tab.account_dialog


def fill_dataloop(dialog: AccountDialog, name: str, host: str, email: str, password: str) -> None:
    assert dialog.chosen is Platform.DATALOOP
    type_into(dialog.name, name)
    type_into(dialog.host, host)
    type_into(dialog.fields["username"], email)
    type_into(dialog.fields["password"], password)


def test_add_signs_in_first_and_keeps_nothing_until_it_works(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    email = new_user(world, "right-password")

    async def scenario() -> None:
        services = await start(window, profile)
        try:
            dialog = await open_add(window)
            fill_dataloop(dialog, "DL wrong", world.urls["dataloop"], email, "wrong-password")
            world.dataloop.control.latency = 0.4
            click(dialog.save_button)
            # Busy in place: the dialog stays, its inputs and Save are off, Cancel works.
            await until(lambda: dialog.busy.isVisible(), what="busy bar")
            assert not dialog.body.isEnabled()
            assert not dialog.save_button.isEnabled()
            assert not dialog.offline_button.isEnabled()
            assert dialog.cancel_button.isEnabled()
            await until(lambda: not dialog.runner.busy, what="sign-in answered")
            world.dataloop.control.latency = 0.0
            assert dialog.isVisible(), "a refused sign-in leaves the dialog open"
            errors = dialog.visible_errors()
            assert list(errors) == ["password"], errors
            assert errors["password"].count("Wrong email or password") == 1, errors
            assert errors["password"].count("401") == 1, errors
            assert dialog.body.isEnabled() and dialog.fields["password"].hasFocus()
            assert await services.accounts.all_accounts() == [], "nothing kept"

            type_into(dialog.fields["password"], "right-password")
            click(dialog.save_button)
            await until(lambda: gone(dialog), what="dialog closed once kept")
            [account] = await services.accounts.all_accounts()
            assert account.name == "DL wrong"
            assert account.status is AccountStatus.SIGNED_IN
            assert account.username == email
            assert await roles(services, account) == ["input", "refresh", "session"]
            assert await stored_inputs(services, account) == {"password": "right-password"}
            tab = window.accounts_tab
            assert "signed in" in tab.banner.text.text()
            await until(lambda: tab.model.rowCount() == 1, what="listed")
        finally:
            world.dataloop.control.latency = 0.0
            await stop(window, services)

    run(qloop, scenario())


def test_cancel_stops_the_sign_in_and_a_silent_host_is_named(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    email = new_user(world, "pw-cancel")
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        dead = f"http://127.0.0.1:{probe.getsockname()[1]}"

    async def scenario() -> None:
        services = await start(window, profile)
        try:
            dialog = await open_add(window)
            fill_dataloop(dialog, "DL cancel", world.urls["dataloop"], email, "pw-cancel")
            world.dataloop.control.latency = 3.0
            click(dialog.save_button)
            await until(lambda: dialog.runner.busy and dialog.busy.isVisible())
            click(dialog.cancel_button)
            await until(lambda: not dialog.runner.busy, what="cancelled")
            world.dataloop.control.latency = 0.0
            assert dialog.isVisible(), "Cancel while signing in stops it and keeps the dialog"
            assert "cancelled" in dialog.banner.text.text()
            assert dialog.body.isEnabled() and dialog.save_button.isEnabled()
            tab = window.accounts_tab
            await stays(lambda: tab.model.rowCount() == 0, "a cancelled sign-in keeps nothing", 0.3)
            assert await services.accounts.all_accounts() == []

            type_into(dialog.host, dead)
            click(dialog.save_button)
            await until(lambda: not dialog.runner.busy and dialog.visible_errors(), what="error")
            errors = dialog.visible_errors()
            assert list(errors) == ["host"], errors
            assert "Could not reach" in errors["host"]
            assert await services.accounts.all_accounts() == []

            click(dialog.cancel_button)
            await until(lambda: gone(dialog), what="closed by Cancel when idle")
            assert await services.accounts.all_accounts() == []
        finally:
            world.dataloop.control.latency = 0.0
            await stop(window, services)

    run(qloop, scenario())


def test_save_without_signing_in_then_sign_in_asks_and_stores_only_what_works(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    email = new_user(world, "the-real-one")

    async def scenario() -> None:
        services = await start(window, profile)
        tab = window.accounts_tab
        try:
            dialog = await open_add(window)
            fill_dataloop(dialog, "DL offline", world.urls["dataloop"], email, "typo-password")
            click(dialog.offline_button)
            await until(lambda: gone(dialog), what="kept without signing in")
            [account] = await services.accounts.all_accounts()
            assert account.status is AccountStatus.NEEDS_LOGIN
            assert await roles(services, account) == ["input"], "no session"
            assert "without signing in" in tab.banner.text.text()

            selected = tab.selected
            await until(
                lambda: (chosen := selected()) is not None and chosen.id == account.id,
                what="the new account selected",
            )
            click(tab.sign_in_button)
            await until(
                lambda: tab.sign_in_dialog is not None and tab.sign_in_dialog.isVisible(),
                what="password prompt",
            )
            prompt = tab.sign_in_dialog
            assert isinstance(prompt, SignInDialog)
            assert set(prompt.fields) == {"password", "api_key"}, "the platform's secrets"
            password = prompt.fields["password"]
            assert isinstance(password, QLineEdit)
            assert password.echoMode() is QLineEdit.EchoMode.Password
            assert "stored" in password.placeholderText()
            assert "one is enough" in prompt.hint.text()

            # Empty: the stored (wrong) password is tried, refused, and shown by the field.
            click(prompt.sign_in_button)
            await until(lambda: not prompt.runner.busy and prompt.visible_errors())
            assert list(prompt.visible_errors()) == ["password"]
            assert prompt.isVisible()

            type_into(password, "another-wrong-one")
            click(prompt.sign_in_button)
            await until(lambda: not prompt.runner.busy and prompt.visible_errors())
            assert "Wrong email or password" in prompt.visible_errors()["password"]
            assert prompt.isVisible()
            assert await stored_inputs(services, account) == {"password": "typo-password"}, (
                "a refused password is not stored"
            )
            assert await roles(services, account) == ["input"]

            type_into(password, "the-real-one")
            click(prompt.sign_in_button)
            await until(lambda: gone(prompt), what="signed in")
            await until(lambda: tab.sign_in_dialog is None)
            signed = await services.accounts.get(account.id)
            assert signed.status is AccountStatus.SIGNED_IN
            assert await stored_inputs(services, account) == {"password": "the-real-one"}
            assert await roles(services, account) == ["input", "refresh", "session"]
            assert "Signed in" in tab.banner.text.text()
        finally:
            await stop(window, services)

    run(qloop, scenario())


def test_a_refused_stored_password_asks_for_the_new_one(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    email = new_user(world, "old-password")

    async def scenario() -> None:
        services = await start(window, profile)
        tab = window.accounts_tab
        try:
            dialog = await open_add(window)
            fill_dataloop(dialog, "DL changed", world.urls["dataloop"], email, "old-password")
            click(dialog.save_button)
            await until(lambda: gone(dialog), what="added and signed in")
            [account] = await services.accounts.all_accounts()
            assert account.status is AccountStatus.SIGNED_IN

            world.dataloop.state.users[email]["password"] = "new-password"  # changed elsewhere
            await until(
                lambda: (
                    tab.model.rowCount() == 1
                    and tab.model.account(0).status is AccountStatus.SIGNED_IN
                ),
                what="listed as signed in",
            )
            tab.select(account.id)
            await until(lambda: tab.sign_in_button.isEnabled())
            click(tab.sign_in_button)
            await until(
                lambda: tab.sign_in_dialog is not None and tab.sign_in_dialog.isVisible(),
                what="asked after the stored password was refused",
            )
            prompt = tab.sign_in_dialog
            assert isinstance(prompt, SignInDialog)
            errors = prompt.visible_errors()
            assert list(errors) == ["password"] and "Wrong email or password" in errors["password"]
            assert not tab.banner.isVisible() or "failed" not in tab.banner.text.text()

            type_into(prompt.fields["password"], "new-password")
            click(prompt.sign_in_button)
            await until(lambda: gone(prompt), what="signed in")
            signed = await services.accounts.get(account.id)
            assert signed.status is AccountStatus.SIGNED_IN
            assert await stored_inputs(services, account) == {"password": "new-password"}
        finally:
            await stop(window, services)

    run(qloop, scenario())


def test_edit_signs_in_with_the_stored_secret_and_keeps_the_edit_only_if_it_works(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    email = new_user(world, "edit-password")

    async def scenario() -> None:
        services = await start(window, profile)
        tab = window.accounts_tab
        try:
            dialog = await open_add(window)
            fill_dataloop(dialog, "DL edit", world.urls["dataloop"], email, "edit-password")
            click(dialog.save_button)
            await until(lambda: gone(dialog), what="added")
            [account] = await services.accounts.all_accounts()
            await until(lambda: tab.model.rowCount() == 1)
            tab.select(account.id)
            click(tab.edit_button)
            await until(lambda: tab.account_dialog is not None and tab.account_dialog.isVisible())
            edit = tab.account_dialog
            assert isinstance(edit, AccountDialog)
            password, api_key = edit.fields["password"], edit.fields["api_key"]
            assert isinstance(password, QLineEdit) and isinstance(api_key, QLineEdit)
            assert password.placeholderText() == "stored — leave empty to keep it"
            assert "stored" not in api_key.placeholderText(), "no API key was ever entered"

            type_into(edit.name, "DL renamed")
            type_into(edit.fields["username"], "nobody@sandbox.test")
            click(edit.save_button)
            await until(lambda: not edit.runner.busy and edit.visible_errors())
            assert list(edit.visible_errors()) == ["password"]
            assert (await services.accounts.get(account.id)).name == "DL edit", "nothing kept"

            type_into(edit.fields["username"], email)
            click(edit.save_button)
            await until(lambda: gone(edit), what="edit kept")
            renamed = await services.accounts.get(account.id)
            assert renamed.name == "DL renamed" and renamed.status is AccountStatus.SIGNED_IN
            assert await stored_inputs(services, account) == {"password": "edit-password"}
        finally:
            await stop(window, services)

    run(qloop, scenario())
