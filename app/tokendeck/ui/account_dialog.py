"""Add or edit an account: the fields follow the chosen platform; problems show by each field.

Every platform's rows are built once, in one form, and only the chosen platform's rows are
shown: switching the platform hides one set of rows and shows another, so nothing of the
previous platform can stay on screen. Name, host and thresholds are shared by all.

Save signs in with the values first (the dialog stays open, busy) and keeps the account only
when that works; a refusal shows by the field it is about. "Save without signing in" keeps the
account as it is (for offline setup).

Longer than most modules (~390 lines): the form, its per-platform rows and its sign-in-before-save
flow share the same widgets and state; split, each part would reach into the others'."""

from __future__ import annotations

from collections.abc import Callable, Collection, Coroutine, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QComboBox,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.errors import TokenDeckError
from tokendeck.core.models import PLATFORM_NAMES, Account, AccountSettings, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.settings import format_thresholds, parse_thresholds
from tokendeck.services import account_forms
from tokendeck.services.account_forms import Field
from tokendeck.ui.connection_rows import ConnectionRows
from tokendeck.ui.working_dialog import (
    FieldWidget,
    FormGrid,
    WorkingDialog,
    error_label,
    text_of,
)

STORED = "stored — leave empty to keep it"
SHARED = ("name", "host", "thresholds", "exec_env")


@dataclass(frozen=True, slots=True)
class AccountDraft:
    account: Account
    inputs: dict[str, str]
    secrets: dict[str, Secret]


SaveAccount = Callable[[AccountDraft, bool], Coroutine[Any, Any, Account]]
"""Keeps a draft; the flag says whether to sign in with it first (and keep it only if that works)."""


@dataclass
class PlatformRows:
    """One platform's rows of the form: built once, shown only while it is chosen."""

    platform: Platform
    hint: QLabel | None = None
    labels: dict[str, QLabel] = field(default_factory=dict)
    widgets: dict[str, FieldWidget] = field(default_factory=dict)
    errors: dict[str, QLabel] = field(default_factory=dict)

    def everything(self) -> list[QWidget]:
        hint: list[QWidget] = [self.hint] if self.hint is not None else []
        return [*hint, *self.labels.values(), *self.widgets.values(), *self.errors.values()]


class AccountDialog(WorkingDialog):
    def __init__(
        self,
        parent: QWidget | None,
        existing: Account | None = None,
        *,
        stored: Collection[str] | None = None,
        save: SaveAccount | None = None,
    ) -> None:
        """`stored`: the secret fields the account holds (None: not known); `save` keeps the
        draft (None: the dialog only checks the form and accepts)."""
        super().__init__(parent)
        self.setObjectName("account-dialog")
        self.setWindowTitle("Edit account" if existing else "Add account")
        self.setMinimumWidth(520)
        self._existing = existing
        self._stored = frozenset(stored) if stored is not None else None
        self._save = save
        self.saved: Account | None = None
        self.signed_in_to_save = False  # whether `saved` was signed in with these values

        self.platform = QComboBox()
        self.platform.setObjectName("account-platform")
        self.platform.setAccessibleName("Platform")
        for platform, title in account_forms.platforms():
            self.platform.addItem(title, platform.value)
        if existing is not None:
            self.platform.setCurrentIndex(self.platform.findData(existing.platform.value))
            self.platform.setEnabled(False)
        self.name = QLineEdit(existing.name if existing else "")
        self.name.setObjectName("account-name")
        self.name.setAccessibleName("Account name")
        self.host = QLineEdit(existing.host if existing else "")
        self.host.setObjectName("account-host")
        self.host.setAccessibleName("Host")
        # The host follows the platform until a person types one.
        self.host.setProperty("auto", existing is None)
        self.host.textEdited.connect(lambda text: self.host.setProperty("auto", not text))

        self.form = FormGrid(self.body)
        self._shared_errors = {n: error_label(f"error-{n}") for n in SHARED}
        self._row("Platform:", self.platform)
        self._row("Name:", self.name, self._shared_errors["name"])
        self._host_label = self._row("Host:", self.host, self._shared_errors["host"])

        inputs = dict(existing.settings.inputs) if existing else {}
        self._rows: dict[Platform, PlatformRows] = {}
        for platform, _ in account_forms.platforms():
            if existing is None or platform is existing.platform:
                self._rows[platform] = self._build_rows(platform, inputs)

        self.thresholds = QLineEdit(
            format_thresholds(
                tuple(timedelta(seconds=x) for x in existing.settings.warn_thresholds)
            )
            if existing
            else ""
        )
        self.thresholds.setObjectName("account-thresholds")
        self.thresholds.setAccessibleName("Warning thresholds for this account")
        self.thresholds.setPlaceholderText("empty: the thresholds from Settings (e.g. 2d, 1h)")
        self._row("Warn before expiry:", self.thresholds, self._shared_errors["thresholds"])
        self.exec_env = QLineEdit(existing.settings.exec_env if existing else "")
        self.exec_env.setObjectName("account-exec-env")
        self.exec_env.setAccessibleName("Environment variable for tokendeck exec")
        self.exec_env.setToolTip(
            "tokendeck exec ACCOUNT -- COMMAND runs COMMAND with this account's token in this "
            "environment variable"
        )
        self._row("Script variable:", self.exec_env, self._shared_errors["exec_env"])
        self.connection = ConnectionRows(
            self.form, existing.settings if existing else AccountSettings()
        )

        self.notes = QLabel()
        self.notes.setObjectName("account-notes")
        self.notes.setWordWrap(True)

        save_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Save)
        assert save_button is not None
        self.save_button: QPushButton = save_button
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(lambda: self._accept(sign_in=True))
        self.offline_button = self.buttons.addButton(
            "Save without signing in", QDialogButtonBox.ButtonRole.ActionRole
        )
        self.offline_button.setObjectName("account-save-offline")
        self.offline_button.setAutoDefault(False)
        self.offline_button.setToolTip(
            "Keep the account without checking it with the platform (e.g. offline); "
            "sign in later from the Accounts tab."
        )
        self.offline_button.clicked.connect(lambda: self._accept(sign_in=False))

        layout = QVBoxLayout(self)
        layout.addWidget(self.body)
        layout.addWidget(self.notes)
        layout.addStretch(1)
        layout.addWidget(self.banner)
        layout.addWidget(self.busy)
        layout.addWidget(self.buttons)
        self.platform.currentIndexChanged.connect(lambda _: self._show_platform())
        self._show_platform()

    # -- building ---------------------------------------------------------------------------

    def _row(self, text: str, widget: QWidget, error: QLabel | None = None) -> QLabel:
        label = self.form.add(text, widget)
        if error is not None:
            self.form.under(error)
        return label

    def _build_rows(self, platform: Platform, inputs: Mapping[str, str]) -> PlatformRows:
        rows = PlatformRows(platform)
        hint = account_forms.sign_in_hint(platform)
        if hint:
            rows.hint = QLabel(hint)
            rows.hint.setObjectName(f"hint-{platform.value}")
            rows.hint.setWordWrap(True)
            self.form.under(rows.hint)
        for spec in account_forms.capabilities(platform).fields:
            widget = self._widget_for(spec, inputs)
            error = error_label(f"error-{spec.name}")
            rows.widgets[spec.name] = widget
            rows.errors[spec.name] = error
            rows.labels[spec.name] = self._row(f"{spec.label}:", widget, error)
        for part in rows.everything():
            part.setProperty("platform", platform.value)
        return rows

    def _widget_for(self, spec: Field, inputs: Mapping[str, str]) -> FieldWidget:
        widget: FieldWidget
        if spec.choices:
            combo = QComboBox()
            combo.addItems(list(spec.choices))
            combo.setCurrentText(inputs.get(spec.name, spec.default))
            widget = combo
        elif spec.multiline:
            text = QPlainTextEdit()
            text.setMaximumHeight(80)
            text.setTabChangesFocus(True)
            text.setPlaceholderText(self._placeholder(spec))
            widget = text
        else:
            line = QLineEdit("" if spec.secret else inputs.get(spec.name, spec.default))
            if spec.secret:
                line.setEchoMode(QLineEdit.EchoMode.Password)
            line.setPlaceholderText(self._placeholder(spec))
            widget = line
        # `field-<name>` is what layout checks and tests look for; only one platform's rows are
        # ever visible, so a name two platforms share is never on screen twice.
        widget.setObjectName(f"field-{spec.name}")
        widget.setProperty("field", spec.name)
        widget.setAccessibleName(spec.label)
        widget.setToolTip(spec.help)
        return widget

    def _placeholder(self, spec: Field) -> str:
        if not spec.secret or self._existing is None:
            return spec.help
        if self._stored is None:
            return "leave empty to keep what is stored"
        if spec.name in self._stored:
            return STORED
        return spec.help or "not stored"

    # -- the chosen platform ----------------------------------------------------------------

    @property
    def chosen(self) -> Platform:
        return Platform(str(self.platform.currentData()))

    @property
    def fields(self) -> Mapping[str, FieldWidget]:
        """The chosen platform's field widgets, by field name."""
        return self._rows[self.chosen].widgets

    def _show_platform(self) -> None:
        chosen = self.chosen
        for rows in self._rows.values():
            if rows.platform is not chosen:
                for widget in rows.everything():
                    widget.hide()
        rows = self._rows[chosen]
        for name, widget in rows.widgets.items():
            rows.labels[name].show()
            widget.show()
            rows.errors[name].setVisible(bool(rows.errors[name].text()))
        if rows.hint is not None:
            rows.hint.show()
        manual = not account_forms.has_host(chosen)  # a pasted token
        self.connection.shown(not manual)
        self._host_label.setVisible(not manual)
        self.host.setVisible(not manual)
        host_error = self._shared_errors["host"]
        host_error.setVisible(not manual and bool(host_error.text()))
        if not manual and self.host.property("auto"):
            self.host.setText(account_forms.capabilities(chosen).default_host)
        self.name.setPlaceholderText(
            "e.g. CI deploy token"
            if manual
            else f"e.g. {PLATFORM_NAMES[chosen].split(' / ')[0]} production"
        )
        self.exec_env.setPlaceholderText(
            f"empty: {account_forms.exec_env_default(chosen)} (for tokendeck exec)"
        )
        caps = account_forms.capabilities(chosen)
        self.notes.setText(caps.notes)
        self.notes.setVisible(bool(caps.notes))
        self.offline_button.setVisible(account_forms.signs_in_remotely(chosen))
        self.save_button.setToolTip(
            "Sign in with these values, and keep the account only when that works."
            if account_forms.signs_in_remotely(chosen)
            else ""
        )
        if self.isVisible():
            # Once the rows just shown and hidden are laid out (not before: their sizes are
            # not known yet), as high as they need.
            QTimer.singleShot(0, self, lambda: self.fit_to_content(shrink=True))

    def error_labels(self) -> Mapping[str, QLabel]:
        connection = self.connection.errors if account_forms.has_host(self.chosen) else {}
        return {**self._shared_errors, **connection, **self._rows[self.chosen].errors}

    def show_problems(self, problems: Mapping[str, str]) -> None:
        if any(name in problems for name in self.connection.errors):
            self.connection.open()  # the message and its field, not a message alone
        super().show_problems(problems)

    def field(self, name: str) -> QWidget | None:
        shared: dict[str, QWidget] = {
            "name": self.name,
            "host": self.host,
            "thresholds": self.thresholds,
            "exec_env": self.exec_env,
            **self.connection.fields(),
        }
        return shared.get(name) or self.fields.get(name)

    def set_field(self, name: str, value: str) -> None:
        """Fill a field of the chosen platform (used by tests and the demo)."""
        widget = self.fields[name]
        if isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        else:
            widget.setText(value)

    # -- the values -------------------------------------------------------------------------

    def draft(self) -> AccountDraft:
        """The chosen platform's values (nothing of any other platform)."""
        secret_names = {f.name for f in account_forms.secret_fields(self.chosen)}
        values = {n: text_of(w) for n, w in self.fields.items()}
        inputs = {n: v for n, v in values.items() if n not in secret_names}
        secrets = {n: Secret(v) for n, v in values.items() if n in secret_names and v}
        base = self._existing or Account(id="", name="", platform=self.chosen, host="")
        try:
            chosen = (
                parse_thresholds(self.thresholds.text()) if self.thresholds.text().strip() else ()
            )
        except ValueError:
            chosen = ()
        ca_bundle, proxy = self.connection.values()
        settings = replace(
            base.settings,
            warn_thresholds=tuple(int(t.total_seconds()) for t in chosen),
            ca_bundle=ca_bundle,
            proxy=proxy,
            exec_env=self.exec_env.text().strip(),
        )
        account = Account(
            id=base.id,
            name=self.name.text().strip(),
            platform=self.chosen,
            host=(
                self.host.text().strip().rstrip("/") if account_forms.has_host(self.chosen) else ""
            ),
            username=inputs.get("username", "") or inputs.get("client_id", "") or base.username,
            auth_method=base.auth_method,
            settings=settings,
            status=base.status,
        )
        return AccountDraft(account, inputs, secrets)

    def _held(self, draft: AccountDraft) -> set[str]:
        """The secrets a sign-in with this draft uses: entered, or stored and left empty."""
        return set(draft.secrets) | set(self._stored or ())

    def problems(self) -> dict[str, str]:
        draft = self.draft()
        found = account_forms.validate(
            self.chosen,
            draft.account.name,
            draft.account.host,
            draft.inputs,
            dict.fromkeys(self._held(draft), True),
            editing=self._existing is not None and self._stored is None,
        )
        if self.thresholds.text().strip():
            try:
                parse_thresholds(self.thresholds.text())
            except ValueError as exc:
                found["thresholds"] = str(exc)
        found.update(account_forms.connection_problems(*self.connection.values()))
        exec_env = account_forms.exec_env_problem(self.exec_env.text().strip())
        if exec_env is not None:
            found["exec_env"] = exec_env
        return found

    # -- saving -----------------------------------------------------------------------------

    def _accept(self, sign_in: bool = True) -> None:
        problems = self.problems()
        self.show_problems(problems)
        if problems:
            return
        if self._save is None:
            self.accept()
            return
        draft = self.draft()
        caps = account_forms.capabilities(self.chosen)
        # A pasted token "signs in" locally (it becomes the session): never refused by a host.
        sign_in = sign_in and bool(caps.sign_in_methods)
        label = (
            f"Signing in to {PLATFORM_NAMES[self.chosen]}"
            if sign_in and account_forms.signs_in_remotely(self.chosen)
            else "Saving"
        )
        self.signed_in_to_save = sign_in
        self.attempt(
            label,
            self._save(draft, sign_in),
            self._saved,
            lambda error: self._refused(draft, error),
        )

    def _saved(self, account: Account) -> None:
        self.saved = account
        self.accept()

    def _refused(self, draft: AccountDraft, error: TokenDeckError) -> None:
        """Nothing was kept: say why by the field it is about (or in the banner)."""
        name = account_forms.field_for_error(self.chosen, error, self._held(draft))
        if name is not None and name in self.error_labels():
            self.show_problems({name: error.details()})
        else:
            self.show_problems({})
            self.banner.show_message(error.details(), error=True)
