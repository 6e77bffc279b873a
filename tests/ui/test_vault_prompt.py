"""The vault's password prompt, asked by the engine and answered (or not) by a person."""

from __future__ import annotations

import asyncio

import shiboken6
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from tests.ui.conftest import run
from tokendeck.services.store_choice import VaultAction
from tokendeck.ui.vault_dialog import DialogVaultPrompt


def test_a_prompt_whose_asker_goes_away_closes_and_forgets_what_was_typed(
    qloop: asyncio.AbstractEventLoop, qtbot: QtBot
) -> None:
    """Quitting while the vault prompt is open cancels the question: the dialog closes, its
    fields are emptied and it is deleted; nothing waits for an answer nobody will give."""
    parent = QWidget()
    qtbot.addWidget(parent)
    prompt = DialogVaultPrompt(parent)

    async def scenario() -> None:
        asking = asyncio.ensure_future(
            prompt.ask_password(VaultAction.UNLOCK, "No system keyring.", None)
        )
        for _ in range(100):
            await asyncio.sleep(0.01)
            if prompt.dialog is not None and prompt.dialog.isVisible():
                break
        dialog = prompt.dialog
        assert dialog is not None and dialog.isVisible()
        dialog.password.setText("tdtest-typed-password")
        typed: list[str] = []
        dialog.password.textChanged.connect(typed.append)
        closed: list[int] = []
        dialog.finished.connect(closed.append)
        asking.cancel()
        await asyncio.gather(asking, return_exceptions=True)
        assert asking.cancelled()
        assert prompt.dialog is None
        assert closed == [0] and typed[-1:] == [""], "rejected, and the field emptied"
        await asyncio.sleep(0.05)  # deleteLater runs
        assert not shiboken6.isValid(dialog)

    run(qloop, scenario())
