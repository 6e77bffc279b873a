"""Table model of held credentials, with countdowns refreshed for the rows on screen only."""

from __future__ import annotations

from collections.abc import Sequence
from enum import IntEnum
from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QGuiApplication

from tokendeck.core.clock import Clock, SystemClock
from tokendeck.core.models import KIND_NAMES, Credential
from tokendeck.core.timefmt import countdown, local_text, utc_iso
from tokendeck.core.verdict import Verdict
from tokendeck.services.standing import HeldCredential
from tokendeck.ui.secret_presence import SecretPresence
from tokendeck.ui.status_style import is_dark, status_icon, tone_color_on
from tokendeck.ui.table_model import Index, RowTableModel

CredentialRole = Qt.ItemDataRole.UserRole

KIND_TEXT = KIND_NAMES


class Column(IntEnum):
    LABEL = 0
    KIND = 1
    ACCOUNT = 2
    COUNTDOWN = 3
    STATUS = 4
    EXPIRES = 5
    SECRET = 6


_COLUMNS = tuple(Column)


class CredentialsModel(RowTableModel):
    """Sorts and filters itself: one `list.sort` with precomputed keys and a precomputed search
    text per row, instead of a proxy that calls `data()` from C++ for every comparison (at
    10,000 rows that was 1.5 s per sort; see bench/tokens_table.py)."""

    headers = ("Label", "Kind", "Account", "Countdown", "Status", "Expires", "Secret held")
    tick_columns = (Column.COUNTDOWN, Column.STATUS)

    def __init__(self, parent: QObject | None = None, clock: Clock | None = None) -> None:
        super().__init__(parent)
        self._now = (clock or SystemClock()).now()  # until the first tick
        self._all: list[HeldCredential] = []
        self.presence = SecretPresence()
        self._verdicts: dict[str, Verdict] = {}
        self._judged_at = self._now
        self._dark = is_dark(QGuiApplication.palette())  # re-read with each tick
        self._search: dict[str, str] = {}
        self._filter = ""
        self._sort_column = Column.EXPIRES
        self._sort_order = Qt.SortOrder.AscendingOrder

    def set_credentials(self, held: Sequence[HeldCredential]) -> None:
        self.beginResetModel()
        self._all = list(held)
        self._verdicts.clear()
        self._search = {
            h.credential.id: " ".join(
                (
                    h.credential.label,
                    KIND_TEXT.get(h.credential.kind.value, h.credential.kind.value),
                    h.account.name if h.account else "",
                )
            ).lower()
            for h in self._all
        }
        self._arrange()
        self.endResetModel()

    def _judged(self, held: HeldCredential) -> Verdict:
        """The verdict at the model's `_now`, computed once per row per tick: painting a row asks
        for it for several cells and roles."""
        if self._judged_at != self._now:
            self._verdicts.clear()
            self._judged_at = self._now
            self._dark = is_dark(QGuiApplication.palette())
        verdict = self._verdicts.get(held.credential.id)
        if verdict is None:
            verdict = self._verdicts[held.credential.id] = held.verdict(self._now)
        return verdict

    def _tick_face(self, row: int) -> tuple[object, ...]:
        """The countdown's text and the state's text, each with the tone and the palette (light
        or dark) that colour it and pick its icon: what `data()` paints in the tick columns,
        without building its colours and icons once a second for every visible row. (A theme
        switch is repainted by Qt at once, with the old `_dark`; the next tick, which reads it
        anew, repaints the cells again in the new colours.)"""
        held: HeldCredential = self._rows[row]
        verdict = self._judged(held)  # re-reads whether the palette is dark at a new time
        return (
            (self._display(held, Column.COUNTDOWN), verdict.tone, self._dark),
            (verdict.text, verdict.tone, self._dark),
        )

    def presence_changed(self) -> None:
        """The bulk check of the secret store answered: repaint the "Secret held" column."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, Column.SECRET), self.index(len(self._rows) - 1, Column.SECRET)
            )

    def set_filter(self, text: str) -> None:
        self.beginResetModel()
        self._filter = text.strip().lower()
        self._arrange()
        self.endResetModel()

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        if not 0 <= column < len(Column):
            return
        self.layoutAboutToBeChanged.emit()
        self._sort_column, self._sort_order = Column(column), order
        self._arrange()
        self.layoutChanged.emit()

    def _arrange(self) -> None:
        needle = self._filter
        rows = (
            [h for h in self._all if needle in self._search[h.credential.id]]
            if needle
            else list(self._all)
        )
        rows.sort(key=self._sort_key, reverse=self._sort_order == Qt.SortOrder.DescendingOrder)
        self._rows = rows

    def _sort_key(self, h: HeldCredential) -> Any:
        expires = h.credential.expires_at
        at = expires.timestamp() if expires else float("inf")
        if self._sort_column is Column.STATUS:
            return (h.verdict(self._now).severity, at)
        if self._sort_column in (Column.EXPIRES, Column.COUNTDOWN):
            return at
        return self._display(h, self._sort_column).lower()

    def credential(self, row: int) -> Credential:
        held: HeldCredential = self._rows[row]
        return held.credential

    def verdict(self, row: int) -> Verdict:
        held: HeldCredential = self._rows[row]
        return self._judged(held)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not (0 <= index.row() < len(self._rows)):
            return None
        held: HeldCredential = self._rows[index.row()]
        c = held.credential
        column = _COLUMNS[index.column()]
        if role == CredentialRole:
            return c
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(held, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            if column is Column.STATUS:
                return self._judged(held).reason
            if column in (Column.EXPIRES, Column.COUNTDOWN) and c.expires_at:
                return f"{utc_iso(c.expires_at)} UTC"
            return self._display(held, column)
        if role == Qt.ItemDataRole.DecorationRole and column is Column.STATUS:
            return status_icon(self._judged(held).tone, dark=self._dark)
        if role == Qt.ItemDataRole.ForegroundRole and column in (Column.COUNTDOWN, Column.STATUS):
            return tone_color_on(self._judged(held).tone, dark=self._dark)
        return None

    def _display(self, held: HeldCredential, column: Column) -> str:
        c = held.credential
        if column is Column.LABEL:
            return c.label
        if column is Column.KIND:
            return KIND_TEXT.get(c.kind.value, c.kind.value)
        if column is Column.ACCOUNT:
            return held.account.name if held.account else "—"
        if column is Column.EXPIRES:
            return local_text(c.expires_at) if c.expires_at else "never"
        if column is Column.COUNTDOWN:
            verdict = self._judged(held)
            if not verdict.counts_down or c.expires_at is None:
                return "—"
            return countdown(c.expires_at, self._now)
        if column is Column.STATUS:
            return self._judged(held).text
        return self.presence.text(c)
