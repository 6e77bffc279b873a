"""The Accounts tab: every account, with sign in / out, test connection, add / edit / remove.

Longer than most modules (~420 lines): the tab owns seven short flows on the selected account
(add, edit, remove, sign in with its password prompt, sign out, pin, test) and their messages;
they share the selection, the runner and the banner."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.errors import TokenDeckError
from tokendeck.core.models import PLATFORM_NAMES, Account, AccountStatus
from tokendeck.ui.accounts_model import (
    PASTED_STATUS_TEXT,
    STATUS_TEXT,
    AccountColumn,
    AccountRole,
    AccountRow,
    AccountsModel,
    FilterProxy,
    signs_in,
)
from tokendeck.ui.button_bar import ButtonBar
from tokendeck.ui.column_fit import COUNTDOWN_SAMPLES, Column, FittedTable
from tokendeck.ui.empty_state import EmptyState, LoadingState
from tokendeck.ui.icons import Act, app_icon
from tokendeck.ui.paint_watch import after_paint
from tokendeck.ui.table_setup import configure_table, visible_rows
from tokendeck.ui.task_runner import BusyBar, MessageBanner, TaskRunner
from tokendeck.ui.ticker import Ticker

if TYPE_CHECKING:
    from tokendeck.services.door import Door, ProbeResult
    from tokendeck.services.standing import HeldCredential
    from tokendeck.ui.account_dialog import AccountDialog, AccountDraft, SaveAccount
    from tokendeck.ui.sign_in_dialog import SignInDialog


@dataclass(frozen=True, slots=True)
class _Ask:
    """Sign-in needs a person: ask for the secrets (`stored`: those held; `error`: why)."""

    stored: frozenset[str]
    error: TokenDeckError | None


class AccountsTab(QWidget):
    account_selected = Signal(object)  # Account | None
    accounts_loaded = Signal(list)
    # Once: the first rows (or the empty state) are painted. The work that would delay them
    # starts then: the secret store's opening, the API keys tab's platform capabilities.
    rows_shown = Signal()

    def __init__(self, door: Door, ticker: Ticker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("accounts-tab")
        self._door = door
        self._loaded = False  # the first rows have arrived: the engine is there
        self.rows_were_shown = False
        self._watching_rows = False
        self._sorted_first = False
        self.finished = False  # _finish ran: the header sorts, the shortcuts are given
        self._generation = 0
        self.account_dialog: AccountDialog | None = None  # the Add / Edit dialog open now
        self.sign_in_dialog: SignInDialog | None = None  # the password prompt open now
        self._select_next: str | None = None  # an account just added: selected once listed
        self.model = AccountsModel(self)
        self.proxy = FilterProxy(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setFilterKeyColumn(-1)
        self.view = FittedTable()
        self.view.show_model(self.proxy, AccountsModel.headers)
        # (sorted by name until sort_first; the header sorts from the loop's first turn)
        self.columns = configure_table(
            self.view,
            "accounts-table",
            "Accounts",
            (
                Column(AccountColumn.NAME, 180),
                Column(
                    AccountColumn.STATUS,
                    90,
                    (*STATUS_TEXT.values(), PASTED_STATUS_TEXT),
                    icon=True,
                ),
                Column(AccountColumn.EXPIRY, 120, (*COUNTDOWN_SAMPLES, "expiry unknown")),
                Column(AccountColumn.PLATFORM, 90, tuple(PLATFORM_NAMES.values())),
                Column(AccountColumn.USER, 170),
                Column(AccountColumn.HOST, 200),
                Column(AccountColumn.AUTH, 110),
            ),
            stretch=AccountColumn.NAME,
        )
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._selection_changed())
        self.view.doubleClicked.connect(lambda _: self.edit_selected())

        self.search = QLineEdit()
        self.search.setObjectName("accounts-search")
        self.search.setPlaceholderText("Filter accounts…")
        self.search.setAccessibleName("Filter accounts")
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self.proxy.setFilterFixedString)

        def button(text: str, slot: Any, name: str) -> QPushButton:
            b = QPushButton(text)
            b.setObjectName(name)
            b.clicked.connect(slot)
            return b

        self.add_button = button("Add…", self.add_account, "account-add")
        self.edit_button = button("Edit…", self.edit_selected, "account-edit")
        self.remove_button = button("Remove…", self.remove_selected, "account-remove")
        self.sign_in_button = button("Sign in", self.sign_in_selected, "account-sign-in")
        self.sign_out_button = button("Sign out", self.sign_out_selected, "account-sign-out")
        self.test_button = button("Test connection", self.test_selected, "account-test")
        self.pin_button = button("Pin to tray", self.toggle_pin, "account-pin")
        self.pin_button.setToolTip("Copy this account's current token from the tray menu")
        self.test_button.setToolTip(
            "The platform's cheap check call, with the result explained (Ctrl+T)"
        )
        self.buttons = ButtonBar(
            (
                (self.add_button, Act.ADD),
                (self.edit_button, Act.EDIT),
                (self.remove_button, Act.REMOVE),
            ),
            (
                (self.sign_in_button, Act.SIGN_IN),
                (self.sign_out_button, Act.SIGN_OUT),
                (self.test_button, Act.TEST),
                (self.pin_button, Act.PIN),
            ),
            words_kept_longest=(self.add_button, self.sign_in_button, self.edit_button),
        )

        self.banner = MessageBanner()
        self.busy = BusyBar()
        self.runner = TaskRunner(self.banner, self.busy, self)
        self.runner.busy_changed.connect(lambda _: self._selection_changed())

        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addWidget(self.search)
        table_layout.addWidget(self.buttons)
        table_layout.addWidget(self.view, 1)
        self.empty = EmptyState(
            app_icon(),
            "No accounts yet",
            "Add an account to sign in to Dataloop, Haut.AI, Encord, Visual Layer, Trifacta / "
            "Alteryx / Dataprep or any OAuth 2.0 service, or to keep a token you paste. TokenDeck "
            "keeps its secrets in your system keyring "
            "and refreshes its tokens before they expire.\n\nNo account at hand? Start TokenDeck "
            "with --demo to try everything against a local sandbox.",
        )
        self.empty_add = self.empty.add_button("Add account…", primary=True)
        self.empty_add.clicked.connect(self.add_account)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(table_page)
        self.loading = LoadingState("Loading accounts…")
        self.stack.addWidget(self.loading)
        self.stack.setCurrentWidget(self.loading)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.banner)  # under the content: a message never moves what is read
        layout.addWidget(self.busy)

        self.test_action = QAction("Test connection", self)
        self.test_action.triggered.connect(self.test_selected)
        self.remove_action = QAction("Remove account", self)
        self.remove_action.triggered.connect(self.remove_selected)
        ticker.tick.connect(self._on_tick)
        self._selection_changed()
        QTimer.singleShot(0, self, self._finish)

    def _finish(self) -> None:
        """What needs PySide's `Qt` namespace, on the event loop's first turn: the first rows,
        painted before it (bootstrap.py), do not wait for its 93 enums (see ui/probes.py)."""
        from PySide6.QtCore import Qt

        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        header = self.view.horizontalHeader()
        if not self._sorted_first and header.isSortIndicatorShown():
            # A header state saved without the order beside it (an earlier release): its sort.
            descending = header.sortIndicatorOrder() == Qt.SortOrder.DescendingOrder
            self.model.sort_by(header.sortIndicatorSection(), descending=descending)
        column, descending = self.model.sorted_by()
        order = Qt.SortOrder.DescendingOrder if descending else Qt.SortOrder.AscendingOrder
        header.setSortIndicator(column, order)
        self.view.setSortingEnabled(True)  # sorts by the indicator: as the rows already are
        for action, keys in (
            (self.test_action, QKeySequence("Ctrl+T")),
            (self.remove_action, QKeySequence(QKeySequence.StandardKey.Delete)),
        ):
            action.setShortcut(keys)
            action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.addActions([self.test_action, self.remove_action])
        self.finished = True
        self.columns.fit()  # a title measures wider with the sort arrow

    def sort_first(self, column: int, *, descending: bool) -> None:
        """The order the rows were left in (before the loop runs: see _finish)."""
        self._sorted_first = True
        self.model.sort_by(column, descending=descending)

    # -- data -------------------------------------------------------------------------------

    def show_unavailable(self, why: str) -> None:
        """The catalog did not open: say so where the rows would be (and the accounts the
        first read showed are not there to act on)."""
        self._loaded = False
        self.model.set_accounts([])
        self.loading.setText(f"The accounts could not be loaded.\n\n{why}")
        self.stack.setCurrentWidget(self.loading)
        self._selection_changed()

    def reload(self) -> None:
        self.runner.quietly("Loading the accounts", self._reload())

    def show_first(self, accounts: list[Account]) -> None:
        """Accounts read before the engine opened (storage/first_read.py), shown as the first
        load shows them (their "Next expiry" fills in with the engine's read); none read from
        an existing catalog is "No accounts yet", as true as the engine's own read would be.
        Nothing, once the engine's own rows are there."""
        if not self._loaded:
            self._show([(a, None) for a in accounts], accounts)

    async def _reload(self) -> None:
        import asyncio  # loaded by then (not before the first paint: see ui/probes.py)

        self._generation += 1
        generation = self._generation
        if not self._loaded:
            # The first load shows the accounts once their one short query answers; their "Next
            # expiry" fills in when every credential has been read (the larger read: 60 ms at
            # 2,000 credentials, ten times that at 20,000).
            accounts = await self._door.accounts()
            if generation != self._generation:
                return  # a newer reload started meanwhile: its result is the fresh one
            if accounts:
                self._show([(a, None) for a in accounts], accounts)
                # The read of every credential starts once these rows are painted: converting
                # its rows holds the GIL in the worker, and would slow this paint by as much.
                painted = asyncio.Event()
                after_paint(self.view.viewport(), painted.set)
                await painted.wait()
        try:
            snapshot = await self._door.catalog_snapshot()
        except Exception:  # the runner says why; what waits for the first rows goes on
            if self._loaded:
                self._watch_rows_shown(self.view.viewport())
            raise
        by_account: dict[str, list[HeldCredential]] = {}
        for held in snapshot.held:
            by_account.setdefault(held.credential.account_id or "", []).append(held)
        rows = [(a, tuple(by_account.get(a.id, ()))) for a in snapshot.accounts]
        if generation != self._generation:
            return
        self._show(rows, snapshot.accounts)
        self._watch_rows_shown(self.view.viewport() if rows else self.empty)

    def _watch_rows_shown(self, page: QWidget) -> None:
        """Say `rows_shown` once `page` has painted (once per tab)."""
        if not self._watching_rows:
            self._watching_rows = True
            after_paint(page, self._rows_shown)

    def _show(self, rows: Sequence[AccountRow], accounts: list[Account]) -> None:
        selected = self.selected()
        self._loaded = True
        self.model.set_accounts(rows)
        self.stack.setCurrentIndex(1 if rows else 0)
        wanted = self._select_next or (selected.id if selected is not None else None)
        if wanted is not None:
            self.select(wanted)
            if self.model.row_of(wanted) >= 0:
                self._select_next = None
        self.accounts_loaded.emit(accounts)
        self._selection_changed()

    def _rows_shown(self) -> None:
        self.rows_were_shown = True
        self.rows_shown.emit()

    def select(self, account_id: str) -> None:
        row = self.model.row_of(account_id)
        if row >= 0:
            self.view.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())

    def selected(self) -> Account | None:
        rows = self.view.selectionModel().selectedRows()
        if not rows:
            return None
        value = self.proxy.data(rows[0], AccountRole)
        return value if isinstance(value, Account) else None

    def _selection_changed(self) -> None:
        account = self.selected()
        ready = self._loaded and not self.runner.busy
        for b in (self.edit_button, self.remove_button):
            b.setEnabled(ready and account is not None)
        # A pasted token has no platform to sign in to or test against: Edit… pastes another.
        remote = account is not None and signs_in(account)
        self.test_button.setEnabled(ready and remote)
        self.sign_in_button.setEnabled(ready and remote)
        self.sign_out_button.setEnabled(
            ready and remote and account is not None and account.status is AccountStatus.SIGNED_IN
        )
        self.pin_button.setEnabled(ready and account is not None)
        self.buttons.set_words(
            self.pin_button,
            "Unpin from tray" if account is not None and account.settings.pinned else "Pin to tray",
        )
        self.add_button.setEnabled(self._loaded)
        self.empty_add.setEnabled(self._loaded)
        self.account_selected.emit(account)

    def _on_tick(self, now: datetime) -> None:
        """The model always knows the time (rows set later, or a tab shown later, show it at
        once); only the visible rows are repainted."""
        rows = []
        if self.isVisible() and self.model.rowCount():
            rows = [
                self.proxy.mapToSource(self.proxy.index(r, 0)).row()
                for r in visible_rows(self.view)
            ]
        self.model.tick(now, rows)

    # -- actions ----------------------------------------------------------------------------

    def add_account(self) -> AccountDialog | None:
        if not self._loaded:
            return None
        from tokendeck.ui.account_dialog import AccountDialog

        dialog = AccountDialog(self, save=self._saver(editing=False))
        self._open(dialog)
        return dialog

    def edit_selected(self) -> None:
        """Opens the Edit dialog once it is known which secrets the account holds."""
        account = self.selected()
        if account is None or not self._loaded:
            return
        from tokendeck.ui.account_dialog import AccountDialog

        def open_dialog(stored: frozenset[str]) -> None:
            self._open(AccountDialog(self, account, stored=stored, save=self._saver(editing=True)))

        self.runner.run(
            f"Opening “{account.name}”",
            self._door.stored_secret_fields(account),
            open_dialog,
            replaceable=True,
        )

    def _open(self, dialog: AccountDialog | SignInDialog) -> None:
        from tokendeck.ui.account_dialog import AccountDialog

        if isinstance(dialog, AccountDialog):
            self.account_dialog = dialog
            dialog.accepted.connect(lambda: self._saved(dialog.saved, dialog.signed_in_to_save))
        else:
            self.sign_in_dialog = dialog
            dialog.accepted.connect(lambda: self._signed_in(dialog.signed_in))
        dialog.finished.connect(lambda _: self._closed(dialog))
        dialog.open()

    def _closed(self, dialog: AccountDialog | SignInDialog) -> None:
        if self.account_dialog is dialog:
            self.account_dialog = None
        if self.sign_in_dialog is dialog:
            self.sign_in_dialog = None
        dialog.deleteLater()

    def _saver(self, *, editing: bool) -> SaveAccount:
        door = self._door

        async def save(draft: AccountDraft, sign_in: bool) -> Account:
            if editing:
                return await door.edit_account(
                    draft.account, draft.inputs, draft.secrets, sign_in=sign_in
                )
            return await door.add_account(
                draft.account, draft.inputs, draft.secrets, sign_in=sign_in
            )

        return save

    def _saved(self, account: Account | None, signed_in: bool) -> None:
        if account is None:
            return
        if signed_in and account.status is AccountStatus.SIGNED_IN:
            self.runner.info(f"Saved “{account.name}” and signed in.")
        elif account.status is AccountStatus.SIGNED_IN:
            self.runner.info(f"Saved “{account.name}”.")
        else:
            self.runner.info(
                f"Saved “{account.name}” without signing in: press Sign in when the platform "
                "can be reached."
            )
        self._select_next = account.id
        self.reload()

    def _signed_in(self, account: Account | None) -> None:
        if account is not None:
            self.runner.info(f"Signed in to “{account.name}”.")
            self.reload()

    def remove_selected(self) -> None:
        from PySide6.QtWidgets import QMessageBox  # its enums: not before the first rows

        account = self.selected()
        if account is None or not self._loaded:
            return
        answer = QMessageBox.question(
            self,
            "Remove account",
            f"Remove “{account.name}” ({PLATFORM_NAMES[account.platform]})?\n\n"
            f"This deletes its sign-in secrets, session tokens and the secrets of its API keys from "
            f"{self._door.store_status().place}. Keys on the platform are not revoked.",
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        if answer == QMessageBox.StandardButton.Yes:
            self.runner.run(
                f"Removing “{account.name}”",
                self._door.remove_account(account),
                self.runner.notify_then(f"Removed “{account.name}”.", self.reload),
            )

    def sign_in_selected(self) -> None:
        """Sign in with what is stored; when the account needs login, or its credentials are
        refused, ask for the password / secret (kept only if the sign-in with it works)."""
        account = self.selected()
        if account is None or not self._loaded:
            return
        # Here, not at the top: the forms import every adapter (httpx), not needed to paint.
        from tokendeck.services import account_forms

        door = self._door
        ask_first = account.status is AccountStatus.NEEDS_LOGIN and account_forms.needs_secret(
            account.platform, account.settings.inputs
        )

        async def attempt() -> Account | _Ask:
            if ask_first:
                return _Ask(await door.stored_secret_fields(account), None)
            try:
                return await door.sign_in(account)
            except TokenDeckError as error:
                if not account_forms.credentials_refused(error):
                    raise
                return _Ask(await door.stored_secret_fields(account), error)

        def done(result: Account | _Ask) -> None:
            if isinstance(result, _Ask):
                self.ask_sign_in(account, result.stored, result.error)
            else:
                self._signed_in(result)

        self.runner.run(f"Signing in to “{account.name}”", attempt(), done)

    def ask_sign_in(
        self, account: Account, stored: frozenset[str], error: TokenDeckError | None = None
    ) -> SignInDialog:
        from tokendeck.ui.sign_in_dialog import SignInDialog

        door = self._door
        dialog = SignInDialog(
            self,
            account,
            stored,
            lambda secrets: door.sign_in_with(account, secrets),
            error,
        )
        self._open(dialog)
        return dialog

    def sign_out_selected(self) -> None:
        account = self.selected()
        if account is not None and self._loaded:
            self.runner.run(
                f"Signing out of “{account.name}”",
                self._door.sign_out(account),
                self.runner.notify_then(lambda a: f"Signed out of “{a.name}”.", self.reload),
            )

    def toggle_pin(self) -> None:
        account = self.selected()
        if account is None or not self._loaded:
            return
        pinned = not account.settings.pinned
        self.runner.run(
            "Pinning" if pinned else "Unpinning",
            self._door.set_pinned(account, pinned),
            self.runner.notify_then(
                f"“{account.name}” {'is pinned to' if pinned else 'is no longer in'} the tray menu.",
                self.reload,
            ),
        )

    def test_selected(self) -> None:
        account = self.selected()
        if account is None or not self._loaded:
            return

        def show(result: ProbeResult) -> None:
            text = f"Test of “{account.name}”: {result.explanation}"
            if result.who:
                text += f" Signed in as {result.who}."
            if result.ok:
                self.runner.info(text)
            else:
                self.runner.error(text)
            self.reload()

        self.runner.run(f"Testing “{account.name}”", self._door.test_account(account), show)
