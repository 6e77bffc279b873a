"""Table model of accounts: name, platform, host, user, auth, status, soonest expiry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QSortFilterProxyModel
from PySide6.QtGui import QGuiApplication

from tokendeck.core.models import PLATFORM_NAMES, Account, AccountStatus
from tokendeck.core.timefmt import countdown, utc_iso
from tokendeck.core.verdict import State, Verdict, urgency
from tokendeck.services.standing import HeldCredential, headline
from tokendeck.ui import item_roles
from tokendeck.ui.status_style import status_icon, tone_color
from tokendeck.ui.table_model import Index, RowTableModel

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

AccountRole = item_roles.USER
# An account with its held credentials; None while they are still being read (the first load
# shows the accounts before every credential is read: "Next expiry" says so meanwhile).
AccountRow = tuple[Account, tuple[HeldCredential, ...] | None]

STATUS_TEXT = {
    AccountStatus.SIGNED_IN: "signed in",
    AccountStatus.NEEDS_LOGIN: "needs login",
    AccountStatus.ERROR: "error",
    AccountStatus.OFFLINE: "offline",
}
PASTED_STATUS_TEXT = "token held"
STATUS_TONE = {
    AccountStatus.SIGNED_IN: "ok",
    AccountStatus.NEEDS_LOGIN: "muted",
    AccountStatus.ERROR: "bad",
    AccountStatus.OFFLINE: "warn",
}
READING_TEXT = "…"
READING_TIP = "Reading this account's credentials…"
_EXPIRY_ROLES = frozenset((item_roles.DISPLAY, item_roles.TOOLTIP, item_roles.FOREGROUND))


class AccountColumn(IntEnum):
    NAME = 0
    PLATFORM = 1
    HOST = 2
    USER = 3
    AUTH = 4
    STATUS = 5
    EXPIRY = 6


class AccountsModel(RowTableModel):
    """Sorts itself (`sort`): one `list.sort` of keys computed once per row. A proxy that
    sorts calls `data()` from C++ twice per comparison: 180 ms to show 1,000 accounts."""

    headers = ("Name", "Platform", "Host", "User", "Auth method", "Status", "Next expiry")
    tick_columns = (AccountColumn.EXPIRY, AccountColumn.EXPIRY)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AccountRow] = []
        # Each row's headline at `_headed_at`, by account id: painting a row asks for the expiry
        # cell in several roles, and the headline judges every credential of the account.
        self._headlines: dict[str, tuple[HeldCredential, Verdict] | None] = {}
        self._headed_at = self._now
        self._sort_column = AccountColumn.NAME
        self._descending = False

    def set_accounts(self, rows: Sequence[AccountRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._headlines.clear()
        self._arrange()
        self.endResetModel()

    def tick(self, now: datetime, rows: Sequence[int]) -> None:
        """Sorted by Next expiry, the rows are sorted again when a visible row's state changes
        (a key now expiring soon moves up). Only a change of state moves a row: within a state
        the order is by expiry time, which time does not change."""
        by_expiry = self._sort_column is AccountColumn.EXPIRY
        before = self._states(rows) if by_expiry else ()
        super().tick(now, rows)
        if by_expiry and self._states(rows) != before:
            self.sort_by(self._sort_column, descending=self._descending)

    def _states(self, rows: Sequence[int]) -> tuple[State | None, ...]:
        states: list[State | None] = []
        for row in rows:
            if 0 <= row < len(self._rows):
                account, held = self._rows[row]
                found = self._headline(account.id, held) if held is not None else None
                states.append(found[1].state if found is not None else None)
        return tuple(states)

    def sort(self, column: int, order: Qt.SortOrder | None = None) -> None:
        """Qt's sort (a click on a title); no `order` is ascending. The order the rows are in
        already is not sorted again (the header asks for it when sorting is switched on)."""
        descending = order is not None and getattr(order, "value", order) == 1
        if (column, descending) != self.sorted_by():
            self.sort_by(column, descending=descending)

    def sort_by(self, column: int, *, descending: bool) -> None:
        """Sort the rows (also before the `Qt` namespace is made: the first rows come sorted
        as they were left, see AccountsTab.sort_first)."""
        if not 0 <= column < len(self.headers):
            return
        self.layoutAboutToBeChanged.emit()
        kept = self.persistentIndexList()  # the selection and the current row follow their rows
        rows = [self._rows[index.row()] for index in kept]
        self._sort_column, self._descending = AccountColumn(column), descending
        self._arrange()
        position = {id(row): number for number, row in enumerate(self._rows)}
        self.changePersistentIndexList(
            kept,
            [self.index(position[id(row)], i.column()) for row, i in zip(rows, kept, strict=True)],
        )
        self.layoutChanged.emit()

    def _arrange(self) -> None:
        column = self._sort_column
        self._rows.sort(
            key=lambda row: self._sort_key(row, column),
            reverse=self._descending,
        )

    def _sort_key(self, row: AccountRow, column: AccountColumn) -> tuple[Any, ...]:
        account, held = row
        name = account.name.lower()
        if column is not AccountColumn.EXPIRY:
            return (self._text(account, column).lower(), name)
        found = self._headline(account.id, held) if held is not None else None
        if found is None:  # nothing that expires, or not read yet: after those that do
            return (1, 0, 0.0, name)
        return (0, *urgency(found[1]), name)

    def sorted_by(self) -> tuple[int, bool]:
        """The column the rows are sorted by, and whether descending."""
        return self._sort_column, self._descending

    def account(self, row: int) -> Account:
        return self._rows[row][0]

    def row_of(self, account_id: str) -> int:
        return next((i for i, (a, _) in enumerate(self._rows) if a.id == account_id), -1)

    def data(self, index: Index, role: int = item_roles.DISPLAY) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        account, held = self._rows[index.row()]
        column = AccountColumn(index.column())
        if role == AccountRole:
            return account
        if column is AccountColumn.EXPIRY:
            return self._expiry_data(account.id, held, role)
        if role in (item_roles.DISPLAY, item_roles.TOOLTIP):
            if (
                role == item_roles.TOOLTIP
                and column is AccountColumn.STATUS
                and account.status_detail
            ):
                return account.status_detail
            return self._text(account, column)
        if role == item_roles.DECORATION and column is AccountColumn.STATUS:
            return status_icon(STATUS_TONE[account.status])
        if role == item_roles.FOREGROUND and column is AccountColumn.STATUS:
            return tone_color(STATUS_TONE[account.status], QGuiApplication.palette())
        return None

    def _expiry_data(
        self, account_id: str, held: tuple[HeldCredential, ...] | None, role: int
    ) -> Any:
        """The next expiry that matters: what most needs a person, else the next to expire."""
        if role not in _EXPIRY_ROLES:
            return None
        if held is None:
            if role == item_roles.DISPLAY:
                return READING_TEXT
            return READING_TIP if role == item_roles.TOOLTIP else None
        found = self._headline(account_id, held)
        if found is None:
            return "—" if role == item_roles.DISPLAY else None
        first, verdict = found
        if role == item_roles.DISPLAY:
            if verdict.state is State.RENEWS:
                return "renews itself"
            if verdict.counts_down and verdict.expires_at is not None:
                return countdown(verdict.expires_at, self._now)
            return verdict.text
        if role == item_roles.TOOLTIP:
            when = f" ({utc_iso(verdict.expires_at)} UTC)" if verdict.expires_at else ""
            return f"{first.credential.label}: {verdict.reason}{when}"
        if role == item_roles.FOREGROUND:
            return tone_color(verdict.tone, QGuiApplication.palette())
        return None

    def _headline(
        self, account_id: str, held: tuple[HeldCredential, ...]
    ) -> tuple[HeldCredential, Verdict] | None:
        """The row's headline at `_now`, judged once per row per tick."""
        if self._headed_at != self._now:
            self._headlines.clear()
            self._headed_at = self._now
        if account_id not in self._headlines:
            self._headlines[account_id] = headline(held, self._now)
        return self._headlines[account_id]

    def _text(self, account: Account, column: AccountColumn) -> str:
        if column is AccountColumn.NAME:
            return account.name
        if column is AccountColumn.PLATFORM:
            return PLATFORM_NAMES[account.platform]
        if column is AccountColumn.HOST:
            return account.host or "—"
        if column is AccountColumn.USER:
            return account.username or "—"
        if column is AccountColumn.AUTH:
            return account.auth_method.replace("_", " ")
        if column is AccountColumn.STATUS:
            if account.status is AccountStatus.SIGNED_IN and not signs_in(account):
                return PASTED_STATUS_TEXT  # nothing was signed in to: a token was pasted
            return STATUS_TEXT[account.status]
        return ""


def signs_in(account: Account) -> bool:
    """Whether the account signs in to a platform (a pasted token does not). Imported on first
    use: the platform registry is not on the path to the first paint."""
    from tokendeck.services import account_forms

    return account_forms.signs_in_remotely(account.platform)


class FilterProxy(QSortFilterProxyModel):
    """Filters the rows by the search text; sorting is the source model's own (`sort`)."""

    def sort(self, column: int, order: Qt.SortOrder | None = None) -> None:
        from PySide6.QtCore import Qt  # made by then: Qt passed an order

        source = self.sourceModel()
        if source is not None:
            source.sort(column, Qt.SortOrder.AscendingOrder if order is None else order)
