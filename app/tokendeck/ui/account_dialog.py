"""Add or edit an account: the fields follow the chosen platform; problems show by each field."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.models import Account, Platform
from tokendeck.core.secret import Secret
from tokendeck.core.settings import format_thresholds, parse_thresholds
from tokendeck.services import account_forms
from tokendeck.services.account_forms import Field


@dataclass(frozen=True, slots=True)
class AccountDraft:
    account: Account
    inputs: dict[str, str]
    secrets: dict[str, Secret]


class AccountDialog(QDialog):
    def __init__(self, parent: QWidget | None, existing: Account | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("account-dialog")
        self.setWindowTitle("Edit account" if existing else "Add account")
        self.setMinimumWidth(520)
        self._existing = existing
        self._widgets: dict[str, QLineEdit | QComboBox | QPlainTextEdit] = {}
        self._errors: dict[str, QLabel] = {}

        self.platform = QComboBox()
        self.platform.setAccessibleName("Platform")
        for platform, title in account_forms.platforms():
            self.platform.addItem(title, platform.value)
        self.name = QLineEdit(existing.name if existing else "")
        self.name.setAccessibleName("Account name")
        self.name.setPlaceholderText("e.g. Dataloop production")
        self.host = QLineEdit(existing.host if existing else "")
        self.host.setAccessibleName("Host")
        self.thresholds = QLineEdit(
            format_thresholds(
                tuple(
                    timedelta(seconds=int(x)) for x in existing.settings.get("warn_thresholds", [])
                )
            )
            if existing
            else ""
        )
        self.thresholds.setAccessibleName("Warning thresholds for this account")
        self.thresholds.setPlaceholderText("empty: the thresholds from Settings (e.g. 2d, 1h)")
        self.notes = QLabel()
        self.notes.setWordWrap(True)
        self.notes.setStyleSheet("color: palette(mid)")
        self.form = QFormLayout()
        self.form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self._accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(self.form)
        layout.addWidget(self.notes)
        layout.addWidget(self.buttons)
        if existing is not None:
            self.platform.setCurrentIndex(self.platform.findData(existing.platform.value))
            self.platform.setEnabled(False)
        self.platform.currentIndexChanged.connect(self._rebuild)
        self._rebuild()

    @property
    def chosen(self) -> Platform:
        return Platform(str(self.platform.currentData()))

    def _error_label(self, name: str) -> QLabel:
        label = QLabel()
        label.setObjectName(f"error-{name}")
        label.setStyleSheet("color: #c5221f")
        label.setWordWrap(True)
        label.hide()
        self._errors[name] = label
        return label

    def _rebuild(self) -> None:
        while self.form.rowCount():
            self.form.takeRow(0)
        self._widgets.clear()
        self._errors.clear()
        caps = account_forms.capabilities(self.chosen)
        self.form.addRow("Platform:", self.platform)
        self.form.addRow("Name:", self.name)
        self.form.addRow("", self._error_label("name"))
        if self.chosen is not Platform.MANUAL:
            if not self._existing and (not self.host.text() or self.host.property("auto")):
                self.host.setText(caps.default_host)
                self.host.setProperty("auto", True)
            self.form.addRow("Host:", self.host)
            self.form.addRow("", self._error_label("host"))
        self.host.setVisible(self.chosen is not Platform.MANUAL)
        inputs = dict(self._existing.settings.get("inputs", {})) if self._existing else {}
        for field in caps.fields:
            widget = self._widget_for(field, inputs)
            self._widgets[field.name] = widget
            self.form.addRow(f"{field.label}:", widget)
            self.form.addRow("", self._error_label(field.name))
        self.form.addRow("Warn before expiry:", self.thresholds)
        self.form.addRow("", self._error_label("thresholds"))
        self.notes.setText(caps.notes)
        self.notes.setVisible(bool(caps.notes))

    def _widget_for(
        self, field: Field, inputs: dict[str, str]
    ) -> QLineEdit | QComboBox | QPlainTextEdit:
        widget: QLineEdit | QComboBox | QPlainTextEdit
        if field.choices:
            combo = QComboBox()
            combo.addItems(list(field.choices))
            combo.setCurrentText(inputs.get(field.name, field.default))
            widget = combo
        elif field.multiline:
            text = QPlainTextEdit()
            text.setMaximumHeight(80)
            text.setTabChangesFocus(True)
            if field.secret and self._existing:
                text.setPlaceholderText("stored — leave empty to keep it")
            widget = text
        else:
            line = QLineEdit(inputs.get(field.name, field.default) if not field.secret else "")
            if field.secret:
                line.setEchoMode(QLineEdit.EchoMode.Password)
                line.setPlaceholderText("stored — leave empty to keep it" if self._existing else "")
            else:
                line.setPlaceholderText(field.help)
            widget = line
        widget.setObjectName(f"field-{field.name}")
        widget.setAccessibleName(field.label)
        widget.setToolTip(field.help)
        return widget

    def _text(self, name: str) -> str:
        widget = self._widgets[name]
        if isinstance(widget, QComboBox):
            return widget.currentText()
        if isinstance(widget, QPlainTextEdit):
            return widget.toPlainText().strip()
        return widget.text().strip()

    def set_field(self, name: str, value: str) -> None:
        """Fill a platform field (used by tests and the demo)."""
        widget = self._widgets[name]
        if isinstance(widget, QComboBox):
            widget.setCurrentText(value)
        elif isinstance(widget, QPlainTextEdit):
            widget.setPlainText(value)
        else:
            widget.setText(value)

    def draft(self) -> AccountDraft:
        caps = account_forms.capabilities(self.chosen)
        secret_names = {f.name for f in caps.fields if f.secret}
        inputs = {n: self._text(n) for n in self._widgets if n not in secret_names}
        secrets = {
            n: Secret(self._text(n)) for n in self._widgets if n in secret_names and self._text(n)
        }
        base = self._existing or Account(id="", name="", platform=self.chosen, host="")
        settings = dict(base.settings)
        try:
            chosen = (
                parse_thresholds(self.thresholds.text()) if self.thresholds.text().strip() else ()
            )
        except ValueError:
            chosen = ()
        settings["warn_thresholds"] = [int(t.total_seconds()) for t in chosen]
        account = Account(
            id=base.id,
            name=self.name.text().strip(),
            platform=self.chosen,
            host=self.host.text().strip().rstrip("/") if self.chosen is not Platform.MANUAL else "",
            username=inputs.get("username", "") or inputs.get("client_id", "") or base.username,
            auth_method=base.auth_method,
            settings=settings,
            status=base.status,
        )
        return AccountDraft(account, inputs, secrets)

    def problems(self) -> dict[str, str]:
        draft = self.draft()
        found = account_forms.validate(
            self.chosen,
            draft.account.name,
            draft.account.host,
            draft.inputs,
            dict.fromkeys(draft.secrets, True),
            editing=self._existing is not None,
        )
        if self.thresholds.text().strip():
            try:
                parse_thresholds(self.thresholds.text())
            except ValueError as exc:
                found["thresholds"] = str(exc)
        return found

    def _accept(self) -> None:
        problems = self.problems()
        for name, label in self._errors.items():
            label.setText(problems.get(name, ""))
            label.setVisible(name in problems)
        if problems:
            first = next(iter(problems))
            target = self._widgets.get(first) or {
                "name": self.name,
                "host": self.host,
                "thresholds": self.thresholds,
            }.get(first)
            if target is not None:
                target.setFocus(Qt.FocusReason.OtherFocusReason)
            return
        self.accept()
