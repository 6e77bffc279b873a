"""Table model of accounts: name, platform, host, user, auth, status, soonest expiry."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication

from tokendeck.core.models import PLATFORM_NAMES, Account, AccountStatus
from tokendeck.core.timefmt import countdown, utc_iso
from tokendeck.ui.status_style import status_icon, tone_color
from tokendeck.ui.table_model import Index, RowTableModel

AccountRole = Qt.ItemDataRole.UserRole

STATUS_TEXT = {
    AccountStatus.SIGNED_IN: "signed in",
    AccountStatus.NEEDS_LOGIN: "needs login",
    AccountStatus.ERROR: "error",
    AccountStatus.OFFLINE: "offline",
}
STATUS_TONE = {
    AccountStatus.SIGNED_IN: "ok",
    AccountStatus.NEEDS_LOGIN: "muted",
    AccountStatus.ERROR: "bad",
    AccountStatus.OFFLINE: "warn",
}


class AccountColumn(IntEnum):
    NAME = 0
    PLATFORM = 1
    HOST = 2
    USER = 3
    AUTH = 4
    STATUS = 5
    EXPIRY = 6


class AccountsModel(RowTableModel):
    headers = ("Name", "Platform", "Host", "User", "Auth method", "Status", "Soonest expiry")
    tick_columns = (AccountColumn.EXPIRY, AccountColumn.EXPIRY)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Account, datetime | None]] = []

    def set_accounts(self, rows: Sequence[tuple[Account, datetime | None]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def account(self, row: int) -> Account:
        return self._rows[row][0]

    def row_of(self, account_id: str) -> int:
        return next((i for i, (a, _) in enumerate(self._rows) if a.id == account_id), -1)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        account, expiry = self._rows[index.row()]
        column = AccountColumn(index.column())
        if role == AccountRole:
            return account
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.ToolTipRole):
            if (
                role == Qt.ItemDataRole.ToolTipRole
                and column is AccountColumn.STATUS
                and account.status_detail
            ):
                return account.status_detail
            if role == Qt.ItemDataRole.ToolTipRole and column is AccountColumn.EXPIRY and expiry:
                return f"{utc_iso(expiry)} UTC"
            return self._text(account, expiry, column)
        if role == Qt.ItemDataRole.DecorationRole and column is AccountColumn.STATUS:
            return status_icon(STATUS_TONE[account.status])
        if role == Qt.ItemDataRole.ForegroundRole and column is AccountColumn.STATUS:
            return tone_color(STATUS_TONE[account.status], QGuiApplication.palette())
        if role == Qt.ItemDataRole.ForegroundRole and column is AccountColumn.EXPIRY and expiry:
            left = (expiry - self._now).total_seconds()
            tone = "bad" if left <= 0 else "warn" if left < 86400 else "ok"
            return tone_color(tone, QGuiApplication.palette())
        return None

    def _text(self, account: Account, expiry: datetime | None, column: AccountColumn) -> str:
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
            return STATUS_TEXT[account.status]
        return countdown(expiry, self._now) if expiry else "—"
