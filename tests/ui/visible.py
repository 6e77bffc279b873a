"""Finding and using what a person sees: shown windows, visible buttons, real mouse clicks, and
waiting (without blocking the asyncio-on-Qt loop) for what follows."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import TypeVar

from PySide6.QtCore import QSize, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QApplication,
    QCheckBox,
    QLabel,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QWidget,
)

from tests.ui.geometry import leaves

W = TypeVar("W", bound=QWidget)


async def until(condition: Callable[[], object], what: str, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met in time")
        await asyncio.sleep(0.05)


async def settle() -> None:
    """Let posted layout requests and resizes run."""
    for _ in range(3):
        await asyncio.sleep(0.03)
        QApplication.processEvents()


async def resize_to(widget: QWidget, size: QSize) -> QSize:
    """Resize a shown top-level (which keeps to its own minimum and maximum) and let it settle:
    a window whose minimum height depends on its width may end up higher than asked."""
    wanted = size.expandedTo(widget.minimumSize()).boundedTo(widget.maximumSize())
    widget.resize(wanted)
    deadline = time.monotonic() + 1
    while widget.size() != wanted and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    await settle()
    return widget.size()


def visible_windows(kind: type[W], name: str = "") -> list[W]:
    """The shown top-level windows of a kind (and object name), oldest first."""
    return [
        w
        for w in QApplication.topLevelWidgets()
        if isinstance(w, kind) and w.isVisible() and (not name or w.objectName() == name)
    ]


async def the_window(kind: type[W], name: str = "", what: str = "") -> W:
    """Wait for a window to be shown (a dialog opened with open() does not block), then give it."""
    await until(lambda: visible_windows(kind, name), what or f"a visible {name or kind.__name__}")
    return visible_windows(kind, name)[-1]


def button(top: QWidget, text: str) -> QAbstractButton:
    """The visible button of `top` that says `text` (mnemonic `&` ignored)."""
    found = [
        leaf.widget
        for leaf in leaves(top)
        if isinstance(leaf.widget, QAbstractButton) and leaf.widget.text().replace("&", "") == text
    ]
    assert found, f"no visible button {text!r} in {top.objectName() or top}"
    return found[0]


def click(widget: QAbstractButton) -> None:
    """Click like a person: only a visible, enabled button, on the button itself (for a check
    box: on its box, not the empty end of a wide row)."""
    assert widget.isVisible(), f"{widget.text()} is not visible"
    assert widget.isEnabled(), f"{widget.text()} is not enabled"
    position = widget.rect().center()
    if isinstance(widget, QCheckBox | QRadioButton):
        option = QStyleOptionButton()
        option.initFrom(widget)
        element = (
            QStyle.SubElement.SE_CheckBoxIndicator
            if isinstance(widget, QCheckBox)
            else QStyle.SubElement.SE_RadioButtonIndicator
        )
        position = widget.style().subElementRect(element, option, widget).center()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=position)


def visible_labels(top: QWidget) -> list[str]:
    """The texts of the labels a person can see in `top`."""
    return [
        leaf.widget.text()
        for leaf in leaves(top)
        if isinstance(leaf.widget, QLabel) and leaf.widget.text()
    ]
