"""Creating a key (within the platform's rules) and showing a new secret exactly once."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.secret import Secret
from tokendeck.core.timefmt import format_duration
from tokendeck.ui.clipboard import ClipboardGuard

if TYPE_CHECKING:
    from tokendeck.services.account_forms import Capabilities


class CreateKeyDialog(QDialog):
    def __init__(
        self, parent: QWidget | None, caps: Capabilities, active_keys: int, account_name: str
    ) -> None:
        super().__init__(parent)
        self.setObjectName("create-key-dialog")
        self.setWindowTitle(f"New API key for {account_name}")
        self.setMinimumWidth(460)
        self.name = QLineEdit()
        self.name.setAccessibleName("Key name")
        self.name.setPlaceholderText("what it is for, e.g. CI pipeline")
        self.expiry = QComboBox()
        self.expiry.setAccessibleName("Expiry")
        if caps.expiry_choices:
            for choice in caps.expiry_choices:
                self.expiry.addItem(choice.label, choice.lifetime)
        elif caps.key_lifetime_fixed:
            self.expiry.addItem(
                f"{format_duration(caps.key_lifetime_fixed)} (set by the platform)",
                caps.key_lifetime_fixed,
            )
            self.expiry.setEnabled(False)
        else:
            self.expiry.addItem("set by the platform", None)
            self.expiry.setEnabled(False)
        self.scopes: list[QCheckBox] = []
        form = QFormLayout()
        form.addRow("Name:", self.name)
        form.addRow("Expires after:", self.expiry)
        for scope in caps.key_scopes:
            box = QCheckBox(scope)
            box.setChecked(True)
            self.scopes.append(box)
            form.addRow("Scope:" if len(self.scopes) == 1 else "", box)
        limits = []
        if caps.max_keys is not None:
            left = caps.max_keys - active_keys
            limits.append(
                f"{active_keys} of at most {caps.max_keys} keys in use: {max(0, left)} left."
            )
        if caps.notes:
            limits.append(caps.notes)
        self.limits = QLabel("\n".join(limits))
        self.limits.setObjectName("key-limits")
        self.limits.setWordWrap(True)
        self.problem = QLabel()
        self.problem.setStyleSheet("color: #c5221f")
        self.problem.hide()
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create key")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        if caps.max_keys is not None and active_keys >= caps.max_keys:
            self.ok.setEnabled(False)
            self.problem.setText("The platform's limit is reached: revoke a key first.")
            self.problem.show()
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.limits)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)

    def lifetime(self) -> timedelta | None:
        value = self.expiry.currentData()
        return value if isinstance(value, timedelta) else None

    def chosen_scopes(self) -> tuple[str, ...]:
        return tuple(box.text() for box in self.scopes if box.isChecked())

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.problem.setText("Give the key a name.")
            self.problem.show()
            return
        if self.scopes and not self.chosen_scopes():
            self.problem.setText("Choose at least one scope.")
            self.problem.show()
            return
        self.accept()


class RevealDialog(QDialog):
    """The new secret, once: stored in the secret store before this opens."""

    def __init__(
        self,
        parent: QWidget | None,
        label: str,
        secret: Secret,
        store: str,
        clipboard: ClipboardGuard,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("reveal-dialog")
        self.setWindowTitle("Your new key")
        self.setMinimumWidth(560)
        self._secret = secret
        self._clipboard = clipboard
        intro = QLabel(
            f"<b>{label}</b><br>The platform shows this secret only once and will not show it "
            f"again. TokenDeck has already stored it in {store}, so you can copy it later from the "
            "API keys or Tokens tab."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.value = QPlainTextEdit(secret.reveal())
        self.value.setObjectName("reveal-value")
        self.value.setReadOnly(True)
        self.value.setMaximumHeight(90)
        self.value.setAccessibleName("The new secret")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("reveal-copy")
        self.copy_button.clicked.connect(self.copy)
        close = QPushButton("Done")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QDialogButtonBox()
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.AcceptRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.value)
        layout.addWidget(buttons)

    def copy(self) -> None:
        self._clipboard.copy_secret(self._secret, "new key")
        self.copy_button.setText(f"Copied (clears in {self._clipboard.timeout_seconds} s)")

    def done(self, result: int) -> None:
        self.value.setPlainText("")
        super().done(result)
