"""Finding and using what a person sees: shown windows, visible buttons, table rows, menus, the
tray icon and its balloon; real mouse clicks and key presses (QTest) on visible, enabled widgets
only; and waiting (without blocking the asyncio-on-Qt loop) for what follows.

The one helper module of the GUI tests: test files import from here, never copy."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QModelIndex, QPoint, QSize, Qt
from PySide6.QtGui import QAction, QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QApplication,
    QCheckBox,
    QComboBox,
    QFileDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QPlainTextEdit,
    QRadioButton,
    QStyle,
    QStyleOptionButton,
    QTabWidget,
    QWidget,
)

from tests.ui.geometry import leaves

W = TypeVar("W", bound=QWidget)


async def until(
    condition: Callable[[], object], what: str = "condition", timeout: float = 20
) -> None:
    """Wait for `condition` while the loop runs (it is polled, never slept on)."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not met in time")
        await asyncio.sleep(0.02)


async def settle() -> None:
    """Deliver the posted layout requests and resizes, then give the loop a turn.

    Never `processEvents()` here: called from a coroutine on the qasync loop it runs other
    tasks' steps re-entrantly ("Cannot enter into task ..."), and they leak into later tests."""
    for _ in range(3):
        QApplication.sendPostedEvents(None, QEvent.Type.LayoutRequest)
        QApplication.sendPostedEvents()
        await asyncio.sleep(0)


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


def _plain(text: str) -> str:
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&")


def button(top: QWidget, text: str) -> QAbstractButton:
    """The visible button of `top` that says `text` (mnemonic `&` ignored), or, when a narrow
    window shows only its icon (ui/button_bar.py), whose accessible name is `text`."""
    found = [
        leaf.widget
        for leaf in leaves(top)
        if isinstance(leaf.widget, QAbstractButton)
        and text in (_plain(leaf.widget.text()), leaf.widget.accessibleName())
    ]
    assert found, f"no visible button {text!r} in {top.objectName() or top}"
    return found[0]


def named(top: QWidget, accessible_name: str, kind: type[W] = QWidget) -> W:  # type: ignore[assignment]
    """The visible widget of `top` a screen reader calls `accessible_name`."""
    found = [
        leaf.widget
        for leaf in leaves(top)
        if isinstance(leaf.widget, kind) and leaf.widget.accessibleName() == accessible_name
    ]
    assert found, f"no visible {kind.__name__} named {accessible_name!r} in {top.objectName()}"
    return found[0]


def _can_use(widget: QWidget) -> None:
    what = getattr(widget, "text", lambda: "")() or widget.accessibleName() or widget.objectName()
    assert widget.isVisible(), f"{what!r} is not visible"
    assert widget.isEnabled(), f"{what!r} is not enabled"


def click(widget: QWidget, where: QPoint | None = None) -> None:
    """Click like a person: only a visible, enabled widget, on the widget itself (for a check
    box: on its box, not the empty end of a wide row)."""
    _can_use(widget)
    position = where if where is not None else widget.rect().center()
    if where is None and isinstance(widget, QCheckBox | QRadioButton):
        option = QStyleOptionButton()
        option.initFrom(widget)
        element = (
            QStyle.SubElement.SE_CheckBoxIndicator
            if isinstance(widget, QCheckBox)
            else QStyle.SubElement.SE_RadioButtonIndicator
        )
        position = widget.style().subElementRect(element, option, widget).center()
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=position)


def type_into(widget: QWidget, text: str) -> None:
    """Replace what a visible, enabled text field or spin box holds by typing (select all,
    delete, keys)."""
    _can_use(widget)
    assert isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox), widget
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_Delete)
    QTest.keyClicks(widget, text)


async def choose(combo: QComboBox, text: str) -> None:
    """Open a visible combo box with a click, go to the item that says `text` with the arrow
    keys and take it with Return (a click on the list right after it opened is ignored by Qt
    for a double-click interval)."""
    index = combo.findText(text)
    assert index >= 0, f"{combo.accessibleName()!r} offers no {text!r}"
    click(combo)
    view = combo.view()
    await until(view.isVisible, f"the {combo.accessibleName()!r} list open")
    QTest.keyClick(view, Qt.Key.Key_Home)
    for _ in range(index):
        QTest.keyClick(view, Qt.Key.Key_Down)
    QTest.keyClick(view, Qt.Key.Key_Return)
    await until(lambda: not view.isVisible(), f"the {combo.accessibleName()!r} list closed")
    assert combo.currentText() == text


def cell_texts(view: QAbstractItemView, column: int) -> list[str]:
    """What a visible view shows in one column, top to bottom (the display role of its model,
    sorted and filtered as shown)."""
    assert view.isVisible(), f"{view.accessibleName()!r} is not visible"
    model = view.model()
    return [str(model.index(r, column).data() or "") for r in range(model.rowCount())]


def row_of(view: QAbstractItemView, column: int, text: str) -> QModelIndex:
    texts = cell_texts(view, column)
    assert texts.count(text) == 1, f"{text!r} is not one row of {view.accessibleName()!r}: {texts}"
    return view.model().index(texts.index(text), column)


def click_row(view: QAbstractItemView, column: int, text: str) -> None:
    """Click the row of a visible view whose `column` shows `text` (scrolled into view first)."""
    index = row_of(view, column, text)
    view.scrollTo(index)
    _can_use(view)
    QTest.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(index).center()
    )


def selected_texts(view: QAbstractItemView, column: int) -> list[str]:
    """What the selected rows of a view show in `column`."""
    return [
        str(index.siblingAtColumn(column).data() or "")
        for index in view.selectionModel().selectedRows()
    ]


def row_is_on_screen(view: QAbstractItemView, index: QModelIndex) -> bool:
    """The row is inside the visible part of the view's viewport."""
    return view.isVisible() and view.viewport().rect().contains(view.visualRect(index).center())


def click_tab(tabs: QTabWidget, text: str) -> None:
    """Click the visible tab that says `text`."""
    bar = tabs.tabBar()
    found = [i for i in range(tabs.count()) if _plain(tabs.tabText(i)) == text]
    assert found, f"no tab {text!r}"
    _can_use(bar)
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.tabRect(found[0]).center())
    assert tabs.currentIndex() == found[0]


def _action_in(menu: QMenu, text: str) -> QAction:
    found = [a for a in menu.actions() if a.isVisible() and _plain(a.text()) == text]
    assert found, f"no {text!r} in the menu: {[_plain(a.text()) for a in menu.actions()]}"
    return found[0]


async def choose_in_menu(menu: QMenu, text: str) -> None:
    """In an open (visible) menu, go down to the enabled item that says `text` with the arrow
    keys, as shown by the menu's highlight, and take it with Return. (A mouse click on a popup
    menu is ignored by Qt while the pointer has not moved since the menu opened, which made
    clicks flaky; the keys are what a person may use too.)"""
    await until(
        lambda: menu.isVisible() and menu.windowHandle() and menu.windowHandle().isExposed(),
        "the menu open",
    )
    action = _action_in(menu, text)
    assert action.isEnabled(), f"{text!r} is not enabled"
    for _ in range(len(menu.actions()) + 1):
        if menu.activeAction() is action:
            break
        QTest.keyClick(menu, Qt.Key.Key_Down)
    assert menu.activeAction() is action, f"{text!r} cannot be reached with the arrow keys"
    QTest.keyClick(menu, Qt.Key.Key_Return)
    await until(lambda: not menu.isVisible(), "the menu closed")


async def menu_bar_choose(window: QMainWindow, menu_text: str, item_text: str) -> None:
    """Click a menu of the window's menu bar, then one of its items."""
    bar = window.menuBar()
    _can_use(bar)
    titles = [a for a in bar.actions() if _plain(a.text()) == menu_text]
    assert titles, f"no menu {menu_text!r}"
    menu = titles[0].menu()
    assert isinstance(menu, QMenu)
    QTest.mouseClick(bar, Qt.MouseButton.LeftButton, pos=bar.actionGeometry(titles[0]).center())
    await choose_in_menu(menu, item_text)


def visible_labels(top: QWidget) -> list[str]:
    """The texts of the labels a person can see in `top`."""
    return [
        leaf.widget.text()
        for leaf in leaves(top)
        if isinstance(leaf.widget, QLabel) and leaf.widget.text()
    ]


# -- the system tray (XEmbed on trayer: Qt draws the icon and the balloon as widgets) ------------


def _shown_top_level(class_name: str) -> QWidget | None:
    found = [
        w
        for w in QApplication.topLevelWidgets()
        if w.metaObject().className() == class_name and w.isVisible()
    ]
    return found[-1] if found else None


def tray_icon_widget() -> QWidget | None:
    """The tray icon as embedded in the system tray (None until it is embedded)."""
    return _shown_top_level("QSystemTrayIconSys")


def balloon() -> QWidget | None:
    """The notification balloon shown by the tray icon, if one is on screen."""
    return _shown_top_level("QBalloonTip")


async def open_tray_menu(menu: QMenu) -> None:
    """Right-click the embedded tray icon, as a person opens its menu."""
    await until(tray_icon_widget, "the tray icon embedded in the tray")
    icon = tray_icon_widget()
    assert icon is not None
    QTest.mouseClick(icon, Qt.MouseButton.RightButton, pos=icon.rect().center())
    await until(menu.isVisible, "the tray menu open")


def paste_into(widget: QWidget, text: str) -> None:
    """Put `text` on the clipboard and paste it over what a visible, enabled field holds (as a
    person enters a multi-line key)."""
    _can_use(widget)
    assert isinstance(widget, QLineEdit | QPlainTextEdit), widget
    QGuiApplication.clipboard().setText(text)
    QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=widget.rect().center())
    widget.setFocus()
    QTest.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClick(widget, Qt.Key.Key_V, Qt.KeyboardModifier.ControlModifier)


def gone(window: QWidget) -> bool:
    """Closed (a finished dialog is deleted soon after)."""
    return not shiboken6.isValid(window) or not window.isVisible()


async def stays(condition: Callable[[], object], what: str, seconds: float) -> None:
    """Check that `condition` holds all along `seconds` while the loop runs (that something does
    not happen: polled, so it fails as soon as it stops holding)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert condition(), f"{what}: stopped holding"
        await asyncio.sleep(0.02)


def answer_save_dialogs(monkeypatch: pytest.MonkeyPatch, path: Path) -> None:
    """Every "Save as" dialog answers `path` (a person choosing that file), without showing."""
    monkeypatch.setattr(
        QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(path), ""))
    )
