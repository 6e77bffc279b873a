"""Sign in to an account that needs its password (or other secret) again.

Asks for the secret fields of the account's platform, masked where they are one line; a field
left empty uses what is stored. What is entered is kept only when the sign-in with it works: a
refusal shows by the field and keeps nothing, and the dialog stays open to try again."""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine, Mapping
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.errors import TokenDeckError
from tokendeck.core.models import PLATFORM_NAMES, Account
from tokendeck.core.secret import Secret
from tokendeck.services import account_forms
from tokendeck.ui.working_dialog import (
    FieldWidget,
    FormGrid,
    WorkingDialog,
    error_label,
    text_of,
)

SignIn = Callable[[Mapping[str, Secret]], Coroutine[Any, Any, Account]]
"""Signs in with the secrets entered (over the stored ones), storing them only if that works."""

USE_STORED = "stored — leave empty to use it"


class SignInDialog(WorkingDialog):
    def __init__(
        self,
        parent: QWidget | None,
        account: Account,
        stored: Collection[str],
        sign_in: SignIn,
        error: TokenDeckError | None = None,
    ) -> None:
        """`stored`: the secret fields the account holds; `error`: why this is asked (shown
        by the field it is about)."""
        super().__init__(parent)
        self.setObjectName("sign-in-dialog")
        self.setWindowTitle(f"Sign in to “{account.name}”")
        self.setMinimumWidth(460)
        self.account = account
        self._stored = frozenset(stored)
        self._sign_in = sign_in
        self.signed_in: Account | None = None

        where = PLATFORM_NAMES[account.platform]
        if account.host:
            where += f" at {account.host}"
        if account.username:
            where += f", as {account.username}"
        self.intro = QLabel(where)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)  # host and user came from outside
        self.intro.setObjectName("sign-in-intro")
        self.intro.setWordWrap(True)
        form = FormGrid(self.body)
        form.across(self.intro)
        self.fields: dict[str, FieldWidget] = {}
        self._errors: dict[str, QLabel] = {}
        specs = account_forms.secret_fields(account.platform)
        hint = account_forms.sign_in_hint(account.platform) if len(specs) > 1 else ""
        self.hint = QLabel(hint)
        self.hint.setObjectName("sign-in-hint")
        self.hint.setWordWrap(True)
        if hint:
            form.across(self.hint)
        for spec in specs:
            widget: FieldWidget
            placeholder = USE_STORED if spec.name in self._stored else spec.help
            if spec.multiline:
                text = QPlainTextEdit()
                text.setMaximumHeight(80)
                text.setTabChangesFocus(True)
                text.setPlaceholderText(placeholder)
                widget = text
            else:
                line = QLineEdit()
                line.setEchoMode(QLineEdit.EchoMode.Password)
                line.setPlaceholderText(placeholder)
                widget = line
            widget.setObjectName(f"field-{spec.name}")
            widget.setAccessibleName(spec.label)
            widget.setToolTip(spec.help)
            form.add(f"{spec.label}:", widget)
            self._errors[spec.name] = error_label(f"error-{spec.name}")
            form.under(self._errors[spec.name])
            self.fields[spec.name] = widget

        button = self.buttons.addButton("Sign in", QDialogButtonBox.ButtonRole.AcceptRole)
        assert button is not None
        self.sign_in_button: QPushButton = button
        self.sign_in_button.setObjectName("sign-in-submit")
        self.sign_in_button.setDefault(True)
        self.sign_in_button.clicked.connect(self._submit)
        layout = QVBoxLayout(self)
        layout.addWidget(self.body)
        layout.addStretch(1)
        layout.addWidget(self.banner)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        if error is not None:
            self._refused(set(self._stored), error)
        elif self.fields:
            first = next(iter(self.fields.values()))
            first.setFocus()

    def error_labels(self) -> Mapping[str, QLabel]:
        return self._errors

    def field(self, name: str) -> QWidget | None:
        return self.fields.get(name)

    def entered(self) -> dict[str, Secret]:
        return {n: Secret(v) for n, w in self.fields.items() if (v := text_of(w))}

    def _submit(self) -> None:
        entered = self.entered()
        if not entered and not self._stored and self.fields:
            names = " or ".join(w.accessibleName() for w in self.fields.values())
            self.show_problems({next(iter(self.fields)): f"Enter {names}."})
            return
        self.show_problems({})
        used = set(entered) | set(self._stored)
        self.attempt(
            f"Signing in to {PLATFORM_NAMES[self.account.platform]}",
            self._sign_in(entered),
            self._done,
            lambda error: self._refused(used, error),
        )

    def _done(self, account: Account) -> None:
        self.signed_in = account
        self.accept()

    def _refused(self, used: set[str], error: TokenDeckError) -> None:
        name = account_forms.field_for_error(self.account.platform, error, used)
        if name is not None and name in self._errors:
            self.show_problems({name: error.details()})
        else:
            self.show_problems({})
            self.banner.show_message(error.details(), error=True)
