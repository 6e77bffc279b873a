"""The API keys tab and its dialogs as a person uses them: Rotate asks first, Encord's scopes start
unticked, the expiry says what is true per platform, the reveal dialog's Copy counts down and
says when the clipboard is cleared, and the status bar shows no glyph-less emoji and keeps the
message apart from the store.

Each test clicks visible, enabled buttons (QTest) and checks the text shown and what is enabled."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QSize
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QMessageBox
from pytestqt.qtbot import QtBot

from tests.prompts import NoPrompt
from tests.ui.conftest import connect
from tests.ui.geometry import layout_problems, leaves, missing_glyphs
from tests.ui.visible import (
    button,
    click,
    resize_to,
    settle,
    stays,
    the_window,
    until,
    visible_labels,
    visible_windows,
)
from tokendeck.core.models import PLATFORM_NAMES, Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.store_status import StoreKind, StoreStatus
from tokendeck.sandbox.world import DEMO_USER, SandboxWorld
from tokendeck.services import account_forms
from tokendeck.services.app_services import AppServices
from tokendeck.storage.profile import Profile
from tokendeck.ui.clipboard import ClipboardGuard
from tokendeck.ui.key_dialogs import CreateKeyDialog, RevealDialog
from tokendeck.ui.keys_model import KeyColumn
from tokendeck.ui.main_window import MainWindow


def drive(loop: asyncio.AbstractEventLoop, coro: Any) -> Any:
    return loop.run_until_complete(asyncio.wait_for(coro, 90))


async def keys_of(
    window: MainWindow, profile: Profile, account: Account, inputs: dict[str, str], secret: str
) -> tuple[AppServices, Account]:
    """Services with one signed-in account, its keys listed on the API keys tab."""
    services = await AppServices.start(
        profile.catalog_path, profile.vault_path, NoPrompt(), memory_store=True
    )
    connect(window, services)
    field = "private_key" if account.platform is Platform.ENCORD else "password"
    account = await services.accounts.add(account, inputs, {field: Secret(secret)})
    account = await services.sessions.sign_in(account)
    window.accounts_tab.reload()
    await until(lambda: window.accounts_tab.model.rowCount() == 1, "the account listed")
    keys = window.keys_tab
    window.show_tab(keys)
    await until(lambda: keys.current_account() is not None, "the account on the API keys tab")
    keys.follow(account)
    await until(lambda: keys.create_button.isEnabled() and not keys.runner.busy, "the keys listed")
    return services, account


def shown_rows(window: MainWindow) -> list[tuple[str, str, str]]:
    model = window.keys_tab.model
    return [
        (
            model.data(model.index(r, KeyColumn.NAME)),
            model.data(model.index(r, KeyColumn.SCOPES)),
            model.data(model.index(r, KeyColumn.STATE)),
        )
        for r in range(model.rowCount())
    ]


# -- (a) Rotate asks first ---------------------------------------------------------------------


def test_rotate_asks_first_and_cancel_creates_nothing(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    async def scenario() -> None:
        services, account = await keys_of(
            window,
            profile,
            Account(id="", name="DL", platform=Platform.DATALOOP, host=world.urls["dataloop"]),
            {"username": DEMO_USER},
            world.password,
        )
        keys = window.keys_tab
        try:
            await services.keys.create_key(account, "Rotate me", None)
            keys.reload()
            await until(lambda: keys.model.rowCount() == 1 and not keys.runner.busy, "one key")
            before = shown_rows(window)
            keys.view.selectRow(0)
            await settle()

            click(keys.rotate_button)
            box = await the_window(QMessageBox, what="the Rotate question")
            assert "Rotate “Rotate me” on Dataloop?" in box.text()
            details = box.informativeText()
            assert (
                "a new key, “Rotate me (rotated)”, with the same scopes and the same lifetime "
                "(1 year)" in details
            )
            assert "shows its secret once" in details
            assert "The old key keeps working until you revoke it" in details
            assert box.defaultButton() is button(box, "Cancel")
            await stays(lambda: not keys.runner.busy, "nothing runs before the answer", 0.5)
            assert keys.reveal is None

            click(button(box, "Cancel"))
            await settle()
            assert not visible_windows(QMessageBox)
            keys.reload()
            await until(lambda: not keys.runner.busy, "listed again")
            assert shown_rows(window) == before, "Cancel creates no key"

            keys.view.selectRow(0)
            click(keys.rotate_button)
            box = await the_window(QMessageBox, what="the Rotate question again")
            click(button(box, "Create the new key"))
            reveal = await the_window(RevealDialog, "reveal-dialog", "the new key, shown once")
            assert "Rotate me (rotated)" in " ".join(visible_labels(reveal))
            click(button(reveal, "Done"))
            offer = await the_window(QMessageBox, what="the offer to revoke the old key")
            assert "Revoke the old key “Rotate me” now?" in offer.text()
            assert offer.defaultButton() is button(offer, "Keep it for now")
            click(button(offer, "Keep it for now"))
            await until(
                lambda: keys.model.rowCount() == 2 and not keys.runner.busy, "both keys listed"
            )
            assert sorted(name for name, _, state in shown_rows(window) if state == "active") == [
                "Rotate me",
                "Rotate me (rotated)",
            ]
        finally:
            await settle()
            await services.aclose()

    drive(qloop, scenario())


# -- (b) Encord: least privilege -----------------------------------------------------------------


def test_encord_scopes_start_unticked_and_create_needs_one(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    async def scenario() -> None:
        services, _ = await keys_of(
            window,
            profile,
            Account(id="", name="Enc", platform=Platform.ENCORD, host=world.urls["encord"]),
            {"project_hash": world.encord_project},
            world.encord_key,
        )
        keys = window.keys_tab
        try:
            click(keys.create_button)
            dialog = await the_window(CreateKeyDialog, "create-key-dialog", "the Create dialog")
            boxes = [leaf.widget for leaf in leaves(dialog) if isinstance(leaf.widget, QCheckBox)]
            expected = account_forms.capabilities(Platform.ENCORD).key_scopes
            assert [b.text() for b in boxes] == list(expected)
            assert len(boxes) == 8
            assert not any(b.isChecked() for b in boxes), "least privilege: nothing ticked"
            create = button(dialog, "Create key")
            assert not create.isEnabled()
            name = next(w.widget for w in leaves(dialog) if w.widget.accessibleName() == "Key name")
            name.setFocus()
            QTest.keyClicks(name, "labels only")
            assert not create.isEnabled(), "a name is not enough: choose a scope"
            assert any("tick at least one" in text for text in visible_labels(dialog))

            label_read = next(b for b in boxes if b.text() == "label.read")
            click(label_read)
            assert label_read.isChecked()
            assert create.isEnabled()
            click(label_read)
            assert not create.isEnabled(), "unticking the last scope disables Create again"
            click(label_read)

            click(create)
            reveal = await the_window(RevealDialog, "reveal-dialog", "the new Encord key")
            click(button(reveal, "Done"))
            await until(
                lambda: (
                    any(name == "labels only (deprecated)" for name, _, _ in shown_rows(window))
                    and not keys.runner.busy
                ),
                "the new key listed",
            )
            scopes = {name: scopes for name, scopes, _ in shown_rows(window)}
            assert scopes["labels only (deprecated)"] == "label.read"
        finally:
            await settle()
            await services.aclose()

    drive(qloop, scenario())


# -- (c) The expiry says what is true per platform --------------------------------------------


@pytest.mark.parametrize(
    ("platform", "shown", "choices"),
    [
        (Platform.DATALOOP, "1 year after creation (fixed by Dataloop)", None),
        (Platform.ENCORD, "Never: Encord does not expire these keys", None),
        (Platform.HAUT, None, ["1 day", "7 days", "30 days", "90 days", "1 year"]),
        (
            Platform.TRIFACTA,
            None,
            ["1 day", "7 days", "30 days", "90 days", "1 year", "Never (if the workspace allows)"],
        ),
    ],
)
def test_create_dialog_says_the_expiry_of_each_platform(
    qtbot: QtBot, platform: Platform, shown: str | None, choices: list[str] | None
) -> None:
    caps = account_forms.capabilities(platform)
    dialog = CreateKeyDialog(None, caps, 0, "Work", PLATFORM_NAMES[platform])
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = visible_labels(dialog)
    assert not any("set by the platform" in text for text in labels)
    combos = [
        leaf.widget
        for leaf in leaves(dialog)
        if isinstance(leaf.widget, QComboBox) and leaf.widget.accessibleName() == "Expiry"
    ]
    if shown is not None:
        assert shown in labels, labels
        assert combos == [], "no choice to offer"
    else:
        assert len(combos) == 1
        combo = combos[0]
        assert combo.isEnabled()
        assert [combo.itemText(i) for i in range(combo.count())] == choices
    assert layout_problems(dialog) == []


def test_dataloop_limit_shown_and_create_disabled_at_the_limit(qtbot: QtBot) -> None:
    caps = account_forms.capabilities(Platform.DATALOOP)
    dialog = CreateKeyDialog(None, caps, 10, "Work", "Dataloop")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    labels = visible_labels(dialog)
    assert any(text.startswith("10 of at most 10 keys in use: 0 left.") for text in labels)
    assert "The platform's limit is reached: revoke a key first." in labels
    assert not button(dialog, "Create key").isEnabled()


# -- (d) The reveal dialog's Copy counts down ---------------------------------------------------


def _reveal(qtbot: QtBot, guard: ClipboardGuard, secret: str) -> RevealDialog:
    dialog = RevealDialog(None, "Work: CI key", Secret(secret), "the test store", guard)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_reveal_copy_counts_down_then_says_cleared(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    guard = ClipboardGuard(3)
    secret = "tdtest-reveal-countdown"
    dialog = _reveal(qtbot, guard, secret)
    copy = button(dialog, "Copy")

    async def scenario() -> None:
        click(copy)
        assert copy.text() == "Copied: clears in 3 s"
        assert QGuiApplication.clipboard().text() == secret
        await until(lambda: copy.text() == "Copied: clears in 2 s", "one second later", 3)
        assert guard.seconds_left == 2
        await until(lambda: copy.text() == "Copied: clears in 1 s", "two seconds later", 3)
        await until(lambda: copy.text() == "Clipboard cleared", "cleared", 3)
        assert QGuiApplication.clipboard().text() != secret
        assert copy.isEnabled(), "it can be copied again"
        click(copy)
        assert copy.text() == "Copied: clears in 3 s"
        guard.clear("test")
        assert copy.text() == "Clipboard cleared"

    drive(qloop, scenario())


def test_reveal_copy_says_copy_again_when_the_user_copied_something_else(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    guard = ClipboardGuard(2)
    dialog = _reveal(qtbot, guard, "tdtest-reveal-replaced")
    copy = button(dialog, "Copy")

    async def scenario() -> None:
        click(copy)
        assert copy.text() == "Copied: clears in 2 s"
        QGuiApplication.clipboard().setText("the user's own text")
        await until(lambda: not guard.active, "the timeout", 4)
        assert copy.text() == "Copy", "nothing of ours was cleared: it offers to copy again"
        assert QGuiApplication.clipboard().text() == "the user's own text"

        click(copy)
        assert copy.text() == "Copied: clears in 2 s"
        guard.copy_secret(Secret("tdtest-another-secret"), "another key")
        assert copy.text() == "Copy", "another secret's countdown is not this one's"
        guard.clear("test")
        assert copy.text() == "Copy"

    drive(qloop, scenario())


def test_reveal_stops_following_the_clipboard_once_closed(qtbot: QtBot) -> None:
    guard = ClipboardGuard(20)
    dialog = _reveal(qtbot, guard, "tdtest-reveal-closed")
    copy = button(dialog, "Copy")
    click(copy)
    click(button(dialog, "Done"))
    assert not dialog.isVisible()
    guard.clear("test")
    assert copy.text() == "Copied: clears in 20 s"


# -- (e) The status bar ----------------------------------------------------------------------


def _status_texts(window: MainWindow) -> list[QLabel]:
    bar = window.statusBar()
    return [
        leaf.widget
        for leaf in leaves(bar)
        if isinstance(leaf.widget, QLabel) and leaf.widget.text()
    ]


def test_status_bar_has_no_emoji_and_keeps_the_message_apart(
    qloop: asyncio.AbstractEventLoop, window: MainWindow
) -> None:
    async def scenario() -> None:
        window.set_store(StoreStatus(StoreKind.KEYRING, "System keyring (SecretService)"))
        long = (
            "Demo: every account talks to a local sandbox; secrets stay in memory, and this "
            "message is long enough to need the whole status bar."
        )
        window.show_message(long)
        window.clipboard.copy_secret(Secret("tdtest-status"), "CI pipeline")
        for size in (window.minimumSizeHint(), QSize(1600, 1000)):
            await resize_to(window, size)
            labels = _status_texts(window)
            texts = [label.text() for label in labels]
            assert any(t.startswith("Clipboard clears in 20 s") for t in texts), texts
            for label in labels:
                assert missing_glyphs(label.text(), label.font()) == [], label.text()
                assert not label.text().startswith(("📋", "⚠")), label.text()
            message, store = window.status_message, window.store_label
            neighbour = window.clipboard_label
            assert message.isVisible() and store.isVisible() and neighbour.isVisible()
            gap = neighbour.mapTo(window, QPoint(0, 0)).x() - (
                message.mapTo(window, QPoint(0, 0)).x() + message.width()
            )
            assert gap >= 12, f"the message runs into what follows it ({gap} px apart)"
            assert layout_problems(window.statusBar()) == []
            stored = "System keyring (SecretService)"
            for label, full, tip in (
                (message, long, long),
                (store, f"Secret store: {stored}", stored),
            ):
                assert label.text() == full
                if label.shown_text() != full:  # no room: cut with "…", all of it in the tooltip
                    assert label.shown_text().endswith("…"), label.shown_text()
                    assert tip in label.toolTip()
        assert store.shown_text() == f"Secret store: {stored}", "whole when there is room"

        window.clipboard.clear("now")
        assert not window.clipboard_label.isVisible()
        assert window.status_message.full_text() == "Clipboard cleared."

        window.set_store(StoreStatus(StoreKind.NONE, "No secret store"))
        assert window.store_label.full_text() == "No secret store: secrets cannot be saved"
        assert window.store_icon.isVisible(), "a real icon, not an emoji"
        assert window.store_label.tip_text() == "No secret store"

    drive(qloop, scenario())


def test_status_bar_says_the_truth_when_the_user_copied_since(
    qloop: asyncio.AbstractEventLoop, window: MainWindow
) -> None:
    async def scenario() -> None:
        window.clipboard.timeout_seconds = 1
        window.clipboard.copy_secret(Secret("tdtest-status-replaced"), "CI pipeline")
        QGuiApplication.clipboard().setText("the user's own text")
        await until(lambda: not window.clipboard.active, "the timeout", 3)
        assert window.status_message.full_text().startswith("Clipboard left as it is")
        assert QGuiApplication.clipboard().text() == "the user's own text"

    drive(qloop, scenario())
