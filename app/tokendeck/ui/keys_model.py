"""The API keys table's model: one row per key the platform lists, with the credential holding
its secret (if TokenDeck holds it), its verdict and countdown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from enum import IntEnum
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication

from tokendeck.core.settings import DEFAULT_THRESHOLDS
from tokendeck.core.timefmt import countdown, local_text, utc_iso
from tokendeck.core.verdict import Verdict, judge_credential
from tokendeck.ui.secret_presence import SecretPresence
from tokendeck.ui.status_style import status_icon, tone_color
from tokendeck.ui.table_model import Index, RowTableModel

if TYPE_CHECKING:
    from tokendeck.services.door import KeyView


KeyRole = Qt.ItemDataRole.UserRole


class KeyColumn(IntEnum):
    NAME = 0
    ID = 1
    SCOPES = 2
    CREATED = 3
    EXPIRES = 4
    COUNTDOWN = 5
    LAST_USED = 6
    STATE = 7
    HELD = 8


HEADERS = (
    "Name",
    "ID",
    "Scopes",
    "Created",
    "Expires",
    "Countdown",
    "Last used",
    "State",
    "Secret held",
)


def key_verdict(view: KeyView, now: datetime, warn_within: timedelta) -> Verdict:
    """A platform key is something a person replaces: the same rule as every credential."""
    return judge_credential(
        view.remote.expires_at, now, revoked=view.remote.revoked, warn_within=warn_within
    )


class KeysModel(RowTableModel):
    headers = HEADERS
    tick_columns = (KeyColumn.COUNTDOWN, KeyColumn.STATE)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[KeyView] = []
        self._warn_within = max(DEFAULT_THRESHOLDS)
        self.presence = SecretPresence()

    def set_keys(self, rows: Sequence[KeyView], warn_within: timedelta | None = None) -> None:
        self.beginResetModel()
        if warn_within is not None:
            self._warn_within = warn_within
        self._rows = sorted(
            rows,
            key=lambda v: (
                v.remote.revoked,
                v.remote.expires_at or datetime.max.replace(tzinfo=UTC),
            ),
        )
        self.endResetModel()

    def key(self, row: int) -> KeyView:
        return self._rows[row]

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        view = self._rows[index.row()]
        column = KeyColumn(index.column())
        if role == KeyRole:
            return view
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(view, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is KeyColumn.STATE:
                return self.verdict(view).reason
            if column in (KeyColumn.EXPIRES, KeyColumn.COUNTDOWN) and view.remote.expires_at:
                return f"{utc_iso(view.remote.expires_at)} UTC"
            return self._text(view, column)
        if role == Qt.ItemDataRole.DecorationRole and column is KeyColumn.STATE:
            return status_icon(self.verdict(view).tone)
        if role == Qt.ItemDataRole.ForegroundRole and column in (
            KeyColumn.COUNTDOWN,
            KeyColumn.STATE,
        ):
            return tone_color(self.verdict(view).tone, QGuiApplication.palette())
        return None

    def verdict(self, view: KeyView) -> Verdict:
        return key_verdict(view, self._now, self._warn_within)

    def _text(self, view: KeyView, column: KeyColumn) -> str:
        remote = view.remote
        if column is KeyColumn.NAME:
            return remote.name + (" (deprecated)" if remote.deprecated else "")
        if column is KeyColumn.ID:
            return remote.id
        if column is KeyColumn.SCOPES:
            return ", ".join(remote.scopes) or "—"
        if column is KeyColumn.CREATED:
            return local_text(remote.created_at) if remote.created_at else "—"
        if column is KeyColumn.EXPIRES:
            return local_text(remote.expires_at) if remote.expires_at else "never"
        if column is KeyColumn.COUNTDOWN:
            verdict = self.verdict(view)
            if not verdict.counts_down or remote.expires_at is None:
                return "—"
            return countdown(remote.expires_at, self._now)
        if column is KeyColumn.LAST_USED:
            return local_text(remote.last_used_at) if remote.last_used_at else "—"
        if column is KeyColumn.STATE:
            return self.verdict(view).text
        return self.presence.text(view.credential) if view.credential is not None else "no"

    def held(self, view: KeyView) -> bool:
        """Its secret is held, as far as the secret store's check knows."""
        return view.credential is not None and self.presence.held(view.credential)

    def presence_changed(self) -> None:
        """The bulk check of the secret store answered: repaint the "Secret held" column."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, KeyColumn.HELD), self.index(len(self._rows) - 1, KeyColumn.HELD)
            )
