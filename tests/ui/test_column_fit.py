"""ColumnFit: the columns that matter stay in view, and the width left over is never an empty
band (also when the stretch column is the least important one, and hidden)."""

from __future__ import annotations

from PySide6.QtGui import QStandardItemModel
from pytestqt.qtbot import QtBot

from tokendeck.ui.column_fit import Column, FittedTable
from tokendeck.ui.table_setup import configure_table


def table(qtbot: QtBot, width: int, stretch: int) -> FittedTable:
    model = QStandardItemModel(3, 4)
    model.setHorizontalHeaderLabels(["A", "B", "C", "D"])
    view = FittedTable()
    qtbot.addWidget(view)
    view.setModel(model)
    configure_table(
        view,
        "fit-table",
        "Fit",
        [Column(0, 100), Column(1, 100), Column(2, 100), Column(3, 200)],
        stretch=stretch,
    )
    view.resize(width, 200)
    view.show()
    qtbot.waitExposed(view)
    view.columns.fit()  # type: ignore[union-attr]
    return view


def widths(view: FittedTable) -> dict[int, int]:
    return {i: view.columnWidth(i) for i in range(4) if not view.isColumnHidden(i)}


def test_the_stretch_column_takes_what_is_left(qtbot: QtBot) -> None:
    view = table(qtbot, 900, stretch=3)
    shown = widths(view)
    assert list(shown) == [0, 1, 2, 3]
    assert shown[0] == shown[1] == shown[2] == 100
    assert sum(shown.values()) == view.viewport().width()


def test_a_hidden_stretch_column_leaves_no_empty_band(qtbot: QtBot) -> None:
    view = table(qtbot, 350, stretch=3)
    shown = widths(view)
    assert list(shown) == [0, 1, 2], "the least important column does not fit"
    assert shown[2] > 100, "the last column shown takes the rest"
    assert sum(shown.values()) == view.viewport().width()
