"""The tray icon: state of the worst upcoming expiry, and a menu to reach the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from tokendeck.ui.icons import TrayState, tray_icon


class Tray(QObject):
    show_requested = Signal()
    quit_requested = Signal()
    clear_clipboard_requested = Signal()
    notification_clicked = Signal(str)  # credential id
    copy_token_requested = Signal(str)  # account id

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(tray_icon(TrayState.OK), self)
        self.icon.setToolTip("TokenDeck")
        self.menu = QMenu()
        self.show_action = QAction("Show TokenDeck", self.menu)
        self.show_action.triggered.connect(self.show_requested)
        self.menu.addAction(self.show_action)
        self.menu.addSeparator()
        self.expiries_header = self.menu.addSection("Next expiries")
        self.expiry_actions: list[QAction] = []
        self.pinned_header = self.menu.addSection("Copy the current token")
        self.pinned_actions: list[QAction] = []
        self.menu.addSeparator()
        self.clear_action = QAction("Clear clipboard now", self.menu)
        self.clear_action.triggered.connect(self.clear_clipboard_requested)
        self.menu.addAction(self.clear_action)
        self.menu.addSeparator()
        self.quit_action = QAction("Quit", self.menu)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.icon.messageClicked.connect(self._on_message_clicked)
        self.state = TrayState.OK
        self._tooltip = "TokenDeck"
        self._clipboard_seconds = 0
        self._last_message_credential = ""
        self.messages: list[tuple[str, str]] = []

    @staticmethod
    def available() -> bool:
        return QSystemTrayIcon.isSystemTrayAvailable()

    def show(self) -> None:
        self.icon.show()

    def hide(self) -> None:
        self.icon.hide()

    def set_state(self, state: TrayState, tooltip: str) -> None:
        self.state = state
        self.icon.setIcon(tray_icon(state))
        self._tooltip = tooltip
        self._show_tooltip()

    def set_clipboard_countdown(self, seconds: int) -> None:
        """Seconds until a copied secret is cleared (0: nothing on the clipboard)."""
        self._clipboard_seconds = seconds
        self.clear_action.setText(
            f"Clear clipboard now ({seconds} s left)" if seconds else "Clear clipboard now"
        )
        self._show_tooltip()

    def _show_tooltip(self) -> None:
        extra = (
            f"\nClipboard clears in {self._clipboard_seconds} s" if self._clipboard_seconds else ""
        )
        self.icon.setToolTip(self._tooltip + extra)

    def set_window_visible(self, visible: bool) -> None:
        self.show_action.setText("Hide TokenDeck" if visible else "Show TokenDeck")

    def set_next_expiries(self, lines: list[tuple[str, str]]) -> None:
        """(text, credential id) for the few credentials expiring next."""
        for action in self.expiry_actions:
            self.menu.removeAction(action)
        self.expiry_actions = []
        anchor = self.menu.actions()[self.menu.actions().index(self.expiries_header) + 1]
        for text, credential_id in lines or [("Nothing expires soon", "")]:
            action = QAction(text, self.menu)
            action.setEnabled(bool(credential_id))
            action.triggered.connect(
                lambda _=False, cid=credential_id: self.notification_clicked.emit(cid)
            )
            self.menu.insertAction(anchor, action)
            self.expiry_actions.append(action)

    def set_pinned(self, accounts: list[tuple[str, str]]) -> None:
        """(name, account id) of the accounts pinned to the tray."""
        for action in self.pinned_actions:
            self.menu.removeAction(action)
        self.pinned_actions = []
        anchor = self.menu.actions()[self.menu.actions().index(self.pinned_header) + 1]
        for name, account_id in accounts or [("Pin an account on the Accounts tab", "")]:
            action = QAction(name, self.menu)
            action.setEnabled(bool(account_id))
            action.triggered.connect(
                lambda _=False, aid=account_id: self.copy_token_requested.emit(aid)
            )
            self.menu.insertAction(anchor, action)
            self.pinned_actions.append(action)

    def shows_messages(self) -> bool:
        """Whether this system's tray can show a balloon."""
        return bool(self.icon.supportsMessages())

    def notify(self, title: str, text: str, credential_id: str, *, critical: bool = False) -> None:
        self._last_message_credential = credential_id
        self.messages.append((title, text))
        icon = (
            QSystemTrayIcon.MessageIcon.Critical
            if critical
            else QSystemTrayIcon.MessageIcon.Warning
        )
        self.icon.showMessage(title, text, icon, 10_000)

    def _on_message_clicked(self) -> None:
        if self._last_message_credential:
            self.notification_clicked.emit(self._last_message_credential)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()
