"""Settings: warning thresholds, clipboard timeout, start-up, and the secret store in use."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.settings import (
    AppSettings,
    StorePreference,
    Theme,
    format_thresholds,
    parse_thresholds,
)
from tokendeck.core.store_status import StoreKind
from tokendeck.ui.dialog_fit import keep_text_whole
from tokendeck.ui.problem_text import ProblemLabel
from tokendeck.ui.rich_text import escape
from tokendeck.ui.task_runner import TaskRunner
from tokendeck.ui.vault_dialog import DialogVaultPrompt

if TYPE_CHECKING:
    from tokendeck.services.door import Door


THEME_NAMES = {
    Theme.SYSTEM: "As the system (light or dark)",
    Theme.LIGHT: "Light",
    Theme.DARK: "Dark",
}


class SettingsDialog(QDialog):
    applied = Signal(object)  # AppSettings

    def __init__(
        self,
        parent: QWidget | None,
        settings: AppSettings,
        door: Door,
        vault_path: Path,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settings-dialog")
        self.setWindowTitle("TokenDeck settings")
        self._settings = settings
        self._door = door
        self._vault_path = vault_path
        self._runner = TaskRunner(parent=self)  # the move reports in the dialog itself

        warnings = QGroupBox("Expiry warnings")
        form = QFormLayout(warnings)
        self.thresholds = QLineEdit(format_thresholds(settings.thresholds))
        self.thresholds.setAccessibleName("Warning thresholds")
        self.thresholds.setToolTip("Durations before expiry, e.g. 7d, 1d, 1h, 10m")
        self.thresholds_error = ProblemLabel()
        self.thresholds_error.setObjectName("settings-thresholds-error")
        self.thresholds.textChanged.connect(self._validate)
        form.addRow("Warn before expiry:", self.thresholds)
        form.addRow("", self.thresholds_error)

        desktop = QGroupBox("Desktop")
        dform = QFormLayout(desktop)
        self.clipboard_seconds = QSpinBox()
        self.clipboard_seconds.setRange(5, 600)
        self.clipboard_seconds.setSuffix(" s")
        self.clipboard_seconds.setValue(settings.clipboard_seconds)
        self.clipboard_seconds.setAccessibleName("Clipboard timeout")
        self.start_minimized = QCheckBox("Start minimised to the tray")
        self.start_minimized.setChecked(settings.start_minimized)
        self.auto_refresh = QCheckBox("Refresh sessions automatically before they expire")
        self.auto_refresh.setChecked(settings.auto_refresh)
        self.theme = QComboBox()
        self.theme.setObjectName("settings-theme")
        self.theme.setAccessibleName("Theme")
        for theme, text in THEME_NAMES.items():
            self.theme.addItem(text, theme.value)
        self.theme.setCurrentIndex(list(THEME_NAMES).index(settings.theme))
        dform.addRow("Theme:", self.theme)
        dform.addRow("Clear copied secrets after:", self.clipboard_seconds)
        dform.addRow(self.auto_refresh)
        dform.addRow(self.start_minimized)

        store = QGroupBox("Secret store")
        sform = QVBoxLayout(store)
        self.store_label = QLabel()
        self.store_label.setObjectName("settings-store")
        self.store_label.setWordWrap(True)
        self.move_button = QPushButton()
        self.move_button.setObjectName("settings-move")
        self.move_button.clicked.connect(self._move)
        self.move_status = QLabel()
        self.move_status.setWordWrap(True)
        sform.addWidget(self.store_label)
        sform.addWidget(self.move_button)
        sform.addWidget(self.move_status)
        self._show_store()

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        buttons.accepted.connect(self._save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (warnings, desktop, store):
            layout.addWidget(widget)
        layout.addStretch(1)  # a tall dialog grows empty space at the end, not empty panels
        layout.addWidget(buttons)
        keep_text_whole(self)

    def _in_vault(self) -> bool:
        return self._door.store_status().kind is StoreKind.VAULT

    def _show_store(self) -> None:
        status = self._door.store_status()
        if status.kind is StoreKind.STARTING:
            self.store_label.setText("Still starting…")
            self.move_button.setEnabled(False)
            return
        self.store_label.setText(f"In use: <b>{escape(status.description)}</b>")
        self.move_button.setText(
            "Move all secrets to the system keyring…"
            if self._in_vault()
            else "Move all secrets to the encrypted vault…"
        )
        self.move_button.setEnabled(status.movable)

    def _validate(self) -> bool:
        try:
            parse_thresholds(self.thresholds.text())
        except ValueError as exc:
            self.thresholds_error.setText(str(exc))
            self.thresholds_error.show()
            self.save_button.setEnabled(False)
            return False
        self.thresholds_error.hide()
        self.save_button.setEnabled(True)
        return True

    def current(self) -> AppSettings:
        return replace(
            self._settings,
            thresholds=parse_thresholds(self.thresholds.text()),
            clipboard_seconds=self.clipboard_seconds.value(),
            start_minimized=self.start_minimized.isChecked(),
            auto_refresh=self.auto_refresh.isChecked(),
            store=StorePreference.VAULT if self._in_vault() else StorePreference.AUTO,
            theme=Theme(str(self.theme.currentData())),
        )

    def _save(self) -> None:
        if self._validate():
            self.applied.emit(self.current())
            self.accept()

    def _move(self) -> None:
        # Never replaced by a second press (the button is off meanwhile): a move runs whole.
        self._runner.quietly("Moving the secrets", self.move_all_secrets(), replace=False)

    async def move_all_secrets(self, prompt: Any = None) -> None:
        """Move every held secret to the other store; the result shows in the dialog."""
        if not self._door.store_status().movable:
            return
        self.move_button.setEnabled(False)
        self.move_status.setText("Moving…")
        try:
            moved = await self._door.move_secrets(
                self._vault_path, prompt or DialogVaultPrompt(self)
            )
        except Exception as exc:  # every failure is explained; the old store keeps its secrets
            self.move_status.setText(f"Nothing was lost, but the move failed: {exc}")
            return
        finally:
            self._show_store()
        if moved is None:
            self.move_status.setText("Nothing was moved.")
            return
        where = self._door.store_status().place
        self.move_status.setText(f"Moved {moved} secret(s) to {where}.")
        self.applied.emit(replace(self.current()))
