"""The main window: Accounts, API keys and Tokens tabs, a menu bar and a status bar."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QStyle,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from tokendeck import APP_NAME, __version__
from tokendeck.ui.empty_state import EmptyState
from tokendeck.ui.icons import app_icon
from tokendeck.ui.ticker import Ticker

if TYPE_CHECKING:
    from tokendeck.services.key_lookup import KeyLookup
    from tokendeck.ui.inspector import InspectorPane


class MainWindow(QMainWindow):
    quit_requested = Signal()
    add_account_requested = Signal()

    def __init__(
        self,
        ticker: Ticker,
        settings: QSettings,
        *,
        has_tray: bool,
        key_lookup: Callable[[], KeyLookup] | None = None,
    ) -> None:
        super().__init__()
        self.setObjectName("main-window")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self._settings = settings
        self._has_tray = has_tray
        self._quitting = False
        self.ticker = ticker
        self.key_lookup = key_lookup

        self.tabs = QTabWidget()
        self.tabs.setObjectName("main-tabs")
        self.tabs.setDocumentMode(True)
        self.accounts_page = self._accounts_page()
        self.keys_page = self._keys_page()
        self._inspector: InspectorPane | None = None
        self.tokens_page = self._tokens_page()
        style = self.style()
        self.tabs.addTab(
            self.accounts_page,
            style.standardIcon(QStyle.StandardPixmap.SP_DirHomeIcon),
            "&Accounts",
        )
        self.tabs.addTab(
            self.keys_page,
            style.standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
            "API &keys",
        )
        self.tabs.addTab(
            self.tokens_page,
            style.standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView),
            "&Tokens",
        )
        self.setCentralWidget(self.tabs)
        self.tabs.currentChanged.connect(self._on_tab_changed)

        self.store_label = QLabel("Secret store: starting…")
        self.store_label.setObjectName("status-store")
        self.store_label.setAccessibleName("Secret store in use")
        self.clipboard_label = QLabel()
        self.clipboard_label.setObjectName("status-clipboard")
        self.clipboard_label.hide()
        self.statusBar().addPermanentWidget(self.clipboard_label)
        self.statusBar().addPermanentWidget(self.store_label)
        self.statusBar().showMessage("Ready", 5000)

        self._build_menus()
        self.resize(1180, 760)
        self._restore_state()

    # -- pages ------------------------------------------------------------------------------

    def _accounts_page(self) -> QStackedWidget:
        stack = QStackedWidget()
        stack.setObjectName("accounts-page")
        empty = EmptyState(
            app_icon(),
            "No accounts yet",
            "Add an account to sign in to Dataloop, Haut.AI, Encord, Visual Layer, Trifacta / "
            "Alteryx / Dataprep or any OAuth 2.0 service. TokenDeck keeps its secrets in your "
            "system keyring and refreshes its tokens before they expire.\n\n"
            "No account at hand? Start TokenDeck with --demo to try everything against a local "
            "sandbox.",
        )
        self.add_account_button = empty.add_button("Add account…", primary=True)
        self.add_account_button.clicked.connect(self.add_account_requested)
        stack.addWidget(empty)
        return stack

    def _keys_page(self) -> QStackedWidget:
        stack = QStackedWidget()
        stack.setObjectName("keys-page")
        empty = EmptyState(
            self.style().standardIcon(QStyle.StandardPixmap.SP_DialogApplyButton),
            "No account selected",
            "API keys are listed per account. Add an account on the Accounts tab, sign in, then "
            "select it here to list, create, rotate and revoke its long-lived keys.",
        )
        go = empty.add_button("Go to Accounts")
        go.clicked.connect(lambda: self.tabs.setCurrentIndex(0))
        stack.addWidget(empty)
        return stack

    def _tokens_page(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setObjectName("tokens-splitter")
        held = QStackedWidget()
        held.setObjectName("held-tokens")
        empty = EmptyState(
            self.style().standardIcon(QStyle.StandardPixmap.SP_FileDialogDetailedView),
            "No tokens held yet",
            "Tokens appear here when you sign in to an account, create an API key, or paste a "
            "token into the Inspector and press “Track this token…”.",
        )
        held.addWidget(empty)
        splitter.addWidget(held)
        splitter.addWidget(QWidget())
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        self.tokens_splitter = splitter
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(splitter)
        return page

    @property
    def inspector(self) -> InspectorPane:
        """Built on first use: it is not on the path to the first paint."""
        if self._inspector is None:
            from tokendeck.ui.inspector import InspectorPane

            self._inspector = InspectorPane(self.ticker, self.key_lookup)
            placeholder = self.tokens_splitter.widget(1)
            self.tokens_splitter.replaceWidget(1, self._inspector)
            if placeholder is not None:
                placeholder.deleteLater()
            splitter_state = self._settings.value("window/tokens_splitter")
            if isinstance(splitter_state, QByteArray):
                self.tokens_splitter.restoreState(splitter_state)
        return self._inspector

    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.tokens_page:
            _ = self.inspector

    # -- menus ------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_account_action = QAction("&New account…", self)
        self.new_account_action.setShortcut(QKeySequence.StandardKey.New)
        self.new_account_action.triggered.connect(self.add_account_requested)
        file_menu.addAction(self.new_account_action)
        file_menu.addSeparator()
        self.close_action = QAction("&Close window", self)
        self.close_action.setShortcut(QKeySequence.StandardKey.Close)
        self.close_action.triggered.connect(self.close)
        file_menu.addAction(self.close_action)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        self.quit_action.triggered.connect(self.request_quit)
        file_menu.addAction(self.quit_action)

        view_menu = self.menuBar().addMenu("&View")
        for index, name in enumerate(("&Accounts", "API &keys", "&Tokens")):
            action = QAction(name, self)
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
        self.inspect_action = QAction("&Inspect a token", self)
        self.inspect_action.setShortcut(QKeySequence("Ctrl+I"))
        self.inspect_action.triggered.connect(self.focus_inspector)
        view_menu.addAction(self.inspect_action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About TokenDeck", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)

    def focus_inspector(self) -> None:
        self.tabs.setCurrentWidget(self.tokens_page)
        self.inspector.input.setFocus()

    def _about(self) -> None:
        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME} {__version__}</b><p>API keys and tokens for data platforms, kept "
            "fresh, stored in your system keyring, with warnings before anything expires.</p>",
        )

    # -- state and closing ------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        tab = self._settings.value("window/tab", 0, type=int)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def save_state(self) -> None:
        self._settings.setValue("window/geometry", self.saveGeometry())
        self._settings.setValue("window/tokens_splitter", self.tokens_splitter.saveState())
        self._settings.setValue("window/tab", self.tabs.currentIndex())
        self._settings.sync()

    def request_quit(self) -> None:
        self._quitting = True
        self.save_state()
        self.quit_requested.emit()

    def bring_to_front(self) -> None:
        self.show()
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.raise_()
        self.activateWindow()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.save_state()
        if self._quitting or not self._has_tray:
            event.accept()
            if not self._quitting:
                self.request_quit()
            return
        event.ignore()
        self.hide()
        if not self._settings.value("tray/close_notice_shown", False, type=bool):
            self._settings.setValue("tray/close_notice_shown", True)
            self.tray_notice.emit(
                "TokenDeck is still running",
                "It keeps your tokens fresh from the tray. Use Quit in the tray menu to stop it.",
            )

    tray_notice = Signal(str, str)
