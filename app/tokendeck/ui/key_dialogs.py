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
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.secret import Secret
from tokendeck.core.timefmt import lifetime_text
from tokendeck.ui.clipboard import ClipboardGuard
from tokendeck.ui.dialog_fit import keep_text_whole
from tokendeck.ui.icons import Act, set_icon
from tokendeck.ui.problem_text import ProblemLabel
from tokendeck.ui.rich_text import escape
from tokendeck.ui.secret_view import SecretView

if TYPE_CHECKING:
    from tokendeck.services.account_forms import Capabilities


def expiry_text(caps: Capabilities, platform_name: str) -> str | None:
    """What a new key's expiry is when the platform leaves no choice (None: there is a choice).

    A platform with neither choices nor a fixed lifetime takes no lifetime and sets none: its
    keys have no expiry (they list as "never" on the API keys tab)."""
    if caps.expiry_choices:
        return None
    if caps.key_lifetime_fixed:
        return f"{lifetime_text(caps.key_lifetime_fixed)} after creation (fixed by {platform_name})"
    return f"Never: {platform_name} does not expire these keys"


class CreateKeyDialog(QDialog):
    def __init__(
        self,
        parent: QWidget | None,
        caps: Capabilities,
        active_keys: int,
        account_name: str,
        platform_name: str,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("create-key-dialog")
        self.setWindowTitle(f"New API key for {account_name}")
        self.setMinimumWidth(460)
        self._caps = caps
        self.name = QLineEdit()
        self.name.setAccessibleName("Key name")
        self.name.setPlaceholderText("what it is for, e.g. CI pipeline")
        form = QFormLayout()
        form.addRow("Name:", self.name)
        self.expiry: QComboBox | None = None
        self.expiry_label: QLabel | None = None
        fixed = expiry_text(caps, platform_name)
        if fixed is None:
            self.expiry = QComboBox()
            self.expiry.setAccessibleName("Expiry")
            for choice in caps.expiry_choices:
                self.expiry.addItem(choice.label, choice.lifetime)
            form.addRow("Expires after:", self.expiry)
        else:
            self.expiry_label = QLabel(fixed)
            self.expiry_label.setObjectName("key-expiry")
            self.expiry_label.setWordWrap(True)
            form.addRow("Expires:", self.expiry_label)
        self.scopes: list[QCheckBox] = []
        for scope in caps.key_scopes:
            box = QCheckBox(scope)
            box.toggled.connect(lambda _: self._update_ok())
            self.scopes.append(box)
            form.addRow("Scopes:" if len(self.scopes) == 1 else "", box)
        if self.scopes:
            self.scope_hint = QLabel(
                "The key gets only the scopes you tick: tick at least one, no more than it needs."
            )
            self.scope_hint.setObjectName("key-scope-hint")
            self.scope_hint.setWordWrap(True)
            form.addRow("", self.scope_hint)
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
        self.limits.setVisible(bool(limits))
        self.problem = ProblemLabel()
        self.problem.setObjectName("key-problem")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok.setText("Create key")
        buttons.accepted.connect(self._accept)
        buttons.rejected.connect(self.reject)
        self._limit_reached = caps.max_keys is not None and active_keys >= caps.max_keys
        if self._limit_reached:
            self.problem.say("The platform's limit is reached: revoke a key first.")
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.limits)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addWidget(buttons)
        keep_text_whole(self)
        self._update_ok()

    def _update_ok(self) -> None:
        """Create needs room under the platform's limit and, where there are scopes, one chosen."""
        scoped = not self.scopes or bool(self.chosen_scopes())
        self.ok.setEnabled(not self._limit_reached and scoped)

    def lifetime(self) -> timedelta | None:
        if self.expiry is None:
            return self._caps.key_lifetime_fixed
        value = self.expiry.currentData()
        return value if isinstance(value, timedelta) else None

    def chosen_scopes(self) -> tuple[str, ...]:
        return tuple(box.text() for box in self.scopes if box.isChecked())

    def _accept(self) -> None:
        if not self.name.text().strip():
            self.problem.say("Give the key a name.")
            self.name.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        if self.scopes and not self.chosen_scopes():
            self.problem.say("Choose at least one scope.")
            return
        self.accept()


class RevealDialog(QDialog):
    """The new secret, once: stored in the secret store before this opens.

    Copy puts it on the clipboard through the clipboard guard; the button then counts down the
    guard's own remaining time, and says "Clipboard cleared" once the guard has wiped it (or
    "Copy" again when the clipboard held something else by then, or another secret was copied)."""

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
        self._label = label
        self._clipboard = clipboard
        self._on_clipboard = False
        self._closed = False
        intro = QLabel(
            f"<b>{escape(label)}</b><br>The platform shows this secret only once and will "
            f"not show it again. TokenDeck has already stored it in {escape(store)}, so you "
            "can copy it later from the API keys or Tokens tab."
        )
        intro.setWordWrap(True)
        intro.setTextFormat(Qt.TextFormat.RichText)
        self.value = SecretView(secret, "The new secret")
        self.value.setObjectName("reveal-value")
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("reveal-copy")
        self.copy_button.setToolTip("Copy the secret; the clipboard is cleared after the timeout")
        self.copy_button.clicked.connect(self.copy)
        set_icon(self.copy_button, Act.COPY)
        # As wide as its longest text, so the countdown does not make the buttons jump.
        widest = max(
            self.copy_button.fontMetrics().horizontalAdvance(text)
            for text in ("Copy", "Clipboard cleared", self._copied_text(999))
        )
        self.copy_button.setMinimumWidth(widest + 32)
        close = QPushButton("Done")
        close.setDefault(True)
        close.clicked.connect(self.accept)
        buttons = QDialogButtonBox()
        buttons.addButton(self.copy_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.AcceptRole)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.value)
        layout.addStretch(1)
        layout.addWidget(buttons)
        keep_text_whole(self)
        clipboard.countdown.connect(self._on_countdown)
        clipboard.cleared.connect(self._on_cleared)

    @staticmethod
    def _copied_text(seconds: int) -> str:
        return f"Copied: clears in {seconds} s"

    def copy(self) -> None:
        self._clipboard.copy_secret(self._secret, self._label)

    def _on_countdown(self, seconds: int, _label: str) -> None:
        self._on_clipboard = self._clipboard.counting_down_for(self._secret)
        self.copy_button.setText(self._copied_text(seconds) if self._on_clipboard else "Copy")

    def _on_cleared(self, _why: str) -> None:
        if not self._on_clipboard:
            return
        self._on_clipboard = False
        self.copy_button.setText("Clipboard cleared" if self._clipboard.wiped else "Copy")

    def done(self, result: int) -> None:
        self.value.wipe()
        if not self._closed:
            self._closed = True
            self._clipboard.countdown.disconnect(self._on_countdown)
            self._clipboard.cleared.disconnect(self._on_cleared)
        super().done(result)
