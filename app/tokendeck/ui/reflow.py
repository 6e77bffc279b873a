"""Two panes beside each other on a wide widget, one above the other on a narrow one."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QSplitter


def orient(splitter: QSplitter, width: int, side_by_side_from: int) -> bool:
    """Turn `splitter` horizontal when `width` reaches `side_by_side_from`, else vertical.

    Returns whether it turned (the caller may then share the new extent between the panes).
    """
    wanted = Qt.Orientation.Horizontal if width >= side_by_side_from else Qt.Orientation.Vertical
    if wanted == splitter.orientation():
        return False
    splitter.setOrientation(wanted)
    return True
