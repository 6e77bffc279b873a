"""Which columns a table shows at its width, and how wide: the columns that matter stay in view.

Each table lists its columns in order of importance, each with the width it wants. Whenever the
table's visible area changes width, columns are taken in that order while they fit; the rest are
hidden until the window grows again, and the stretch column (the name) takes the width left over
(the last column shown takes it while the stretch column is hidden).
So the header never runs past the right edge (no column half cut, no horizontal scroll bar for the
status) and never ends in an empty band. A column's width also covers its header title and, where
given, a text it must show whole (the longest platform name).

A person may drag a column to another width: that width becomes what the column wants (kept in
the settings by the window), and the columns are fitted around it at once. The stretch column is
not dragged to a width: it is what is left.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import shiboken6
from PySide6.QtCore import QAbstractItemModel, QSize, QTimer
from PySide6.QtGui import QPainter, QPaintEvent, QPalette, QResizeEvent, QStandardItemModel
from PySide6.QtWidgets import QHeaderView, QTableView, QWidget

from tokendeck.core.timefmt import local_text
from tokendeck.ui.viewports import own_viewport

CELL_PADDING = 16  # a cell's text margins, both sides, with room to spare
ICON_SIZE = 16  # a cell's status icon (the style's small icon size, set on every table)


def time_samples() -> tuple[str, ...]:
    """The widest a date cell gets (local time with its zone's name)."""
    return (local_text(datetime(2026, 12, 31, 23, 59, 59, tzinfo=UTC)),)


COUNTDOWN_SAMPLES = ("in 23 h 59 min", "23 h 59 min ago", "renews itself")


@dataclass(frozen=True)
class Column:
    index: int
    width: int  # the width it wants (px at the default font), before its title or samples
    fits: tuple[str, ...] = ()  # texts the column shows whole when it is shown at all
    icon: bool = False  # its cells have a status icon before the text


class FittedTable(QTableView):
    """A table that fits its columns (`columns`) whenever its visible area changes size.

    A subclass, not an event filter on the viewport: PySide wraps an event filter's `watched`
    object for every event, and one posted to a viewport being destroyed crashes it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        own_viewport(self)  # known to PySide: see ui/viewports.py
        self.setIconSize(QSize(ICON_SIZE, ICON_SIZE))
        self.columns: ColumnFit | None = None
        self._placeholder = ""

    def show_model(self, model: QAbstractItemModel, titles: Sequence[str]) -> None:
        """Show `model`; its column header draws `titles` (the model's `headers`) from a model
        of its own.

        A header that asks a model made in Python for its titles (to size itself when given
        the model, then at each paint) passes a `Qt.Orientation`, and converting it makes
        PySide build the `Qt` namespace's 93 enums (25 ms) on the way to the first rows (see
        ui/probes.py). So the headers are hidden while the view takes the model, and ask it
        nothing. The model's own `headerData` stays, for accessibility and proxies.

        The header's selection is its own model's, so it cannot follow the table's: titles are
        not drawn bold for a selected row (every title, since a row is all its columns). Give
        the table no other selection model (`setSelectionModel` hands it to the header too,
        which Qt refuses with a warning for a header on another model)."""
        header = self.horizontalHeader()
        header.hide()
        self.verticalHeader().hide()  # (no table here numbers its rows)
        self.setModel(model)
        labels = QStandardItemModel(0, len(titles), self)
        labels.setHorizontalHeaderLabels(list(titles))
        header.setModel(labels)
        header.setHighlightSections(False)
        header.show()

    def resizeEvent(self, event: QResizeEvent) -> None:  # the viewport's size (Qt's contract)
        super().resizeEvent(event)
        if self.columns is not None:
            self.columns.fit()

    def set_placeholder(self, text: str) -> None:
        """What the table says while it has no rows ("No API keys on … yet")."""
        self._placeholder = text
        self.viewport().update()

    def placeholder(self) -> str:
        model = self.model()
        empty = model is None or model.rowCount() == 0
        return self._placeholder if empty else ""

    def paintEvent(self, event: QPaintEvent) -> None:  # the viewport's paint (Qt's contract)
        super().paintEvent(event)
        text = self.placeholder()
        if not text:
            return
        from PySide6.QtCore import Qt  # (an empty table: not on the way to the first rows)

        painter = QPainter(self.viewport())
        painter.setPen(self.palette().color(QPalette.ColorRole.PlaceholderText))
        area = self.viewport().rect().adjusted(24, 24, -24, -24)
        flags = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop | Qt.TextFlag.TextWordWrap
        painter.drawText(area, int(flags), text)
        painter.end()


class ColumnFit:
    def __init__(self, view: FittedTable, columns: Sequence[Column], *, stretch: int) -> None:
        if stretch not in {c.index for c in columns}:
            raise ValueError("the stretch column must be one of the columns")
        self._view = view
        self._columns = tuple(columns)
        self._stretch = stretch
        self._chosen: dict[int, int] = {}  # widths a person gave by dragging
        self._fitting = False
        self._refit_queued = False
        header = view.horizontalHeader()
        header.setMinimumSectionSize(40)
        header.sectionResized.connect(self._resized)
        view.columns = self

    def chosen(self) -> dict[int, int]:
        """The widths a person gave, by column (to keep for the next start)."""
        return dict(self._chosen)

    def choose(self, widths: dict[int, int]) -> None:
        """Widths a person gave earlier (from the settings); then fit."""
        known = {c.index for c in self._columns}
        self._chosen = {
            i: w for i, w in widths.items() if i in known - {self._stretch} and 20 <= w <= 4000
        }
        self.fit()

    def _resized(self, index: int, _old: int, new: int) -> None:
        if self._fitting or new <= 0 or index == self._stretch:
            return
        self._chosen[index] = new
        if not self._refit_queued:  # once the drag step is over, around the new width
            self._refit_queued = True
            QTimer.singleShot(0, self._refit)

    def _refit(self) -> None:
        self._refit_queued = False
        if shiboken6.isValid(self._view):
            self.fit()

    def wanted(self, column: Column) -> int:
        """The column's width: the one a person chose, else what it asks, its title and its
        sample text, whichever is most."""
        if column.index in self._chosen:
            return self._chosen[column.index]
        view = self._view
        # The title as Qt draws it (the style's margins, the sort arrow when the table sorts),
        # measured in C++: asking the style from Python makes PySide build QStyle's and its
        # options' enums, about 12 ms on the way to the first rows.
        title_width = view.horizontalHeader().sectionSizeFromContents(column.index).width()
        metrics = view.fontMetrics()
        sample = max((metrics.horizontalAdvance(text) for text in column.fits), default=0)
        if column.icon:
            sample += view.iconSize().width() + 4
        return max(column.width, title_width, sample + CELL_PADDING)

    def fit(self) -> None:
        """Choose and size the columns for the width now (also after a header's saved state
        was restored: that brings back the modes of an earlier release, and its widths)."""
        view = self._view
        header = view.horizontalHeader()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        available = view.viewport().width()
        shown: dict[int, int] = {}
        used = 0
        for column in self._columns:
            width = self.wanted(column)
            if shown and used + width > available:
                break  # strictly by importance: no narrow minor column before a wider major one
            shown[column.index] = width
            used += width
        # The width left over goes to the stretch column, else (it did not fit) to the last
        # column shown: never an empty band after the last one.
        takes_rest = self._stretch if self._stretch in shown else next(reversed(shown), None)
        if takes_rest is not None:
            shown[takes_rest] += max(0, available - used)
        self._fitting = True
        try:
            for index in range(header.count()):
                view.setColumnHidden(index, index not in shown)
                if index in shown:
                    header.resizeSection(index, shown[index])
        finally:
            self._fitting = False

    def shown(self) -> list[int]:
        """The columns on screen now, in the table's own order."""
        view = self._view
        return [i for i in range(view.horizontalHeader().count()) if not view.isColumnHidden(i)]
