"""A scroll area's viewport made in Python, as Qt makes its own.

The first time Python is handed a widget it did not create as a plain `QWidget` (a scroll area's
`viewport()`), PySide looks for its most derived type among every QWidget subclass and creates
them all, with their enums: 20 to 30 ms, on the way to the first rows. A viewport made here is
known to PySide from the start. It gets what QAbstractScrollArea gives its own (the name style
sheets and tests use, and its background); `setViewport` does the rest (parent, focus proxy,
event filter, gestures), and every attribute is the same as the one it replaces (see
tests/ui/test_viewports.py).
"""

from __future__ import annotations

from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QAbstractScrollArea, QWidget

VIEWPORT_NAME = "qt_scrollarea_viewport"


def own_viewport(area: QAbstractScrollArea, *, role: QPalette.ColorRole | None = None) -> QWidget:
    """Give `area` a viewport made here (filled with `role`, the view's Base by default, as Qt's
    own); returns it."""
    viewport = QWidget()
    viewport.setObjectName(VIEWPORT_NAME)
    viewport.setBackgroundRole(QPalette.ColorRole.Base if role is None else role)
    viewport.setAutoFillBackground(True)
    area.setViewport(viewport)
    return viewport
