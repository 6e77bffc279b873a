"""A viewport made in Python (ui/viewports.py) is Qt's own in every respect a person or a test can
see: name, background, fill, focus proxy and every widget attribute, once shown."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QAbstractScrollArea, QFrame, QScrollArea, QTableView, QWidget
from pytestqt.qtbot import QtBot

from tokendeck.ui.column_fit import FittedTable
from tokendeck.ui.empty_state import EmptyState
from tokendeck.ui.icons import Act


def _looks(area: QAbstractScrollArea) -> dict[str, object]:
    viewport = area.viewport()
    return {
        "name": viewport.objectName(),
        "role": viewport.backgroundRole(),
        "fill": viewport.autoFillBackground(),
        "proxy": viewport.focusProxy() is area,
        "parent is the area's": viewport.parentWidget() is not None
        and viewport.parentWidget().parentWidget() is area,
        "size": viewport.size(),
        "attributes": sorted(a.name for a in Qt.WidgetAttribute if viewport.testAttribute(a)),
    }


def _shown(qtbot: QtBot, area: QWidget) -> None:
    qtbot.addWidget(area)
    area.resize(400, 300)
    area.show()
    qtbot.waitExposed(area)


def test_a_table_s_viewport_is_qt_s_own(qtbot: QtBot) -> None:
    qt_s, ours = QTableView(), FittedTable()
    for area in (qt_s, ours):
        _shown(qtbot, area)
    assert _looks(ours) == _looks(qt_s)


def test_an_empty_state_s_viewport_is_a_plain_scroll_area_s_unfilled(qtbot: QtBot) -> None:
    qt_s = QScrollArea()
    qt_s.setFrameShape(QFrame.Shape.NoFrame)  # as the empty state is
    qt_s.viewport().setAutoFillBackground(False)  # what the empty state asked of Qt's own
    ours = EmptyState(Act.ACCOUNTS, "Nothing yet", "Add one.")
    for area in (qt_s, ours):
        _shown(qtbot, area)
    assert _looks(ours) == _looks(qt_s)
