"""What the three table models share: rows, headers, and the once-a-second countdown repaint."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

Index = QModelIndex | QPersistentModelIndex
ROOT = QModelIndex()


class RowTableModel(QAbstractTableModel):
    """A flat table of `_rows`; subclasses set `headers` and the `tick_columns` a tick repaints."""

    headers: tuple[str, ...] = ()
    tick_columns: tuple[int, int] = (0, 0)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Any] = []
        self._now = datetime.now(UTC)

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            orientation == Qt.Orientation.Horizontal
            and role == Qt.ItemDataRole.DisplayRole
            and 0 <= section < len(self.headers)
        ):
            return self.headers[section]
        return None

    def row_value(self, index: Index) -> Any:
        """The row object behind `index`, or None for an invalid index."""
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        return self._rows[index.row()]

    def tick(self, now: datetime, rows: Sequence[int]) -> None:
        """New time; repaint the countdown columns of `rows` (the visible ones)."""
        self._now = now
        first, last = self.tick_columns
        for top, bottom in _runs(r for r in rows if 0 <= r < len(self._rows)):
            self.dataChanged.emit(self.index(top, first), self.index(bottom, last))


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Rows as (first, last) runs of consecutive numbers: one repaint per run, not per row."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
