"""What the three table models share: rows, headers, and the once-a-second countdown repaint."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex
from PySide6.QtGui import QBrush, QColor, QIcon

from tokendeck.ui import item_roles

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

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
        # What the tick columns of the rows visible at the last tick showed at `_now`, by row
        # object: the next tick repaints only the cells whose face changed.
        self._faces: dict[int, tuple[Any, tuple[object, ...]]] = {}

    def rowCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = ROOT) -> int:
        return 0 if parent.isValid() else len(self.headers)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = item_roles.DISPLAY
    ) -> Any:
        """The titles, for accessibility and proxies: a table's header draws them from a model
        of its own (see ui/table_setup.py). Being called, PySide has made the `Qt` namespace."""
        from PySide6.QtCore import Qt

        if (
            orientation == Qt.Orientation.Horizontal
            and role == item_roles.DISPLAY
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
        """New time; repaint the cells of the tick columns of `rows` (the visible ones) whose
        text, colour or icon changed with it.

        Most countdowns change once a minute or less ("in 3 days 4 h"), most states not at all:
        repainting only what changed keeps an idle window idle. What a cell shows between two
        ticks is its face at `_now`; it is taken from the last tick's record, or computed at
        the old `_now` for a row that was not visible then."""
        shown = sorted({r for r in rows if 0 <= r < len(self._rows)})
        before = [self._face_before(r) for r in shown]
        self._now = now
        first, last = self.tick_columns
        faces: dict[int, tuple[Any, tuple[object, ...]]] = {}
        changed: dict[int, list[int]] = {}
        for row, old in zip(shown, before, strict=True):
            new = self._tick_face(row)
            faces[id(self._rows[row])] = (self._rows[row], new)
            for offset, (was, now_is) in enumerate(zip(old, new, strict=True)):
                if was != now_is:
                    changed.setdefault(first + offset, []).append(row)
        self._faces = faces
        for column in range(first, last + 1):
            for top, bottom in _runs(changed.get(column, ())):
                self.dataChanged.emit(self.index(top, column), self.index(bottom, column))

    def _face_before(self, row: int) -> tuple[object, ...]:
        record = self._faces.get(id(self._rows[row]))
        if record is not None and record[0] is self._rows[row]:
            return record[1]
        return self._tick_face(row)

    def _tick_face(self, row: int) -> tuple[object, ...]:
        """What each tick column of `row` paints at `_now`: text, colour and icon."""
        first, last = self.tick_columns
        return tuple(
            tuple(_comparable(self.data(self.index(row, column), role)) for role in _PAINTED_ROLES)
            for column in range(first, last + 1)
        )


_PAINTED_ROLES = (item_roles.DISPLAY, item_roles.FOREGROUND, item_roles.DECORATION)


def _comparable(value: object) -> object:
    """A painted value as something `==` compares by what it looks like."""
    if isinstance(value, QBrush):
        return ("brush", value.color().rgba(), int(value.style().value))
    if isinstance(value, QColor):
        return ("color", value.rgba())
    if isinstance(value, QIcon):
        return ("icon", value.cacheKey())
    return value


def _runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Rows as (first, last) runs of consecutive numbers: one repaint per run, not per row."""
    runs: list[tuple[int, int]] = []
    for row in sorted(set(rows)):
        if runs and row == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], row)
        else:
            runs.append((row, row))
    return runs
