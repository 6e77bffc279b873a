"""Keyboard and screen reader: every control a person can use has a name a screen reader says
(Qt's own accessible name: the accessible name, else a button's words, else a form label's), and
every action of the menus has a shortcut or a mnemonic."""

from __future__ import annotations

import asyncio

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import (
    QDialog,
    QLineEdit,
    QTabBar,
    QWidget,
)

from tests.ui.conftest import run
from tests.ui.test_layout_geometry import seeded
from tests.ui.visible import click, settle, the_window, until
from tokendeck.sandbox.world import SandboxWorld
from tokendeck.storage.profile import Profile
from tokendeck.ui.focus_ring import FOCUSABLE_CONTROLS
from tokendeck.ui.main_window import MainWindow

CONTROLS = (*FOCUSABLE_CONTROLS, QTabBar)  # what a person operates, each needs a name


def _part_of_another_control(widget: QWidget, top: QWidget) -> bool:
    """The line edit of a spin box, a table's header buttons, a tab bar's scroll arrows: Qt
    names those through their owner."""
    parent = widget.parentWidget()
    while parent is not None and parent is not top:
        if isinstance(parent, CONTROLS):
            return True
        parent = parent.parentWidget()
    return False


def unnamed_controls(top: QWidget) -> list[str]:
    """Every control of `top` (shown or on another page) a screen reader has no name for."""
    found = []
    for widget in top.findChildren(QWidget):
        if not isinstance(widget, CONTROLS) or widget.objectName().startswith("qt_"):
            continue
        if _part_of_another_control(widget, top):
            continue
        face = QAccessible.queryAccessibleInterface(widget)
        name = face.text(QAccessible.Text.Name).strip() if face is not None else ""
        if not name:
            what = widget.objectName() or widget.toolTip() or ""
            found.append(f"{type(widget).__name__} {what!r} in {type(widget.window()).__name__}")
    return found


def test_the_checker_finds_a_control_without_a_name(qtbot) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QFormLayout

    top = QWidget()
    qtbot.addWidget(top)
    form = QFormLayout(top)
    form.addRow("Name:", QLineEdit())
    bare = QLineEdit()
    bare.setObjectName("nameless")
    form.addRow(bare)
    assert unnamed_controls(top) == ["QLineEdit 'nameless' in QWidget"]
    bare.setAccessibleName("Search")
    assert unnamed_controls(top) == []


def test_every_control_of_the_window_and_its_dialogs_has_a_name(
    qloop: asyncio.AbstractEventLoop, window: MainWindow, profile: Profile, world: SandboxWorld
) -> None:
    problems: list[str] = []

    async def scenario() -> None:
        services = await seeded(window, profile, world)
        try:
            window.inspector.set_text("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2ln")
            await settle()
            problems.extend(unnamed_controls(window))
            window.settings_action.trigger()
            settings = await the_window(QDialog, "settings-dialog", "the Settings dialog")
            problems.extend(unnamed_controls(settings))
            settings.reject()
            window.new_account_action.trigger()
            dialog = await the_window(QDialog, "account-dialog", "the Add account dialog")
            problems.extend(unnamed_controls(dialog))
            dialog.reject()
            window.show_tab(window.keys_tab)
            await until(lambda: window.keys_tab.create_button.isEnabled(), "Create enabled")
            click(window.keys_tab.create_button)
            create = await the_window(QDialog, "create-key-dialog", "the Create key dialog")
            problems.extend(unnamed_controls(create))
            create.reject()
            await settle()

            # The menu's keyboard paths to what the buttons do.
            window.show_tab(window.accounts_tab)
            window.new_key_action.trigger()
            again = await the_window(QDialog, "create-key-dialog", "Create key by File menu")
            assert window.current_tab() is window.keys_tab
            again.reject()
            window.show_tab(window.tokens_tab)
            window.tokens_tab.view.selectRow(0)
            window.copy_secret_action.trigger()
            await until(
                lambda: "Clipboard clears" in window.clipboard_label.text(),
                "the selected token copied by Edit → Copy secret",
            )
            window.clipboard.clear("test")
        finally:
            await services.aclose()

    run(qloop, scenario())
    assert problems == [], "\n".join(problems)


def test_every_menu_action_can_be_reached_by_keyboard(window: MainWindow) -> None:
    """A shortcut, or a mnemonic (&) in its menu; Settings has Ctrl+, on every platform."""
    from PySide6.QtGui import QKeySequence

    missing = []
    for menu_action in window.menuBar().actions():
        menu = menu_action.menu()
        assert menu is not None and "&" in menu_action.text(), menu_action.text()
        for action in menu.actions():
            if action.isSeparator():
                continue
            if action.shortcut().isEmpty() and "&" not in action.text():
                missing.append(action.text())
    assert missing == []
    assert QKeySequence("Ctrl+,") in window.settings_action.shortcuts()


def test_the_focus_ring_follows_the_keyboard_and_is_drawn_in_the_highlight_colour(
    qtbot,  # type: ignore[no-untyped-def]
    qapp,  # type: ignore[no-untyped-def]
) -> None:
    """On the control's own edge (a page with no margins must not cut it), and a new ring when
    Qt deleted the old one with a closed dialog."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QPalette
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton

    from tokendeck.ui.focus_ring import FocusRing

    top = QWidget()  # deleted by the test itself
    row = QHBoxLayout(top)
    row.setContentsMargins(0, 0, 0, 0)  # as the tabs' pages: the ring may not go outside
    first, second = QPushButton("First"), QPushButton("Second")
    for widget in (first, QLabel("between"), second):
        row.addWidget(widget)
    follower = FocusRing(qapp)
    highlight = qapp.palette().color(QPalette.ColorRole.Highlight)

    def ringed_at(x: int, y: int) -> bool:
        drawn = top.grab().toImage().pixelColor(x, y)
        return abs(drawn.red() - highlight.red()) < 60 and abs(drawn.blue() - highlight.blue()) < 60

    try:
        top.show()
        top.activateWindow()
        qtbot.waitUntil(top.isActiveWindow)
        first.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: follower.ring is not None and follower.ring.isVisible())
        ring = follower.ring
        assert ring is not None and ring.widget() is first
        assert ring.geometry() == first.geometry()
        middle = first.geometry().center()
        assert ringed_at(first.geometry().left() + 1, middle.y()), "left edge drawn, not cut"
        assert ringed_at(middle.x(), first.geometry().bottom() - 1), "bottom edge drawn"
        qtbot.keyClick(first, Qt.Key.Key_Tab)
        qtbot.waitUntil(lambda: follower.ring is not None and follower.ring.widget() is second)

        # Qt keeps the ring in the focused control's window; when that window is deleted (a
        # dialog closing), the ring goes with it, and the next focus makes a new one.
        tabs = QTabBar(top)
        tabs.addTab("one")
        tabs.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        tabs.show()
        tabs.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: follower.ring is not None and follower.ring.isHidden())
        top.deleteLater()
        qtbot.waitUntil(lambda: follower.ring is None)
        again = QWidget()
        qtbot.addWidget(again)
        button = QPushButton("Again", again)
        again.show()
        again.activateWindow()
        qtbot.waitUntil(again.isActiveWindow)
        button.setFocus(Qt.FocusReason.TabFocusReason)
        qtbot.waitUntil(lambda: follower.ring is not None and follower.ring.widget() is button)
    finally:
        if follower.ring is not None:
            follower.ring.hide()
        follower.deleteLater()


def test_a_focus_ring_installed_after_the_window_is_up_rings_the_focused_control(
    qtbot,  # type: ignore[no-untyped-def]
    qapp,  # type: ignore[no-untyped-def]
) -> None:
    """The ring is installed after the first paint; the control that has the focus by then
    is ringed at once, not at the next Tab."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QPushButton

    from tokendeck.ui.focus_ring import FocusRing

    top = QWidget()
    qtbot.addWidget(top)
    button = QPushButton("Focused first", top)
    top.show()
    top.activateWindow()
    qtbot.waitUntil(top.isActiveWindow)
    button.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(lambda: qapp.focusWidget() is button)
    follower = FocusRing(qapp)
    try:
        ring = follower.ring
        assert ring is not None and ring.widget() is button and ring.isVisible()
    finally:
        if follower.ring is not None:
            follower.ring.hide()
        follower.deleteLater()
