"""The tray icon: state of the worst upcoming expiry, and a menu to reach the window."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from tokendeck.ui.icons import TrayState, tray_icon


class Tray(QObject):
    show_requested = Signal()
    quit_requested = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.icon = QSystemTrayIcon(tray_icon(TrayState.OK), self)
        self.icon.setToolTip("TokenDeck")
        self.menu = QMenu()
        self.show_action = QAction("Show TokenDeck", self.menu)
        self.show_action.triggered.connect(self.show_requested)
        self.menu.addAction(self.show_action)
        self.menu.addSeparator()
        self.quit_action = QAction("Quit", self.menu)
        self.quit_action.triggered.connect(self.quit_requested)
        self.menu.addAction(self.quit_action)
        self.icon.setContextMenu(self.menu)
        self.icon.activated.connect(self._on_activated)
        self.state = TrayState.OK

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
        self.icon.setToolTip(tooltip)

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self.show_requested.emit()
