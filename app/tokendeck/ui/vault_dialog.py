"""Asking for the vault's master password, as an awaitable dialog (implements VaultPrompt)."""

from __future__ import annotations

import asyncio

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.secret import Secret
from tokendeck.services.store_choice import VaultAction
from tokendeck.ui.dialog_fit import keep_text_whole
from tokendeck.ui.problem_text import ProblemLabel


class VaultDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, action: VaultAction, reason: str, error: str | None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("vault-dialog")
        self.setMinimumWidth(420)
        creating = action is VaultAction.CREATE
        self.setWindowTitle(
            "Create the encrypted vault" if creating else "Unlock the encrypted vault"
        )
        intro = QLabel(
            f"{reason}\n\n"
            + (
                "TokenDeck can keep your secrets in an encrypted vault file instead "
                "(scrypt + AES-256-GCM). Choose a master password: it is asked once per session and "
                "cannot be recovered."
                if creating
                else "Enter the master password of your TokenDeck vault."
            )
        )
        intro.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.password.setAccessibleName("Master password")
        self.repeat = QLineEdit()
        self.repeat.setEchoMode(QLineEdit.EchoMode.Password)
        self.repeat.setAccessibleName("Repeat master password")
        self.repeat.setVisible(creating)
        self.problem = ProblemLabel(error or "")
        self.problem.setObjectName("vault-error")
        form = QFormLayout()
        form.addRow("Master password:", self.password)
        if creating:
            form.addRow("Repeat:", self.repeat)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create vault" if creating else "Unlock")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("Continue without secrets")
        buttons.accepted.connect(self._check)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        keep_text_whole(self)
        self._creating = creating

    def _check(self) -> None:
        if self._creating and self.password.text() != self.repeat.text():
            self.problem.say("The two passwords differ.")
            return
        if self._creating and len(self.password.text()) < 8:
            self.problem.say("Use at least 8 characters.")
            return
        self.accept()

    def secret(self) -> Secret:
        return Secret(self.password.text())


class DialogVaultPrompt:
    def __init__(self, parent: QWidget | None) -> None:
        self._parent = parent
        self.dialog: VaultDialog | None = None

    async def ask_password(
        self, action: VaultAction, reason: str, error: str | None
    ) -> Secret | None:
        dialog = VaultDialog(self._parent, action, reason, error)
        self.dialog = dialog
        done: asyncio.Future[int] = asyncio.get_running_loop().create_future()

        def finish(result: int) -> None:
            if not done.done():
                done.set_result(result)

        dialog.finished.connect(finish)
        dialog.open()
        try:
            result = await done
            return dialog.secret() if result == QDialog.DialogCode.Accepted else None
        except asyncio.CancelledError:  # quitting meanwhile: the question goes away with it
            dialog.finished.disconnect(finish)
            dialog.reject()
            raise
        finally:
            self.dialog = None
            dialog.password.clear()
            dialog.repeat.clear()
            dialog.deleteLater()
