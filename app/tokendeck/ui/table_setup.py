"""How every table in the window looks and which of its rows are on screen."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import QAbstractItemView, QTableView

from tokendeck.ui.column_fit import Column, ColumnFit, FittedTable


def configure_table(
    view: FittedTable,
    name: str,
    accessible: str,
    columns: Sequence[Column],
    *,
    stretch: int,
) -> ColumnFit:
    """`columns` in order of importance (see ui/column_fit.py); `stretch` takes what is left."""
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.setTabKeyNavigation(False)  # Tab leaves the table; arrows move inside it
    return ColumnFit(view, columns, stretch=stretch)


def visible_rows(view: QTableView) -> list[int]:
    """View rows currently on screen (the countdowns repaint only these)."""
    first = view.rowAt(0)
    if first < 0:
        return []
    last = view.rowAt(view.viewport().height() - 1)
    model = view.model()
    last = model.rowCount() - 1 if last < 0 and model is not None else last
    return list(range(first, last + 1))
