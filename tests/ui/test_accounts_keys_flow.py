"""Accounts and API keys tabs end to end against the sandbox, through visible widgets only (QTest
clicks and keys): add an account on each platform through the dialog, sign in, test, list keys,
create (reveal, copy), rotate, revoke."""

from __future__ import annotations

import asyncio

import pytest
from PySide6.QtWidgets import QAbstractItemView, QDialog, QMessageBox, QPlainTextEdit

from tests.conftest import need_desktop
from tests.prompts import NoPrompt
from tests.ui.conftest import connect, run, xclip
from tests.ui.geometry import leaves
from tests.ui.visible import (
    button,
    cell_texts,
    choose,
    click,
    click_row,
    click_tab,
    gone,
    named,
    paste_into,
    row_of,
    the_window,
    type_into,
    until,
    visible_labels,
    visible_windows,
)
from tokendeck.core.models import Platform
from tokendeck.core.secret import Secret
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile
from tokendeck.ui.account_dialog import AccountDialog
from tokendeck.ui.accounts_model import AccountColumn
from tokendeck.ui.keys_model import KeyColumn
from tokendeck.ui.main_window import MainWindow


def signed_in(view: QAbstractItemView, name: str) -> bool:
    """The accounts table shows `name` with the status "signed in"."""
    if name not in cell_texts(view, AccountColumn.NAME):
        return False
    row = row_of(view, AccountColumn.NAME, name).row()
    return bool(view.model().index(row, AccountColumn.STATUS).data() == "signed in")


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
            connect(window, services)
            await until(lambda: tab.empty_add.isEnabled(), "services attached")
            for platform, name, host, fields in plans:
                click(tab.empty_add if tab.empty_add.isVisible() else tab.add_button)
                dialog = await the_window(AccountDialog, "account-dialog", "the Add account dialog")
                await choose(
                    dialog.platform,
                    dialog.platform.itemText(dialog.platform.findData(platform.value)),
                )
                type_into(dialog.name, name)
                type_into(dialog.host, host)
                click(dialog.save_button)
                assert dialog.isVisible(), "missing fields are refused"
                assert dialog.visible_errors()
                for field, value in fields.items():
                    if "\n" in value:
                        paste_into(dialog.fields[field], value)
                    else:
                        type_into(dialog.fields[field], value)
                assert not dialog.problems(), dialog.problems()
                click(dialog.save_button)  # signs in first; the dialog closes once kept
                await until(lambda d=dialog: gone(d), f"{name} kept")
                await until(lambda n=name: signed_in(tab.view, n), f"{name} listed, signed in")
                click_row(tab.view, AccountColumn.NAME, name)
                await until(lambda: not tab.runner.busy, "idle")
                click(button(tab, "Test connection"))
                await until(lambda: not tab.runner.busy and tab.banner.isVisible(), "tested")
                shown = tab.banner.text.text()
                assert "200 OK" in shown or "not expired" in shown, shown

            keys = window.keys_tab
            click_row(tab.view, AccountColumn.NAME, "Dataloop")
            click_tab(window.tabs, "API keys")
            await until(
                lambda: not keys.runner.busy and keys.create_button.isEnabled(), "keys listed"
            )
            assert keys.view.placeholder().startswith("No API keys on “Dataloop"), "not a blank"
            click(keys.create_button)
            dialog = await the_window(QDialog, "create-key-dialog", "the Create key dialog")
            assert "0 of at most 10" in " ".join(visible_labels(dialog))
            type_into(named(dialog, "Key name"), "CI key")
            click(button(dialog, "Create key"))
            reveal = await the_window(QDialog, "reveal-dialog", "the Reveal dialog")
            assert not any(isinstance(leaf.widget, QPlainTextEdit) for leaf in leaves(reveal)), (
                "the new secret is masked until asked for"
            )
            click(button(reveal, "Show"))
            secret = next(
                leaf.widget.toPlainText()
                for leaf in leaves(reveal)
                if isinstance(leaf.widget, QPlainTextEdit)
            )
            assert secret.startswith("eyJ")
            dataloop = next(
                a for a in await services.accounts.all_accounts() if a.name == "Dataloop"
            )
            held = [c for c in await services.accounts.credentials(dataloop) if c.role == "key"]
            assert held, "stored before the dialog opened"
            assert await services.store.get(held[0].secret_ref or "") == Secret(secret)
            click(button(reveal, "Copy"))
            assert (await xclip("-o", "-selection", "clipboard")).stdout == secret
            click(button(reveal, "Done"))
            await until(
                lambda: (
                    cell_texts(keys.view, KeyColumn.NAME) == ["CI key"] and not keys.runner.busy
                ),
                "key listed",
            )
            assert cell_texts(keys.view, KeyColumn.STATE) == ["active"]
            assert keys.view.placeholder() == "", "rows: no 'no keys' text over them"
            click_row(keys.view, KeyColumn.NAME, "CI key")
            click(button(keys, "Rotate…"))
            click(button(await the_window(QMessageBox), "Create the new key"))  # asks first
            await until(lambda: visible_windows(QDialog, "reveal-dialog"), "rotated")
            click(button(visible_windows(QDialog, "reveal-dialog")[-1], "Done"))
            click(button(await the_window(QMessageBox), "Revoke the old key"))
            await until(
                lambda: len(cell_texts(keys.view, KeyColumn.STATE)) == 2 and not keys.runner.busy,
                "old revoked after rotation",
            )
            assert sorted(cell_texts(keys.view, KeyColumn.STATE)) == ["active", "revoked"]
        finally:
            window.clipboard.clear("test")
            await services.aclose()

    run(qloop, scenario())
