"""How every table in the window looks and which of its rows are on screen."""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView


def configure_table(
    view: QTableView, name: str, accessible: str, widths: Iterable[tuple[int, int]]
) -> None:
    view.setObjectName(name)
    view.setAccessibleName(accessible)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    view.setTextElideMode(Qt.TextElideMode.ElideRight)
    view.verticalHeader().hide()
    view.verticalHeader().setDefaultSectionSize(view.fontMetrics().height() + 10)
    view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    view.horizontalHeader().setStretchLastSection(True)
    for column, width in widths:
        view.setColumnWidth(column, width)


def visible_rows(view: QTableView) -> list[int]:
    """View rows currently on screen (the countdowns repaint only these)."""
    first = view.rowAt(0)
    if first < 0:
        return []
    last = view.rowAt(view.viewport().height() - 1)
    model = view.model()
    last = model.rowCount() - 1 if last < 0 and model is not None else last
    return list(range(first, last + 1))
