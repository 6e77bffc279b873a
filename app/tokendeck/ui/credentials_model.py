"""Table model of held credentials, with countdowns refreshed for the rows on screen only."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QGuiApplication

from tokendeck.core.credential_status import credential_status
from tokendeck.core.models import Credential
from tokendeck.core.timefmt import countdown, local_text, utc_iso
from tokendeck.core.token_assess import STATUS_TEXT
from tokendeck.ui.status_style import status_color

CredentialRole = Qt.ItemDataRole.UserRole
SortRole = Qt.ItemDataRole.UserRole + 1

KIND_TEXT = {
    "password": "Password",
    "session_token": "Session token",
    "refresh_token": "Refresh token",
    "api_key": "API key",
    "api_secret": "API secret",
    "private_key": "Private key",
    "client_secret": "Client secret",
    "pasted_token": "Pasted token",
}


class Column(IntEnum):
    LABEL = 0
    KIND = 1
    ACCOUNT = 2
    EXPIRES = 3
    COUNTDOWN = 4
    STATUS = 5
    SECRET = 6


HEADERS = {
    Column.LABEL: "Label",
    Column.KIND: "Kind",
    Column.ACCOUNT: "Account",
    Column.EXPIRES: "Expires",
    Column.COUNTDOWN: "Countdown",
    Column.STATUS: "Status",
    Column.SECRET: "Secret held",
}

Index = QModelIndex | QPersistentModelIndex
_ROOT = QModelIndex()


class CredentialsModel(QAbstractTableModel):
    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Credential] = []
        self._accounts: Mapping[str, str] = {}
        self._now = datetime.now(UTC)

    def set_credentials(
        self, credentials: Sequence[Credential], accounts: Mapping[str, str]
    ) -> None:
        self.beginResetModel()
        self._rows = list(credentials)
        self._accounts = dict(accounts)
        self.endResetModel()

    def credential(self, row: int) -> Credential:
        return self._rows[row]

    def rowCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(Column)
        ):
            return HEADERS[Column(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        c = self._rows[index.row()]
        column = Column(index.column())
        if role == CredentialRole:
            return c
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(c, column)
        if role == SortRole:
            if column in (Column.EXPIRES, Column.COUNTDOWN):
                return c.expires_at.timestamp() if c.expires_at else float("inf")
            return self._display(c, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column in (Column.EXPIRES, Column.COUNTDOWN) and c.expires_at:
                return f"{utc_iso(c.expires_at)} UTC"
            return self._display(c, column)
        if role == Qt.ItemDataRole.ForegroundRole and column in (Column.COUNTDOWN, Column.STATUS):
            return status_color(credential_status(c, self._now), QGuiApplication.palette())
        return None

    def _display(self, c: Credential, column: Column) -> str:
        if column is Column.LABEL:
            return c.label
        if column is Column.KIND:
            return KIND_TEXT.get(c.kind.value, c.kind.value)
        if column is Column.ACCOUNT:
            return self._accounts.get(c.account_id or "", "—")
        if column is Column.EXPIRES:
            return local_text(c.expires_at) if c.expires_at else "never"
        if column is Column.COUNTDOWN:
            return countdown(c.expires_at, self._now) if c.expires_at else "—"
        if column is Column.STATUS:
            return STATUS_TEXT[credential_status(c, self._now)]
        return "yes" if c.secret_held else "no"

    def tick(self, now: datetime, rows: Sequence[int]) -> None:
        """New time; repaint the countdown and status cells of `rows` (the visible ones)."""
        self._now = now
        for row in rows:
            if 0 <= row < len(self._rows):
                self.dataChanged.emit(
                    self.index(row, Column.COUNTDOWN), self.index(row, Column.STATUS)
                )
