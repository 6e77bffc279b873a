"""The main window: Accounts, API keys and Tokens tabs, a menu bar and a status bar.

It is built in two steps, so the window is on screen before the engine's and the tabs' modules
are imported (bootstrap): the frame (title, menus, the tab bar, the status bar, the saved
geometry: what a bare window costs) paints first, then `furnish()` puts in the door, the Accounts
tab and everything that talks to the engine. This module imports none of that at its top, nor
the `Qt` namespace (PySide creates its 93 enums on first use: 25 ms).

Longer than most modules (~720 lines): the menus, the status bar and the saved window state are
the window's own; the tabs, the status text and the wiring live in their own modules."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QByteArray, QEvent, QSettings, QSize, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QHideEvent,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QTabWidget,
    QWidget,
)

from tokendeck import APP_NAME, __version__
from tokendeck.ui.icons import Act, app_icon, recolour_icons, set_tab_icon, tone_icon
from tokendeck.ui.lazy_page import LazyPage
from tokendeck.ui.settings_store import load_settings, save_settings

if TYPE_CHECKING:
    from PySide6.QtWidgets import QHeaderView, QSplitter

    from tokendeck.core.models import Account
    from tokendeck.core.settings import AppSettings
    from tokendeck.core.store_status import StoreStatus
    from tokendeck.services.door import Door, ReconcileReport
    from tokendeck.services.key_lookup import KeyLookup
    from tokendeck.ui.accounts_tab import AccountsTab
    from tokendeck.ui.activity_window import ActivityWindow
    from tokendeck.ui.clipboard import ClipboardGuard
    from tokendeck.ui.column_fit import ColumnFit
    from tokendeck.ui.import_dialog import ImportDialog
    from tokendeck.ui.inspector import InspectorPane
    from tokendeck.ui.keys_tab import KeysTab
    from tokendeck.ui.settings_dialog import SettingsDialog
    from tokendeck.ui.ticker import Ticker
    from tokendeck.ui.tokens_tab import TokensTab


# The smallest the window gets: every tab still shows its names, statuses and expiries and a
# dozen rows; below it, a tab would show too little to be used.
MINIMUM_SIZE = QSize(720, 480)
CALENDAR_FILE = "tokendeck-expiries.ics"
CALENDAR_DAYS = 90  # services.door's CALENDAR_DAYS, not imported before the first paint
# The Accounts table's order, kept beside its header's saved state: the first rows are sorted
# before the `Qt` namespace (its `SortOrder` is how the header's state gives the order) is made.
ACCOUNTS_SORT_KEY = "columns/accounts/sort"


class MainWindow(QMainWindow):
    quit_requested = Signal()
    visibility_changed = Signal(bool)

    door: Door
    ticker: Ticker
    key_lookup: Callable[[], KeyLookup] | None
    accounts_tab: AccountsTab
    clipboard: ClipboardGuard
    add_account_button: QWidget

    def __init__(
        self,
        door: Door | None,
        ticker: Ticker | None,
        settings: QSettings,
        *,
        has_tray: bool,
        key_lookup: Callable[[], KeyLookup] | None = None,
    ) -> None:
        """With a door and a ticker, the whole window. Without them, the frame alone (the
        start-up paints it first): `furnish()` builds the rest."""
        super().__init__()
        self.setObjectName("main-window")
        self.setWindowTitle(APP_NAME)
        self.setWindowIcon(app_icon())
        self._settings = settings
        self._has_tray = has_tray
        self._quitting = False
        self.furnished = False
        self.vault_path = Path(settings.fileName()).with_name("vault.tdvault")
        self.app_settings = load_settings(settings)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("main-tabs")
        self.tabs.setDocumentMode(True)
        # Every page is built once the window is furnished; the API keys and Tokens tabs when
        # first shown or asked for, else once the first rows are on screen.
        self.accounts_page: LazyPage[AccountsTab] = LazyPage("Loading accounts…")
        self.keys_page: LazyPage[KeysTab] = LazyPage()
        self.tokens_page: LazyPage[TokensTab] = LazyPage()
        self._load_asked = False
        self._activity: ActivityWindow | None = None
        self._import: ImportDialog | None = None
        self._accounts_for_keys: list[Account] | None = None
        for page, act, title in (
            (self.accounts_page, Act.ACCOUNTS, "&Accounts"),
            (self.keys_page, Act.KEYS, "API &keys"),
            (self.tokens_page, Act.TOKENS, "&Tokens"),
        ):
            set_tab_icon(self.tabs, self.tabs.addTab(page, title), act)
        self.setCentralWidget(self.tabs)

        self._build_status_bar()
        self._build_menus()
        self.setMinimumSize(MINIMUM_SIZE)
        self.resize(1180, 760)
        self._restore_geometry()
        if door is not None and ticker is not None:
            self.furnish(door, ticker, key_lookup)

    def furnish(
        self, door: Door, ticker: Ticker, key_lookup: Callable[[], KeyLookup] | None = None
    ) -> None:
        """The door, the Accounts tab and everything that talks to the engine (once)."""

        from tokendeck.ui.clipboard import ClipboardGuard

        assert not self.furnished, "a window is furnished once"
        self.furnished = True
        self.ticker = ticker
        self.key_lookup = key_lookup
        self.door = door
        door.apply(self.app_settings)
        self.clipboard = ClipboardGuard(self.app_settings.clipboard_seconds, parent=self)
        self.clipboard.countdown.connect(self._on_clipboard_countdown)
        self.clipboard.cleared.connect(self._on_clipboard_cleared)
        # On the loop's first turn: the first rows, painted before it (bootstrap), do not wait
        # for the Qt namespace the shortcuts import.
        QTimer.singleShot(0, self, self._give_shortcuts)
        # Shown only when there is no secret store; drawn here, not in the frame.
        self.store_icon.setPixmap(tone_icon(Act.WARNING, "warn").pixmap(16, 16))
        for action in self._menu_actions:
            action.setEnabled(True)
        self.calendar_action.setToolTip(
            "An iCalendar file (.ics) with an event for each key and token to replace in the "
            f"next {CALENDAR_DAYS} days, and an alarm at its first warning"
        )
        self.accounts_page.start(self._build_accounts_tab)
        self.accounts_tab = self.accounts_page.content()
        self.add_account_button = self.accounts_tab.empty_add
        # After the Accounts table has painted: the API keys tab asks every platform what it can
        # do, and that loads the platform adapters (httpx, PyJWT), which the rows need not wait for.
        self.accounts_tab.accounts_loaded.connect(self._on_accounts_loaded)
        self.accounts_tab.rows_shown.connect(self._after_first_rows)
        self.keys_page.start(self._build_keys_tab)
        self.tokens_page.start(self._build_tokens_tab)
        self.tabs.currentChanged.connect(self._on_tab_changed)
        self._on_tab_changed(self.tabs.currentIndex())  # the tab the frame restored

    # -- pages ------------------------------------------------------------------------------

    @property
    def keys_tab(self) -> KeysTab:
        return self.keys_page.content()

    @property
    def tokens_tab(self) -> TokensTab:
        return self.tokens_page.content()

    @property
    def tokens_splitter(self) -> QSplitter:
        return self.tokens_tab.splitter

    @property
    def inspector(self) -> InspectorPane:
        return self.tokens_tab.inspector

    def show_tab(self, tab: QWidget) -> None:
        """Show the tab whose page, or whose content (`keys_tab`, a built page's), is `tab`."""
        page = tab if self.tabs.indexOf(tab) >= 0 else tab.parentWidget()
        if page is not None and self.tabs.indexOf(page) >= 0:
            self.tabs.setCurrentWidget(page)

    def current_tab(self) -> QWidget:
        """The content of the tab shown (built, since it is shown)."""
        page = self.tabs.currentWidget()
        return page.content() if isinstance(page, LazyPage) else page

    def _build_accounts_tab(self) -> AccountsTab:
        from tokendeck.ui.accounts_tab import AccountsTab

        tab = AccountsTab(self.door, self.ticker)
        self._restore_columns("accounts", tab.view.horizontalHeader(), tab.columns)
        sort = _sort(self._settings.value(ACCOUNTS_SORT_KEY))
        if sort is not None:
            tab.sort_first(sort[0], descending=sort[1])
        return tab

    def _build_keys_tab(self) -> KeysTab:
        from tokendeck.ui.keys_tab import KeysTab

        tab = KeysTab(self.door, self.ticker, self.clipboard)
        tab.go_accounts.clicked.connect(lambda: self.tabs.setCurrentIndex(0))
        self.accounts_tab.account_selected.connect(tab.follow)
        self._restore_columns("keys", tab.view.horizontalHeader(), tab.columns)
        self._note_held(tab)
        QTimer.singleShot(0, self, self._give_keys_accounts)  # accounts loaded before it was built
        return tab

    def _build_tokens_tab(self) -> TokensTab:
        from tokendeck.ui.tokens_tab import TokensTab

        tab = TokensTab(self.door, self.ticker, self.clipboard, self._settings, self.key_lookup)
        self._restore_columns("tokens", tab.view.horizontalHeader(), tab.columns)
        self._note_held(tab)
        if self._load_asked:
            tab.reload()
        return tab

    def _note_held(self, tab: KeysTab | TokensTab) -> None:
        """A tab built after the bulk check of the secret store answered starts with it."""
        from tokendeck.ui.secret_presence import note_check

        report = self.door.held_report()
        if report is not None:
            note_check(tab.model.presence, report)
            tab.presence_changed()

    def _after_first_rows(self) -> None:
        """The first rows are on screen: the other tabs are built, one per turn of the loop."""
        self._give_keys_accounts()
        QTimer.singleShot(0, self, self.tokens_page.content)

    def _on_accounts_loaded(self, accounts: list[Account]) -> None:
        self._accounts_for_keys = accounts
        if self.accounts_tab.rows_were_shown and self.keys_page.built:
            QTimer.singleShot(0, self, self._give_keys_accounts)

    def _give_keys_accounts(self) -> None:
        tab = self.keys_tab  # built first: a tab being built takes what is pending itself
        accounts, self._accounts_for_keys = self._accounts_for_keys, None
        if accounts is not None:
            tab.set_accounts(accounts)
            tab.follow(self.accounts_tab.selected())  # chosen before the tab was there

    def reload_tokens(self) -> None:
        """The credentials changed: the Tokens tab reloads (once built: it loads when it is)."""
        if self.tokens_page.built:
            self.tokens_tab.reload()

    def _on_tab_changed(self, index: int) -> None:
        if self.tabs.widget(index) is self.tokens_page:
            _ = self.inspector

    # -- status bar -------------------------------------------------------------------------

    def _build_status_bar(self) -> None:
        """Left: the latest message (gone after a while). Right, apart from it with a gap: the
        clipboard countdown while a secret is on the clipboard, and the secret store in use.
        No emoji as icons: they have no glyph in many desktop fonts."""
        from tokendeck.ui.status_text import StatusText

        self.status_message = StatusText("status-message", 120)
        self.status_message.setAccessibleName("Latest message")
        self._message_timer = QTimer(self)
        self._message_timer.setSingleShot(True)
        self._message_timer.timeout.connect(lambda: self.status_message.set_full_text(""))
        self.clipboard_label = StatusText("status-clipboard", 150)
        self.clipboard_label.setAccessibleName("Clipboard countdown")
        self.clipboard_separator = QFrame()
        self.clipboard_separator.setFrameShape(QFrame.Shape.VLine)
        self.clipboard_separator.setFrameShadow(QFrame.Shadow.Sunken)
        self.store_icon = QLabel()
        self.store_icon.setObjectName("status-store-icon")
        self.store_label = StatusText("status-store", 140)
        self.store_label.setAccessibleName("Secret store in use")
        self.store_label.set_full_text("Secret store: starting…")
        permanent = QWidget()
        permanent.setObjectName("status-permanent")
        row = QHBoxLayout(permanent)
        row.setContentsMargins(16, 0, 4, 0)
        row.setSpacing(8)
        row.addWidget(self.clipboard_label)
        row.addWidget(self.clipboard_separator)
        row.addWidget(self.store_icon)
        row.addWidget(self.store_label)
        for widget in (self.clipboard_label, self.clipboard_separator, self.store_icon):
            widget.hide()
        self._clipboard_counting = False
        self.statusBar().addWidget(self.status_message, 1)
        self.statusBar().addPermanentWidget(permanent)

    # -- menus ------------------------------------------------------------------------------

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.new_account_action = QAction("&New account…", self)
        self.new_account_action.triggered.connect(self._new_account)
        file_menu.addAction(self.new_account_action)
        self.new_key_action = QAction("New API &key…", self)
        self.new_key_action.triggered.connect(self._new_key)
        file_menu.addAction(self.new_key_action)
        self.calendar_action = QAction("&Export expiries to calendar…", self)
        self.calendar_action.triggered.connect(self._choose_calendar_file)
        file_menu.addAction(self.calendar_action)
        self.import_action = QAction("&Import from plaintext files…", self)
        self.import_action.setToolTip(
            "Find credentials lying in plaintext (the Dataloop SDK's cookie.json, .env files, "
            "Encord key files), keep them in the secret store, and take the copies out"
        )
        self.import_action.triggered.connect(self.open_import)
        file_menu.addAction(self.import_action)
        self.settings_action = QAction("&Settings…", self)
        self.settings_action.triggered.connect(self.open_settings)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        self.close_action = QAction("&Close window", self)
        self.close_action.triggered.connect(self.close)
        file_menu.addAction(self.close_action)
        self.quit_action = QAction("&Quit", self)
        self.quit_action.triggered.connect(self.request_quit)
        file_menu.addAction(self.quit_action)

        edit_menu = self.menuBar().addMenu("&Edit")
        self.copy_secret_action = QAction("&Copy secret", self)
        self.copy_secret_action.setToolTip(
            "Copy the selected token, key, or account's current token; cleared after the timeout"
        )
        self.copy_secret_action.triggered.connect(self._copy_current)
        edit_menu.addAction(self.copy_secret_action)
        self.clear_clipboard_action = QAction("C&lear clipboard now", self)
        self.clear_clipboard_action.triggered.connect(lambda: self.clipboard.clear("now"))
        edit_menu.addAction(self.clear_clipboard_action)
        self.find_action = QAction("&Find…", self)
        self.find_action.triggered.connect(self._focus_search)
        edit_menu.addAction(self.find_action)

        view_menu = self.menuBar().addMenu("&View")
        self._view_actions: list[QAction] = []
        for index, name in enumerate(("&Accounts", "API &keys", "&Tokens")):
            action = QAction(name, self)
            self._view_actions.append(action)
            action.triggered.connect(lambda _=False, i=index: self.tabs.setCurrentIndex(i))
            view_menu.addAction(action)
        self.refresh_action = QAction("&Refresh", self)
        self.refresh_action.triggered.connect(self._refresh_current)
        view_menu.addAction(self.refresh_action)
        self.inspect_action = QAction("&Inspect a token", self)
        self.inspect_action.triggered.connect(self.focus_inspector)
        view_menu.addAction(self.inspect_action)
        view_menu.addSeparator()
        self.activity_action = QAction("A&ctivity", self)
        self.activity_action.setToolTip("What was added, signed in, created, revoked, copied…")
        self.activity_action.triggered.connect(self.open_activity)
        view_menu.addAction(self.activity_action)

        help_menu = self.menuBar().addMenu("&Help")
        about = QAction("&About TokenDeck", self)
        about.triggered.connect(self._about)
        help_menu.addAction(about)
        # Until the window is furnished (a shortcut pressed while the frame paints), no action
        # runs: each needs the door or a tab.
        self._menu_actions = [
            action
            for menu in (file_menu, edit_menu, view_menu, help_menu)
            for action in menu.actions()
            if not action.isSeparator()
        ]
        for action in self._menu_actions:
            action.setEnabled(False)

    def _give_shortcuts(self) -> None:
        """The menus' shortcuts, once furnished: the first shortcut given imports the Qt
        namespace (see the module's docstring), and before then no action runs anyway."""
        from PySide6.QtCore import Qt

        for action, keys in (
            (self.new_account_action, QKeySequence.StandardKey.New),
            (self.new_key_action, QKeySequence("Ctrl+Shift+N")),
            (self.close_action, QKeySequence.StandardKey.Close),
            (self.quit_action, QKeySequence.StandardKey.Quit),
            (self.copy_secret_action, QKeySequence("Ctrl+Shift+C")),
            (self.clear_clipboard_action, QKeySequence("Ctrl+Shift+X")),
            (self.find_action, QKeySequence.StandardKey.Find),
            (self.refresh_action, QKeySequence.StandardKey.Refresh),
            (self.inspect_action, QKeySequence("Ctrl+I")),
            (self.activity_action, QKeySequence("Ctrl+Shift+A")),
        ):
            action.setShortcut(keys)
        for index, action in enumerate(self._view_actions):
            action.setShortcut(QKeySequence(f"Ctrl+{index + 1}"))
        # Ctrl+, as on macOS and in most Linux apps (Qt has no Preferences key there).
        preferences = QKeySequence.keyBindings(QKeySequence.StandardKey.Preferences)
        comma = QKeySequence("Ctrl+,")
        self.settings_action.setShortcuts([comma, *(k for k in preferences if k != comma)])
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)

    def show_unavailable(self, why: str) -> None:
        """The engine did not start (the catalog could not be opened): every tab says so."""
        self.accounts_tab.show_unavailable(why)
        self.keys_tab.show_unavailable(why)
        self.tokens_tab.show_unavailable(why)
        self.show_message(why, 60000)

    def load(self) -> None:
        """Ask for the first rows: they come as soon as the engine behind the door is open."""
        self._load_asked = True
        self.accounts_tab.reload()
        if self.tokens_page.built:
            self.tokens_tab.reload()

    def on_secrets_checked(self, report: ReconcileReport, *, held: bool) -> None:
        """What a check of the secret store found (see ui/wiring.py): `held` for the bulk
        check of every held secret, which the "Secret held" columns follow."""
        from tokendeck.ui.secret_presence import note_check

        if held:  # a tab not built yet reads it from the door when it is
            for page in (self.tokens_page, self.keys_page):
                if page.built:
                    note_check(page.content().model.presence, report)
                    page.content().presence_changed()
        if not report.clean:
            self.show_message(f"Storage check: {report.summary()}", 20000)

    def show_credential(self, credential_id: str) -> None:
        """The window, on the Tokens tab with the credential selected ("": the window alone)."""
        self.bring_to_front()
        if not credential_id:
            return
        self.tabs.setCurrentWidget(self.tokens_page)
        self.tokens_tab.select(credential_id)

    def open_activity(self) -> ActivityWindow:
        """The Activity window (one per main window), raised and read again."""
        from tokendeck.ui.activity_window import ActivityWindow

        if self._activity is None:
            self._activity = ActivityWindow(self.door, self)
        self._activity.show()
        self._activity.raise_()
        self._activity.activateWindow()
        self._activity.reload()
        return self._activity

    def open_import(self) -> ImportDialog:
        """File > Import: a dialog of its own, opened on the usual places (a new one once the
        last was closed, so it looks again)."""
        from tokendeck.ui.import_dialog import ImportDialog

        dialog = self._import
        if dialog is None or not (dialog.isVisible() or dialog.runner.busy):
            if dialog is not None:  # closed and idle: nothing of it runs any more
                dialog.deleteLater()
            dialog = self._import = ImportDialog(self.door, self)
            dialog.show()
            dialog.look_in_usual_places()
        dialog.show()  # still at work when it was closed: shown again, as it is
        dialog.raise_()
        dialog.activateWindow()
        return dialog

    def open_settings(self) -> SettingsDialog:
        from tokendeck.ui.settings_dialog import SettingsDialog

        dialog = SettingsDialog(self, self.app_settings, self.door, self.vault_path)
        dialog.applied.connect(self.apply_settings)
        dialog.open()
        return dialog

    def apply_settings(self, settings: AppSettings) -> None:
        from tokendeck.ui.theme import apply_theme

        if settings.theme is not self.app_settings.theme:
            app = QApplication.instance()
            if isinstance(app, QApplication):
                apply_theme(app, settings.theme)
        self.app_settings = settings
        save_settings(self._settings, settings)
        self.clipboard.timeout_seconds = settings.clipboard_seconds
        self.door.apply(settings)
        self.show_message("Settings saved.")

    def copy_account_token(self, account_id: str) -> None:
        """Copy a valid token of the account (refreshed first if needed) to the clipboard."""
        door = self.door

        async def copy() -> None:
            account = await door.account(account_id)
            token = await door.current_token(account)
            self.clipboard.copy_secret(token, account.name)

        self.accounts_tab.runner.run("Copying the current token", copy())

    def _choose_calendar_file(self) -> None:
        from PySide6.QtWidgets import QFileDialog

        start = str(Path.home() / CALENDAR_FILE)
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export expiries to calendar", start, "iCalendar (*.ics);;All files (*)"
        )
        if chosen:
            path = Path(chosen)
            self.export_calendar(path if path.suffix else path.with_suffix(".ics"))

    def export_calendar(self, path: Path) -> None:
        """Write the next CALENDAR_DAYS days' expiries to `path`, off the UI thread; the status
        bar says how many, the banner why not."""
        door = self.door

        async def export() -> None:
            count = await door.export_calendar(path, CALENDAR_DAYS)
            what = "1 expiry" if count == 1 else f"{count} expiries"
            self.show_message(f"Exported {what} of the next {CALENDAR_DAYS} days to {path}.")

        self.accounts_tab.runner.run("Exporting expiries to a calendar file", export())

    def _new_account(self) -> None:
        self.tabs.setCurrentWidget(self.accounts_page)
        self.accounts_tab.add_account()

    def _new_key(self) -> None:
        self.tabs.setCurrentWidget(self.keys_page)
        if self.keys_tab.create_button.isEnabled():
            self.keys_tab.create_key()
        elif self.keys_tab.runner.busy:
            self.show_message("Wait for the running operation to end, then New API key again.")
        else:
            self.show_message("Choose an account that has API keys, then New API key again.")

    def _copy_current(self) -> None:
        """Copy what is selected in the tab shown: a token, a key, an account's token."""
        current = self.tabs.currentWidget()
        if current is self.tokens_page:
            self.tokens_tab.copy_selected()
        elif current is self.keys_page:
            self.keys_tab.copy_selected()
        elif (account := self.accounts_tab.selected()) is not None:
            self.copy_account_token(account.id)

    def _refresh_current(self) -> None:
        current = self.tabs.currentWidget()
        if current is self.keys_page:
            self.keys_tab.reload()
        elif current is self.tokens_page:
            self.tokens_tab.reload()
        else:
            self.accounts_tab.reload()

    def _focus_search(self) -> None:
        if self.tabs.currentWidget() is self.accounts_page:
            self.accounts_tab.search.setFocus()
            self.accounts_tab.search.selectAll()
            return
        if self.tabs.currentWidget() is not self.tokens_page:
            self.tabs.setCurrentWidget(self.tokens_page)
        self.tokens_tab.search.setFocus()
        self.tokens_tab.search.selectAll()

    def show_message(self, text: str, timeout_ms: int = 8000) -> None:
        """One line in the status bar (a message of several lines, e.g. a notification summary
        without a tray, is joined with " · "; the whole text is in the tooltip)."""
        lines = [line.replace("• ", "").strip() for line in text.splitlines()]
        one_line = " · ".join(line for line in lines if line)
        self.status_message.set_full_text(one_line, text if one_line != text else "")
        self._message_timer.start(timeout_ms)

    def set_store(self, status: StoreStatus) -> None:
        from tokendeck.core.store_status import StoreKind

        if status.kind is StoreKind.NONE:
            text = "No secret store: secrets cannot be saved"
        else:
            text = f"Secret store: {status.description}"
        self.store_label.set_full_text(text, status.description)
        self.store_icon.setVisible(status.kind is StoreKind.NONE)

    def _on_clipboard_countdown(self, seconds: int, label: str) -> None:
        self._clipboard_counting = True
        self.clipboard_label.set_full_text(f"Clipboard clears in {seconds} s: “{label}”")
        self.clipboard_label.show()
        self.clipboard_separator.show()

    def _on_clipboard_cleared(self, why: str) -> None:
        counting, self._clipboard_counting = self._clipboard_counting, False
        self.clipboard_label.hide()
        self.clipboard_separator.hide()
        if why == "quit":
            return
        if not counting:
            self.show_message("Nothing TokenDeck copied is on the clipboard.")
        elif self.clipboard.wiped:
            self.show_message("Clipboard cleared.")
        else:
            self.show_message("Clipboard left as it is: it holds something copied since.")

    def focus_inspector(self) -> None:
        self.tabs.setCurrentWidget(self.tokens_page)
        self.inspector.input.setFocus()

    def _about(self) -> None:
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.about(
            self,
            f"About {APP_NAME}",
            f"<b>{APP_NAME} {__version__}</b><p>API keys and tokens for data platforms, kept "
            "fresh, stored in your system keyring, with warnings before anything expires.</p>",
        )

    # -- state and closing ------------------------------------------------------------------

    def _restore_geometry(self) -> None:
        geometry = self._settings.value("window/geometry")
        if isinstance(geometry, QByteArray):
            self.restoreGeometry(geometry)
        tab = self._settings.value("window/tab", 0, type=int)
        if isinstance(tab, int) and 0 <= tab < self.tabs.count():
            self.tabs.setCurrentIndex(tab)

    def _restore_columns(self, name: str, header: QHeaderView, columns: ColumnFit) -> None:
        state = self._settings.value(f"columns/{name}")
        if isinstance(state, QByteArray):
            header.restoreState(state)  # the sort; the columns shown follow the width
        columns.choose(_widths(self._settings.value(f"columns/{name}/widths")))

    def _built_tables(self) -> dict[str, tuple[QHeaderView, ColumnFit]]:
        """Each built tab's header and column widths (a tab never built keeps what it had)."""
        tables = {}
        if self.accounts_page.built:
            tables["accounts"] = (
                self.accounts_tab.view.horizontalHeader(),
                self.accounts_tab.columns,
            )
        if self.keys_page.built:
            tables["keys"] = (self.keys_tab.view.horizontalHeader(), self.keys_tab.columns)
        if self.tokens_page.built:
            tables["tokens"] = (self.tokens_tab.view.horizontalHeader(), self.tokens_tab.columns)
        return tables

    def save_state(self) -> None:
        for name, (header, columns) in self._built_tables().items():
            self._settings.setValue(f"columns/{name}", header.saveState())
            chosen = columns.chosen()
            self._settings.setValue(
                f"columns/{name}/widths", " ".join(f"{i}:{w}" for i, w in sorted(chosen.items()))
            )
        if self.accounts_page.built and self.accounts_tab.finished:  # (else as it was saved)
            column, descending = self.accounts_tab.model.sorted_by()
            self._settings.setValue(
                ACCOUNTS_SORT_KEY, f"{column} {'descending' if descending else 'ascending'}"
            )
        self._settings.setValue("window/geometry", self.saveGeometry())
        if self.tokens_page.built:
            self._settings.setValue("window/tokens_splitter", self.tokens_splitter.saveState())
        self._settings.setValue("window/tab", self.tabs.currentIndex())
        self._settings.sync()

    def request_quit(self) -> None:
        self._quitting = True
        self.save_state()
        self.quit_requested.emit()

    def bring_to_front(self) -> None:
        from PySide6.QtCore import Qt

        self.show()
        self.setWindowState(
            (self.windowState() & ~Qt.WindowState.WindowMinimized) | Qt.WindowState.WindowActive
        )
        self.raise_()
        self.activateWindow()

    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange:
            # Once every child has the new palette too (the window hears of it first); with the
            # window as context, so a window deleted meanwhile (a theme change as it closes)
            # drops the call instead of running it on a dead object.
            QTimer.singleShot(0, self, self._recolour)

    def _recolour(self) -> None:
        recolour_icons()  # every button and tab icon, in the new colours
        self.store_icon.setPixmap(tone_icon(Act.WARNING, "warn", self.palette()).pixmap(16, 16))

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.visibility_changed.emit(True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.visibility_changed.emit(False)

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.furnished and self._has_tray:
            event.ignore()  # closed while it starts: the tray it would hide to is not there yet
            return
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


def _sort(value: object) -> tuple[int, bool] | None:
    """ "6 descending" (as saved) as (column, descending); anything else reads as None."""
    column, _, order = str(value or "").partition(" ")
    if column.isdigit() and order in ("ascending", "descending"):
        return int(column), order == "descending"
    return None


def _widths(value: object) -> dict[int, int]:
    """ "0:333 7:120" (as saved) as {column: width}; anything else reads as nothing chosen."""
    found: dict[int, int] = {}
    for part in str(value or "").split():
        column, _, width = part.partition(":")
        if column.strip().isdigit() and width.strip().isdigit():
            found[int(column)] = int(width)
    return found
