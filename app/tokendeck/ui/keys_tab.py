"""The API keys tab: the long-lived keys of the selected account, as the platform lists them.

Longer than most modules (~415 lines): the tab owns the four key flows (create, copy, revoke,
rotate) and their questions; they share the selection, the runner and the banner. The table's
model is keys_model.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from tokendeck.core.models import PLATFORM_NAMES, Account, AccountStatus
from tokendeck.core.platform_types import Capabilities
from tokendeck.core.verdict import STATE_TEXT
from tokendeck.ui.button_bar import ButtonBar
from tokendeck.ui.clipboard import ClipboardGuard
from tokendeck.ui.column_fit import COUNTDOWN_SAMPLES, Column, FittedTable, time_samples
from tokendeck.ui.empty_state import EmptyState, LoadingState
from tokendeck.ui.icons import Act, set_icon
from tokendeck.ui.key_dialogs import CreateKeyDialog, RevealDialog
from tokendeck.ui.keys_model import KeyColumn, KeyRole, KeysModel
from tokendeck.ui.question import ask
from tokendeck.ui.secret_presence import PRESENCE_TEXTS
from tokendeck.ui.table_setup import configure_table, visible_rows
from tokendeck.ui.task_runner import BusyBar, MessageBanner, TaskRunner
from tokendeck.ui.ticker import Ticker

if TYPE_CHECKING:
    from tokendeck.services.door import Door, KeyView


def _caps(account: Account) -> Capabilities:
    """The platform's capabilities (imported on first use: not on the path to first paint)."""
    from tokendeck.services import account_forms

    return account_forms.capabilities(account.platform)


class KeysTab(QWidget):
    def __init__(
        self, door: Door, ticker: Ticker, clipboard: ClipboardGuard, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("keys-tab")
        self._door = door
        self._clipboard = clipboard
        self._accounts: list[Account] = []
        self._shown_account: str | None = None
        self.reveal: RevealDialog | None = None
        self.account = QComboBox()
        self.account.setObjectName("keys-account")
        self.account.setAccessibleName("Account whose keys are shown")
        self.account.setMinimumWidth(280)
        self.account.currentIndexChanged.connect(lambda _: self.reload())
        self.limits = QLabel()
        self.limits.setObjectName("keys-limits")
        self.limits.setWordWrap(True)
        self.model = KeysModel(self)
        self.view = FittedTable()
        self.view.show_model(self.model, self.model.headers)
        self.columns = configure_table(
            self.view,
            "keys-table",
            "API keys",
            (
                Column(KeyColumn.NAME, 180),
                Column(KeyColumn.STATE, 90, tuple(STATE_TEXT.values()), icon=True),
                Column(KeyColumn.COUNTDOWN, 110, COUNTDOWN_SAMPLES),
                Column(KeyColumn.EXPIRES, 150, time_samples()),
                Column(KeyColumn.LAST_USED, 150, time_samples()),
                Column(KeyColumn.SCOPES, 110),
                Column(KeyColumn.CREATED, 150, time_samples()),
                Column(KeyColumn.ID, 120),
                Column(KeyColumn.HELD, 70, PRESENCE_TEXTS),
            ),
            stretch=KeyColumn.NAME,
        )
        self.view.selectionModel().selectionChanged.connect(lambda *_: self._update_buttons())

        self.create_button = QPushButton("Create…")
        self.create_button.setObjectName("key-create")
        self.create_button.clicked.connect(self.create_key)
        self.copy_button = QPushButton("Copy")
        self.copy_button.setObjectName("key-copy")
        self.copy_button.clicked.connect(self.copy_selected)
        self.rotate_button = QPushButton("Rotate…")
        self.rotate_button.setObjectName("key-rotate")
        self.rotate_button.clicked.connect(self.rotate_selected)
        self.revoke_button = QPushButton("Revoke…")
        self.revoke_button.setObjectName("key-revoke")
        self.revoke_button.clicked.connect(self.revoke_selected)
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.clicked.connect(self.reload)
        set_icon(self.refresh_button, Act.REFRESH)

        top = QHBoxLayout()
        top.addWidget(QLabel("Account:"))
        top.addWidget(self.account)
        top.addWidget(self.refresh_button)
        top.addStretch(1)
        self.buttons = ButtonBar(
            (
                (self.create_button, Act.ADD),
                (self.copy_button, Act.COPY),
                (self.rotate_button, Act.ROTATE),
            ),
            ((self.revoke_button, Act.REVOKE),),
            words_kept_longest=(self.create_button, self.copy_button),
        )

        self.banner = MessageBanner()
        self.busy = BusyBar()
        self.runner = TaskRunner(self.banner, self.busy, self)
        self.runner.busy_changed.connect(lambda _: self._update_buttons())
        table_page = QWidget()
        table_layout = QVBoxLayout(table_page)
        table_layout.setContentsMargins(0, 0, 0, 0)
        table_layout.addLayout(top)
        table_layout.addWidget(self.limits)
        table_layout.addWidget(self.buttons)
        table_layout.addWidget(self.view, 1)
        self.empty = EmptyState(
            Act.KEYS,
            "No account with API keys",
            "API keys are listed per account. Add an account on a platform with keys (Dataloop, "
            "Haut.AI, Encord, Trifacta) on the Accounts tab and sign in; its keys appear here.",
        )
        self.go_accounts = self.empty.add_button("Go to Accounts")
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(table_page)
        self.loading = LoadingState("Loading accounts…")
        self.stack.addWidget(self.loading)
        self.stack.setCurrentWidget(self.loading)  # until the Accounts tab has its rows
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.banner)  # under the content: a message never moves what is read
        layout.addWidget(self.busy)
        self.refresh_action = QAction("Refresh keys", self)
        self.refresh_action.setShortcut(QKeySequence.StandardKey.Refresh)
        self.refresh_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.refresh_action.triggered.connect(self.reload)
        self.revoke_action = QAction("Revoke key", self)
        self.revoke_action.setShortcut(QKeySequence.StandardKey.Delete)
        self.revoke_action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.revoke_action.triggered.connect(self.revoke_selected)
        self.addActions([self.refresh_action, self.revoke_action])
        ticker.tick.connect(self._on_tick)
        self._update_buttons()

    def show_unavailable(self, why: str) -> None:
        """The catalog did not open: say so where the keys would be."""
        self.loading.setText(f"The accounts could not be loaded.\n\n{why}")
        self.stack.setCurrentWidget(self.loading)

    def presence_changed(self) -> None:
        """The bulk check of the held secrets answered (see ui/wiring.py)."""
        self.model.presence_changed()
        self._update_buttons()

    def set_accounts(self, accounts: list[Account]) -> None:
        before = self.current_account()
        keyed = [a for a in accounts if _caps(a).list_keys]
        self._accounts = keyed
        self.account.blockSignals(True)
        self.account.clear()
        for account in keyed:
            self.account.addItem(f"{account.name} — {PLATFORM_NAMES[account.platform]}", account.id)
        if before is not None and self.account.findData(before.id) >= 0:
            self.account.setCurrentIndex(self.account.findData(before.id))
        self.account.blockSignals(False)
        self.stack.setCurrentIndex(1 if keyed else 0)
        after = self.current_account()
        if after is not None and (
            before is None or before.id != after.id or before.status != after.status
        ):
            self.reload()

    def follow(self, account: Account | None) -> None:
        """Show the keys of the account selected on the Accounts tab, when it has keys."""
        if account is None:
            return
        index = self.account.findData(account.id)
        if index >= 0 and index != self.account.currentIndex():
            self.account.setCurrentIndex(index)

    def current_account(self) -> Account | None:
        account_id = self.account.currentData()
        return next((a for a in self._accounts if a.id == account_id), None)

    def selected(self) -> KeyView | None:
        rows = self.view.selectionModel().selectedRows()
        value = self.model.data(rows[0], KeyRole) if rows else None
        return value if value is not None and hasattr(value, "remote") else None

    def _update_buttons(self) -> None:
        account = self.current_account()
        view = self.selected()
        ready = not self.runner.busy and account is not None
        caps = _caps(account) if account else None
        self.create_button.setEnabled(bool(ready and caps and caps.create_keys))
        self.copy_button.setEnabled(bool(ready and view and self.model.held(view)))
        self.rotate_button.setEnabled(
            bool(ready and view and not view.remote.revoked and caps and caps.create_keys)
        )
        self.revoke_button.setEnabled(
            bool(ready and view and not view.remote.revoked and caps and caps.revoke_keys)
        )
        self.refresh_button.setEnabled(bool(ready))

    def reload(self) -> None:
        account = self.current_account()
        if account is None or account.id != self._shown_account:
            self.model.set_keys([])
            self._shown_account = account.id if account else None
        if account is None:
            self._update_buttons()
            return
        caps = _caps(account)
        self.limits.setText(caps.notes)
        if account.status is not AccountStatus.SIGNED_IN:
            self.runner.error(
                f"“{account.name}” is not signed in: sign in on the Accounts tab to list its keys."
            )
            self._update_buttons()
            return
        self.runner.run(
            f"Listing the keys of “{account.name}”",
            self._door.list_keys(account),
            self._show,
            replaceable=True,
        )

    def _show(self, views: list[KeyView]) -> None:
        self.banner.hide()
        account = self.current_account()
        warn_within = (
            max(self._door.thresholds_for(account), default=timedelta(0))
            if account is not None
            else None
        )
        self.model.set_keys(views, warn_within)
        if account is not None:
            caps = _caps(account)
            active = sum(1 for v in views if not v.remote.revoked)
            limit = f"{active} of at most {caps.max_keys} keys in use. " if caps.max_keys else ""
            self.limits.setText(limit + caps.notes)
        self.view.set_placeholder(
            f"No API keys on “{account.name}” yet. Create one with Create… (Ctrl+Shift+N); "
            "TokenDeck keeps its secret and warns before it expires."
            if account is not None and not views
            else ""
        )
        self._update_buttons()

    def create_key(self) -> CreateKeyDialog | None:
        account = self.current_account()
        if account is None:
            return None
        caps = _caps(account)
        active = sum(
            1 for r in range(self.model.rowCount()) if not self.model.key(r).remote.revoked
        )
        dialog = CreateKeyDialog(self, caps, active, account.name, PLATFORM_NAMES[account.platform])
        dialog.accepted.connect(lambda: self._create(account, dialog.name.text().strip(), dialog))
        dialog.open()
        return dialog

    def _create(self, account: Account, name: str, dialog: CreateKeyDialog) -> None:
        self.runner.run(
            f"Creating “{name}”",
            self._door.create_key(account, name, dialog.lifetime(), dialog.chosen_scopes()),
            lambda result: self._reveal(result[0].label, result[1], after=self.reload),
            cancelled=f"Creating “{name}”: cancelled. If the platform had already made the key, "
            "TokenDeck kept its secret: Refresh to see it.",
        )

    def _reveal(self, label: str, secret: Any, after: Any = None) -> None:
        dialog = RevealDialog(self, label, secret, self._door.store_status().place, self._clipboard)
        self.reveal = dialog
        if after is not None:
            dialog.finished.connect(lambda _: after())
        dialog.open()

    def copy_selected(self) -> None:
        view = self.selected()
        if view is None or view.credential is None:
            return
        credential = view.credential

        async def copy() -> None:
            secret = await self._door.reveal_key(credential)
            if secret is None:
                self.runner.error("The secret of this key is not in the secret store.")
                return
            self._clipboard.copy_secret(secret, view.remote.name)

        self.runner.run("Copying", copy())

    def _ask(
        self,
        title: str,
        text: str,
        details: str,
        action: str,
        on_yes: Callable[[], None],
        *,
        on_no: Callable[[], None] | None = None,
        keep: str = "Cancel",
    ) -> QMessageBox:
        return ask(
            self, "keys-question", title, text, details, action, on_yes, on_no=on_no, keep=keep
        )

    def revoke_selected(self) -> None:
        account, view = self.current_account(), self.selected()
        if account is None or view is None:
            return
        door = self._door
        name, key_id = view.remote.name, view.remote.id

        def revoke() -> None:
            self.runner.run(
                f"Revoking “{name}”",
                door.revoke_key(account, key_id),
                self.runner.notify_then(f"Revoked “{name}”.", self.reload),
            )

        self._ask(
            "Revoke key",
            f"Revoke “{name}” ({key_id}) on {PLATFORM_NAMES[account.platform]}?",
            "Anything using it stops working at once. This cannot be undone.",
            "Revoke",
            revoke,
        )

    def rotate_selected(self) -> None:
        account, view = self.current_account(), self.selected()
        if account is None or view is None:
            return
        door = self._door
        old = view.remote
        platform = PLATFORM_NAMES[account.platform]
        revocable = bool(_caps(account).revoke_keys)
        after = (
            "TokenDeck offers to revoke it once you have seen the new one; you can also revoke it "
            "later from this tab."
            if revocable
            else f"{platform}'s API cannot revoke keys: remove it in {platform}'s web app."
        )

        def created(result: Any) -> None:
            self._reveal(
                result[0].label,
                result[1],
                after=lambda: self._after_rotation(account, old.id, old.name, revocable),
            )

        def rotate() -> None:
            self.runner.run(
                f"Rotating “{old.name}”",
                door.rotate_key(account, old),
                created,
                cancelled=f"Rotating “{old.name}”: cancelled. If the platform had already made "
                "the new key, TokenDeck kept its secret and the old key still works: Refresh to "
                "see them.",
            )

        plan = door.rotation(account, old)
        self._ask(
            "Rotate key",
            f"Rotate “{old.name}” on {platform}?",
            f"TokenDeck creates a new key, “{plan.name}”, with the same scopes and "
            f"{plan.lifetime_text}, and shows its secret once. The old key keeps working until "
            f"you revoke it. {after}",
            "Create the new key",
            rotate,
        )

    def _after_rotation(self, account: Account, key_id: str, name: str, revocable: bool) -> None:
        if not revocable:
            self.runner.info(f"The old key “{name}” still works until you remove it.")
            self.reload()
            return
        door = self._door

        def revoke() -> None:
            self.runner.run(
                f"Revoking “{name}”",
                door.revoke_key(account, key_id),
                self.runner.notify_then(f"Rotated: the old key “{name}” is revoked.", self.reload),
            )

        self._ask(
            "Revoke the old key?",
            f"The replacement is ready. Revoke the old key “{name}” now?",
            "Revoke it once nothing uses it any more; you can also do it later from this tab.",
            "Revoke the old key",
            revoke,
            on_no=self.reload,
            keep="Keep it for now",
        )

    def _on_tick(self, now: datetime) -> None:
        """The model always knows the time; only the visible rows are repainted."""
        visible = self.isVisible() and self.model.rowCount()
        self.model.tick(now, visible_rows(self.view) if visible else [])
